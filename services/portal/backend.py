"""Calls to the services' APIs (httpx), with the signed-in user's bearer token.

The portal holds no business logic: every number and every decision comes from a service. A
service's RFC 9457 problem becomes a `ServiceError` carrying its Chinese `detail_zh`.
"""
from __future__ import annotations

import re
import hashlib
import uuid

import httpx

from services.portal.labels import PARAM_LABELS, codes_zh, param_label, zh_text

SERVICE_NAMES = {"registry": "企业库服务", "awards": "奖励服务", "talent": "人才服务",
                 "finance": "金融服务", "parks": "园区服务", "outreach": "政策推送服务"}


class ServiceError(Exception):
    """A service answered with a problem, or could not be reached. `zh` is shown to the user."""

    def __init__(self, status: int, zh: str, errors: list[str] | None = None, service: str = "",
                 fields: dict[str, str] | None = None):
        super().__init__(zh)
        self.status, self.zh, self.errors, self.service = status, zh, errors or [], service
        # Each field the service named (the last part of its `loc`; "" for the body as a whole) and
        # what it said about it, its Chinese half as written (a caller shows it with `said_zh` where
        # it may hold codes; "" when only `zh` says it): a form puts it beside that field.
        self.fields = fields or {}
        # The problem's code (the last part of its `type`: "claim-exists") and its other members
        # ("award_id", "contract_id"): a page may link what the refusal names.
        self.code, self.extra = "", {}

    def said(self) -> str:
        """The message with its field details in one line (a flash has no list under it)."""
        base = SEE_BELOW.sub("", self.zh).rstrip("。")
        extra = [e for e in self.errors if e.split("：", 1)[-1] not in base]  # not what it already says
        return base + ("：" + "；".join(extra) if extra else "") + "。"


CJK = re.compile(r"[\u4e00-\u9fff]")
# shared.errors' schema-validation problem: "请求数据不符合要求（query.year），详见各字段问题（errors）".
SEE_ERRORS = re.compile(r"[，,]\s*详见各字段问题（errors）\s*$")
SEE_BELOW = re.compile(r"[，,]\s*见下列说明。?$")
# A field's place ("body.person.id_number"): named by its last part; a rule of the whole body ("body: …"): dropped.
LOC = re.compile(r"(?<![A-Za-z0-9_])(?:body|query|path)(?:(?:\.[A-Za-z0-9_]+)*\.([A-Za-z0-9_]+)(:\s*)?|:\s*)")
# Pydantic's prefix on a validator's own message ("Value error, 含有控制字符…"): not for the user.
PYDANTIC_PREFIX = re.compile(r"^\s*(?:Value error|Assertion failed),\s*")


def _place(m: re.Match) -> str:
    """A field's place in words; a rule of the whole body ("body: …") says itself and needs none."""
    return "" if m.group(1) is None else param_label(m.group(1)) + ("：" if m.group(2) else "")


def _zh(msg: str) -> str:
    """`msg` of a field error is 'zh / en': keep the Chinese half."""
    return zh_text(PYDANTIC_PREFIX.sub("", msg.split(" / ", 1)[0]))


def problem_of(service: str, r: httpx.Response) -> ServiceError:
    try:
        body = r.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    zh = body.get("detail_zh")
    if not zh:
        zh = {401: "登录已失效，请重新登录", 403: "您的角色无权执行此操作", 404: "要查找的数据不存在",
              409: "与现有数据冲突", 413: "文件过大", 422: "提交的数据不符合要求",
              503: "服务暂不可用，请稍后重试"}.get(r.status_code, "服务出现错误，请稍后重试")
    errors, fields = [], {}
    for e in body.get("errors") or []:
        msg = _zh(str(e.get("msg", ""))) if isinstance(e, dict) else ""
        if isinstance(e, dict) and isinstance(e.get("loc"), list):
            named = [str(x) for x in e["loc"] if x not in ("body", "query", "path")]
            key = named[-1] if named else ""
            if key not in fields:
                fields[key] = msg if CJK.search(msg) else ""  # English only: `zh` says it
        if not CJK.search(msg):  # an English-only field message: detail_zh already says it
            continue
        loc = [x for x in e.get("loc", []) if x not in ("body", "query", "path")]
        where = PARAM_LABELS.get(str(loc[-1])) if loc else None
        where = where or ".".join(str(x) for x in loc)
        errors.append(f"{where}：{codes_zh(msg, service)}" if where else codes_zh(msg, service))
    zh = zh_text(zh)
    if SEE_ERRORS.search(zh):  # "see errors" points at the JSON: say it in words, and only what is shown
        zh = LOC.sub(_place, SEE_ERRORS.sub("", zh))
        errors = [e for e in errors if e.split("：", 1)[-1] not in zh]  # what the sentence already says
        zh += "，见下列说明。" if errors else "，请检查后重试。"
    zh = codes_zh(zh, service)
    e = ServiceError(r.status_code, zh, errors, service, fields)
    e.code = str(body.get("type") or "").rstrip("/").rsplit("/", 1)[-1]
    e.extra = {k: v for k, v in body.items() if k not in PROBLEM_MEMBERS}
    return e


