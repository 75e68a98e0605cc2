"""What every service's OpenAPI document says beyond its routes: the bearer scheme, the
Idempotency-Key header on every POST, and the RFC 9457 problem answers (401, 403, 404, 409, 413,
422) in the schema actually returned — not FastAPI's default `{detail: [...]}`."""
from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles

OPEN = {"/healthz", "/readyz", "/metrics", "/asyncapi.json"}  # answered without a token
# Swagger UI and ReDoc from the service itself (the fastapi-offline wheel carries the files): a
# government intranet reaches no public CDN.
ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_PATH = "/docs-assets"

PROBLEM = {
    "type": "object", "title": "Problem", "required": ["type", "title", "status", "detail"],
    "description": "RFC 9457 problem details, application/problem+json. 中文与英文：`detail` 为 “中文 / English”，"
                   "`detail_zh`、`detail_en` 分列；422 时 `errors` 列出每个字段的问题。",
    "properties": {
        "type": {"type": "string", "format": "uri", "example": "https://srdi.fangshan.gov.cn/problems/validation",
                 "description": "问题类型（URI，末段为问题代码） / the problem type (a URI ending in its code)"},
        "title": {"type": "string", "example": "请求数据校验失败 / Request validation failed",
                  "description": "问题标题（中文 / English） / the problem's title"},
        "status": {"type": "integer", "example": 422, "description": "HTTP 状态码 / the HTTP status"},
        "detail": {"type": "string", "example": "请求数据不符合要求（body.uscc: 缺少必填字段），详见各字段问题（errors） / "
                                                "The request does not validate (body.uscc); see errors",
                   "description": "说明：“中文 / English” / what happened, Chinese then English"},
        "detail_zh": {"type": "string", "description": "中文说明 / the Chinese detail"},
        "detail_en": {"type": "string", "description": "英文说明 / the English detail"},
        "errors": {"type": "array", "description": "每个字段的问题（422） / each field's problem (422)",
                   "items": {"type": "object", "properties": {
                       "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                       "msg": {"type": "string", "example": "缺少必填字段 / Field required"},
                       "type": {"type": "string", "example": "missing"}}}},
    },
    "additionalProperties": True,
}
ANSWERS = {
    "401": "未认证：缺少或无效的令牌 / Not authenticated: a missing, expired or forged token",
    "403": "无权执行此操作（角色或机构不符） / Forbidden for this role or organisation",
    "404": "资源不存在 / Not found",
    "409": "与现有数据冲突（已存在、状态不允许、同一 Idempotency-Key 仍在处理） / Conflict",
    "413": "请求体过大 / Request body too large",
    "422": "请求数据校验失败（RFC 9457，含 errors） / Request validation failed (RFC 9457, with errors)",
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "同一键与同一请求体的重试返回首次的答复且不再生效；键与不同请求体为 422；首次仍在处理为 409；"
                   "保留 48 小时 / A retry with the same key and body replays the first answer and changes "
                   "nothing; the same key with another body is 422; while the first runs, 409. Kept 48 h.",
    "schema": {"type": "string", "maxLength": 200},
}


# What each status answers with, shown as the example of that answer (not the 422's for every one).
EXAMPLES = {
    "401": ("unauthenticated", "未认证 / Not authenticated", "缺少访问令牌（Bearer）", "Missing bearer token"),
    "403": ("forbidden", "无权访问 / Forbidden", "当前角色无权执行此操作", "This role may not do this"),
    "404": ("not-found", "未找到 / Not found", "企业不存在：91110111MA01ABCD2U", "Enterprise not found: 91110111MA01ABCD2U"),
    "409": ("exists", "冲突 / Conflict", "该企业已登记", "The enterprise is already registered"),
    "422": ("validation", "请求数据校验失败 / Request validation failed",
            "请求数据不符合要求（body.uscc: 缺少必填字段），详见各字段问题（errors）",
            "The request does not validate (body.uscc); see errors"),
    "413": ("body-too-large", "请求体过大 / Request body too large", "请求体超过上限（4.0 MiB），未予处理",
            "The request body is larger than the limit (4.0 MiB); it was not processed"),
    "502": ("platform-error", "上游服务异常 / Bad gateway", "市级平台答复异常", "The municipal platform answered off-contract"),
    "503": ("unavailable", "服务暂不可用 / Service unavailable", "所需的服务暂不可用，请稍后重试",
            "A service this needs is unavailable; retry later"),
}


