"""RFC 9457 problem details, in Chinese and English, for every error the suite returns."""
from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

log = structlog.get_logger()
PROBLEM_BASE = "https://srdi.fangshan.gov.cn/problems/"
MEDIA_TYPE = "application/problem+json"

# Titles for statuses raised by the framework itself.
STATUS_TITLES = {
    400: ("请求有误", "Bad request"),
    401: ("未认证：缺少或无效的令牌", "Not authenticated: missing or invalid token"),
    403: ("无权执行此操作", "Forbidden for this role"),
    404: ("资源不存在", "Not found"),
    405: ("不支持该请求方法", "Method not allowed"),
    409: ("与现有数据冲突", "Conflict with existing data"),
    413: ("请求体过大", "Request body too large"),
    415: ("不支持的内容类型", "Unsupported media type"),
    422: ("请求数据校验失败", "Request validation failed"),
    500: ("服务器内部错误", "Internal server error"),
    503: ("服务暂不可用", "Service unavailable"),
}


class Problem(Exception):
    """An error answer. `code` names the problem type; zh/en are the human sentences."""

    def __init__(self, status: int, code: str, zh: str, en: str, errors: list | None = None,
                 **extra: Any):
        super().__init__(en)
        self.status, self.code, self.zh, self.en = status, code, zh, en
        self.errors, self.extra = errors, extra

    def body(self) -> dict:
        t_zh, t_en = STATUS_TITLES.get(self.status, ("错误", "Error"))
        body = {"type": PROBLEM_BASE + self.code, "title": f"{t_zh} / {t_en}", "status": self.status,
                "detail": f"{self.zh} / {self.en}", "detail_zh": self.zh, "detail_en": self.en}
        if self.errors is not None:
            body["errors"] = self.errors
        elif self.status == 422:  # API.md: every 422 lists what was refused
            body["errors"] = [{"loc": [], "msg": f"{self.zh} / {self.en}", "type": self.code}]
        body.update(self.extra)
        return body


def not_found(what_zh: str, what_en: str, ident: str) -> Problem:
    return Problem(404, "not-found", f"{what_zh}不存在：{ident}", f"{what_en} not found: {ident}")


def field_error(field: str, zh: str, en: str, code: str = "invalid-field") -> Problem:
    """A 422 about one body field, in the same shape as a schema validation error."""
    return Problem(422, code, f"{zh}（{field}）", f"{field}: {en}",
                   errors=[{"loc": ["body", field], "msg": f"{zh} / {en}", "type": code}])