# What every problem has (RFC 9457 and the suite's): the rest are a problem's own members.
PROBLEM_MEMBERS = frozenset({"type", "title", "status", "detail", "detail_zh", "detail_en", "errors", "instance"})


class Backend:
    """One httpx client per service; each call carries the caller's token."""

    def __init__(self, urls: dict[str, str], timeout: float = 30.0,
                 transports: dict[str, httpx.AsyncBaseTransport] | None = None):
        transports = transports or {}
        self.clients = {s: httpx.AsyncClient(base_url=url, timeout=timeout, transport=transports.get(s))
                        for s, url in urls.items()}

    async def aclose(self) -> None:
        for c in self.clients.values():
            await c.aclose()

    def as_user(self, token: str) -> Api:
        return Api(self, token)


def header_key(key: str) -> str:
    """An Idempotency-Key as a header may carry it: a key built from a form's fields (its form_id can be
    anything a browser sends) that is not printable ASCII, or longer than the services accept, is sent as
    its digest, so the same form still sends the same key and no input fails before it is sent."""
    if key.isascii() and key.isprintable() and " " not in key and len(key) <= 200:
        return key
    return "portal-sha256-" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class Api:
    def __init__(self, backend: Backend, token: str):
        self.backend, self.token = backend, token

    async def call(self, service: str, method: str, path: str, *, idempotency_key: str | None = None,
                   **kw) -> dict:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if method == "POST":
            headers["Idempotency-Key"] = header_key(idempotency_key) if idempotency_key else f"portal-{uuid.uuid4().hex}"
        try:
            r = await self.backend.clients[service].request(method, "/api/v1" + path, headers=headers, **kw)
        except httpx.TimeoutException as e:
            raise ServiceError(504, f"{SERVICE_NAMES[service]}响应超时，请稍后重试", service=service) from e
        except httpx.HTTPError as e:
            raise ServiceError(503, f"{SERVICE_NAMES[service]}暂时无法访问，请稍后重试", service=service) from e
        if r.status_code >= 400:
            raise problem_of(service, r)
        try:
            return r.json()
        except ValueError as e:
            raise ServiceError(502, f"{SERVICE_NAMES[service]}返回了无法识别的内容", service=service) from e

    async def download(self, service: str, path: str, **params) -> httpx.Response:
        """A file a service answers (an XLSX or CSV export), passed on as it came; a problem as above."""
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            r = await self.backend.clients[service].get("/api/v1" + path, headers=headers,
                                                        params={k: v for k, v in params.items() if v not in (None, "")})
        except httpx.TimeoutException as e:
            raise ServiceError(504, f"{SERVICE_NAMES[service]}响应超时，请稍后重试", service=service) from e
        except httpx.HTTPError as e:
            raise ServiceError(503, f"{SERVICE_NAMES[service]}暂时无法访问，请稍后重试", service=service) from e
        if r.status_code >= 400:
            raise problem_of(service, r)
        return r

    async def get(self, service: str, path: str, **params) -> dict:
        return await self.call(service, "GET", path,
                               params={k: v for k, v in params.items() if v not in (None, "")})

    async def post(self, service: str, path: str, json: dict | None = None, **kw) -> dict:
        return await self.call(service, "POST", path, json=json, **kw)

    async def patch(self, service: str, path: str, json: dict | None = None) -> dict:
        return await self.call(service, "PATCH", path, json=json)

    async def count(self, service: str, path: str, cap_pages: int = 20, **params) -> tuple[int, bool]:
        """How many items a list has (paging through it); `True` when it stopped at the cap."""
        n, cursor = 0, None
        for _ in range(cap_pages):
            page = await self.get(service, path, limit=500, cursor=cursor, **params)
            n += len(page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                return n, False
        return n, True

    async def all(self, service: str, path: str, cap: int = 2000, **params) -> list[dict]:
        items, cursor = [], None
        while len(items) < cap:
            page = await self.get(service, path, limit=min(500, cap - len(items)), cursor=cursor, **params)
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        return items