def _problem_answer(description: str, status: str | None = None) -> dict:
    media: dict = {"schema": {"$ref": "#/components/schemas/Problem"}}
    if status in EXAMPLES:
        code, title, zh, en = EXAMPLES[status]
        media["example"] = {"type": f"https://srdi.fangshan.gov.cn/problems/{code}", "title": title,
                            "status": int(status), "detail": f"{zh} / {en}", "detail_zh": zh, "detail_en": en}
        if status == "422":
            media["example"]["errors"] = [{"loc": ["body", "uscc"], "msg": "缺少必填字段 / Field required",
                                           "type": "missing"}]
    return {"description": description, "content": {"application/problem+json": media}}


def _takes_null(prop: dict) -> bool:
    return prop.get("type") == "null" or any(alt.get("type") == "null" for alt in prop.get("anyOf", ()))


def _resolved(schema: dict, schemas: dict) -> dict:
    """The object schema a property's schema stands for: through a $ref, or the one alternative of
    an `X | None` that is not null."""
    if "$ref" in schema:
        return schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
    alternatives = [a for a in schema.get("anyOf", ()) if a.get("type") != "null"]
    return _resolved(alternatives[0], schemas) if len(alternatives) == 1 else schema


def _fill_nulls(value, schema: dict, schemas: dict) -> None:
    """Give an example (and every object nested in it) back the null fields its schema requires."""
    schema = _resolved(schema, schemas)
    if isinstance(value, list):
        for item in value:
            _fill_nulls(item, schema.get("items", {}), schemas)
    elif isinstance(value, dict) and "properties" in schema:
        props = schema["properties"]
        for name in schema.get("required") or ():
            if name not in value and _takes_null(props.get(name, {})):
                value[name] = None
        for name, inner in value.items():
            if name in props:
                _fill_nulls(inner, props[name], schemas)


def _nulls_back(schema: dict, schemas: dict) -> None:
    """FastAPI writes the document without its null values (`exclude_none`), the examples' too, so an
    example of a required field that may be null (`closed_on: null`, at any depth) lost the field
    and no longer validated against its own schema. Put them back."""
    for example in schema.get("examples") or ():
        _fill_nulls(example, schema, schemas)


def complete(app: FastAPI) -> None:
    """Install an `openapi()` that adds the suite's common contract to every operation."""
    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = doc.setdefault("components", {})
        components.setdefault("schemas", {})["Problem"] = PROBLEM
        for name in ("HTTPValidationError", "ValidationError"):
            components["schemas"].pop(name, None)
        for schema in components["schemas"].values():
            _nulls_back(schema, components["schemas"])
        components["securitySchemes"] = {"bearer": {
            "type": "http", "scheme": "bearer", "bearerFormat": "JWT (EdDSA)",
            "description": "`srdi token issue --role ROLE [--org ORG]`，或门户签发 / or issued by the portal"}}
        for path, item in doc.get("paths", {}).items():
            for method, op in item.items():
                if not isinstance(op, dict) or "responses" not in op:
                    continue
                answers = op["responses"]
                for code, answer in answers.items():  # a route's own error answers: the problem schema too
                    if code[0] in "45" and "content" not in answer:
                        answer.update(_problem_answer(answer.get("description", ""), code))
                    elif answer.get("description") == "Successful Response":
                        answer["description"] = "成功 / Successful Response"
                answers["422"] = _problem_answer(ANSWERS["422"], "422")
                answers["413"] = _problem_answer(ANSWERS["413"], "413")
                if path not in OPEN:
                    op["security"] = [{"bearer": []}]
                    answers["401"] = _problem_answer(ANSWERS["401"], "401")
                    answers["403"] = _problem_answer(ANSWERS["403"], "403")
                if "{" in path:
                    answers.setdefault("404", _problem_answer(ANSWERS["404"], "404"))
                if method == "post":
                    answers.setdefault("409", _problem_answer(ANSWERS["409"], "409"))
                    op.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
        app.openapi_schema = doc
        return doc

    app.openapi = openapi


def serve_docs(app: FastAPI) -> None:
    """`/docs` (Swagger UI, with the Authorize button) and `/redoc`, their scripts served from
    `/docs-assets`; create the app with `docs_url=None, redoc_url=None`."""
    app.mount(ASSETS_PATH, StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui():
        return _local_only(get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{app.title} — 接口文档 / API",
                                   swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
                                   swagger_favicon_url=f"{ASSETS_PATH}/favicon.png"))

    @app.get("/redoc", include_in_schema=False)
    async def redoc():
        return _local_only(get_redoc_html(openapi_url=app.openapi_url, title=f"{app.title} — 接口文档 / API",
                                          redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
                                          redoc_favicon_url=f"{ASSETS_PATH}/favicon.png", with_google_fonts=False))


# The pages fetch nothing from outside the service (ReDoc's footer would load its logo from a CDN).
DOCS_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; font-src 'self' data:")


def _local_only(page):
    page.headers["Content-Security-Policy"] = DOCS_CSP
    return page