def problem_response(p: Problem, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(p.body(), status_code=p.status, media_type=MEDIA_TYPE, headers=headers)


# pydantic's error types in Chinese ({…} from the error's context), so a field's message reads in
# Chinese beside pydantic's English.
ZH_BY_TYPE = {
    "missing": "缺少必填字段", "extra_forbidden": "不允许的字段（可能拼写有误）",
    "string_type": "应为文本", "int_type": "应为整数", "int_parsing": "应为整数",
    "int_from_float": "应为整数（不能有小数）", "float_type": "应为数字", "float_parsing": "应为数字",
    "decimal_type": "应为数字", "decimal_parsing": "应为数字", "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false", "list_type": "应为列表", "dict_type": "应为对象",
    "model_type": "应为对象", "model_attributes_type": "应为对象", "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）", "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD），不含时间", "datetime_type": "应为时间（ISO 8601）",
    "datetime_parsing": "应为时间（ISO 8601）", "datetime_from_date_parsing": "应为时间（ISO 8601）",
    "string_too_short": "文本过短（至少 {min_length} 个字符）", "string_too_long": "文本过长（至多 {max_length} 个字符）",
    "too_short": "项数过少（至少 {min_length} 项）", "too_long": "项数过多（至多 {max_length} 项）",
    "string_pattern_mismatch": "格式不符合要求", "greater_than": "应大于 {gt}", "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}", "less_than_equal": "应不大于 {le}", "multiple_of": "应为 {multiple_of} 的倍数",
    "literal_error": "取值应为以下之一：{expected}", "enum": "取值应为以下之一：{expected}",
    "union_tag_invalid": "类型标记应为以下之一：{expected_tags}", "union_tag_not_found": "缺少类型标记字段",
    "json_invalid": "不是有效的 JSON", "json_type": "不是有效的 JSON", "uuid_parsing": "应为 UUID",
    "uuid_type": "应为 UUID", "url_parsing": "应为网址", "frozen_instance": "该字段不可修改",
    "finite_number": "应为有限数值", "none_required": "应为空（null）", "is_instance_of": "类型不符合要求",
}


def _message(e: dict) -> str:
    """"中文 / English" for one validation error: our own checks already speak both (a ValueError's
    text is "中文 / English"); pydantic's own are translated by their type."""
    en = str(e.get("msg", ""))
    if e.get("type") in ("value_error", "assertion_error"):
        own = en.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return own if " / " in own else f"取值无效 / {own}"  # a library's English text stays on the English side
    zh = ZH_BY_TYPE.get(str(e.get("type", "")))
    if zh is None:
        return f"取值无效 / {en}"
    try:
        zh = zh.format(**{k: v for k, v in (e.get("ctx") or {}).items()})
    except (KeyError, IndexError):
        zh = zh.split("（")[0].split("{")[0]
    return f"{zh} / {en}"


def _clean(errs: list) -> list:
    return [{"loc": list(e.get("loc", ())), "msg": _message(e), "type": e.get("type", "")} for e in errs]


def allowed_methods(req: Request) -> list[str]:
    """Every method some route of the app fully answers on this request's path (asked method by
    method: included routers only say whether they match as a whole)."""
    return [m for m in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
            if any(route.matches({**req.scope, "method": m})[0] == Match.FULL for route in req.app.router.routes)]


def is_unique_violation(exc: IntegrityError) -> bool:
    """PostgreSQL's SQLSTATE 23505, or SQLite's UNIQUE / PRIMARY KEY constraint message."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) is not None:
        return orig.sqlstate == "23505"
    text = str(orig)
    return text.startswith("UNIQUE constraint failed") or "PRIMARY KEY" in text


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_req: Request, exc: Problem):
        return problem_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_req: Request, exc: RequestValidationError):
        errs = _clean(exc.errors())
        where = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg'].split(' / ')[0]}" for e in errs[:5])
        where_en = ", ".join(".".join(map(str, e["loc"])) for e in errs[:5])
        return problem_response(Problem(422, "validation", f"请求数据不符合要求（{where}），详见各字段问题（errors）",
                                        f"The request does not validate ({where_en}); see errors", errors=errs))

    @app.exception_handler(StarletteHTTPException)
    async def _http(req: Request, exc: StarletteHTTPException):
        zh, en = STATUS_TITLES.get(exc.status_code, ("错误", "Error"))
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail not in (en,) else en
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:  # Starlette names only the first route on the path: name them all
            headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(req))}
        if exc.status_code == 400 and detail == "There was an error parsing the body":
            # FastAPI's answer to a body json cannot read at all (a number of more than 4,300 digits):
            # said like any other refused body, beside `body`
            return problem_response(Problem(400, "unreadable-body", "请求体无法解析（如数字位数过多）",
                                            "The request body could not be parsed (a number too long, say)",
                                            errors=[{"loc": ["body"], "msg": "请求体无法解析 / the body could not "
                                                     "be parsed", "type": "unreadable-body"}]), headers=headers)
        return problem_response(Problem(exc.status_code, f"http-{exc.status_code}", zh, detail), headers=headers)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(_req: Request, exc: Exception):
        # A number or text the database cannot hold (an id past 64 bits, an int4 overflow on
        # PostgreSQL): the caller's input, so a 422, never a 500.
        return problem_response(Problem(422, "out-of-range", "数值或文本超出可存储的范围",
                                        "A value is out of the range the database can store"))

    @app.exception_handler(IntegrityError)
    async def _conflict(req: Request, exc: IntegrityError):
        # A unique key taken by a concurrent request between a service's check and its insert (the
        # check answers the ordinary 409; this is the race): the caller's retry decides, not a 500.
        # Any other integrity error (a foreign key, a NOT NULL) is a bug: logged and a 500.
        if not is_unique_violation(exc):
            return await _unexpected(req, exc)
        log.warning("integrity conflict", error=str(exc.orig).splitlines()[0][:200] if exc.orig else "")
        return problem_response(Problem(409, "conflict", "与现有数据冲突（可能是同时提交的相同请求），请刷新后重试",
                                        "The request conflicts with existing data (perhaps a concurrent "
                                        "identical request); reload and retry"))

    @app.exception_handler(StatementError)
    async def _statement(req: Request, exc: StatementError):
        if isinstance(exc.orig, OverflowError | DataError) or isinstance(exc, DataError):
            return await _out_of_range(req, exc)
        return await _unexpected(req, exc)

    @app.exception_handler(Exception)
    async def _unexpected(req: Request, exc: Exception):
        log.exception("unhandled error", path=req.url.path)
        return problem_response(Problem(500, "internal", "服务器内部错误，已记录，请稍后重试",
                                        "Internal error; it has been logged, please retry later"))
