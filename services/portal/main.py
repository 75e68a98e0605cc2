"""The portal: `uvicorn services.portal.main:app` (port SRDI_PORT_BASE + 0).

A thin Simplified-Chinese web frontend for the departments' liaisons: server-rendered Jinja2
pages over the services' APIs. No database, no events, no business logic.
"""
from __future__ import annotations

import asyncio
import contextlib
import re
from pathlib import Path

from urllib.parse import urlencode

import httpx
import jinja2
import structlog
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from services.portal import pages
from services.portal.backend import Backend, ServiceError
from services.portal.config import PortalSettings, dev_login_allowed
from services.portal.labels import BANK_LABELS, FILTERS, ROLE_LABELS, actor_zh, param_label, said_zh, shown
from services.portal.names import Directory, names_of
from services.portal.session import (CSRF_FIELD, LazySecret, NotSignedIn, PortalError, csrf_token, current_user,
                                     flash, pop_flashes, sign_out)
from shared import logs
from shared.settings import Settings

log = structlog.get_logger()
HERE = Path(__file__).parent
STATUS_ZH = {400: "请求有误", 401: "需要登录", 403: "无权访问", 404: "未找到", 405: "不支持该操作",
             413: "文件过大", 422: "提交的内容不符合要求", 500: "系统错误", 502: "服务返回异常",
             503: "服务暂不可用", 504: "服务响应超时"}
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def create_portal(settings: Settings | None = None, portal: PortalSettings | None = None,
                  transports: dict[str, httpx.AsyncBaseTransport] | None = None) -> FastAPI:
    """`transports` lets tests call in-process service apps instead of TCP."""
    settings = settings or Settings()
    portal = portal or PortalSettings()
    logs.configure(settings.log_level)
    if settings.env != "dev":  # at import: a failure inside the cookie middleware's build would not stop uvicorn
        check_issuer(settings)
    holder: dict[str, Backend] = {}
    BANK_LABELS.update({code.upper(): name for code, name in portal.banks.items()})

    def backend() -> Backend:  # created on first use (tests drive the app without its lifespan)
        if "b" not in holder:
            holder["b"] = Backend(portal.service_urls(settings), portal.timeout_s, transports)
        return holder["b"]

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI):
        check_issuer(settings)
        yield
        if "b" in holder:
            await holder.pop("b").aclose()

    app = FastAPI(title="SRDI portal (房山区专精特新企业服务门户)", version="1.0.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters.update(FILTERS)
    templates.env.filters["actor"] = actor_filter
    templates.env.filters["explain"] = explain_filter
    templates.env.filters["shown"] = shown_filter
    templates.env.tests["contains"] = lambda seq, item: item in (seq or ())  # roles|... "contains" a role
    state = app.state
    state.settings, state.portal, state.backend = settings, portal, backend
    state.directory = Directory(settings)
    state.dev_login = dev_login_allowed(settings, portal)
    state.oauth = oidc_client(portal) if portal.oidc_enabled else None

    def render(request: Request, template: str, status: int = 200, **ctx) -> Response:
        has_session = "session" in request.scope  # not in the outermost 500 handler
        user = current_user(request) if has_session else None
        ctx.setdefault("names", names_of(request) if has_session else None)
        ctx.update(request=request, user=user, nav=pages.nav_for(user),
                   csrf=csrf_token(request) if has_session else "", csrf_field=CSRF_FIELD,
                   flashes=pop_flashes(request) if has_session else [], role_labels=ROLE_LABELS,
                   path=request.url.path)
        return templates.TemplateResponse(request, template, ctx, status_code=status)
    state.render = render

    def error_page(request: Request, status: int, zh: str, details: list[str] | None = None) -> Response:
        try:
            return render(request, "error.html", status, status_zh=STATUS_ZH.get(status, "出错了"), message=zh,
                          details=details or [])
        except Exception:  # noqa: BLE001 - the error page itself must never fail with a trace
            log.exception("error page failed")
            return Response(f"<!doctype html><meta charset=utf-8><title>出错了</title><p>{STATUS_ZH.get(status, '出错了')}",
                            status_code=status, media_type="text/html; charset=utf-8")

    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, exc: NotSignedIn):
        """Not signed in, or the session was lost or expired: the sign-in page, saying so, and back
        to the page asked for after signing in (a GET's; a form's data is not kept)."""
        if "session" in request.scope and exc.zh:
            flash(request, "error", exc.zh)
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target = here if request.method == "GET" else exc.back
        return RedirectResponse(login_url(target), status_code=303)

    @app.exception_handler(PortalError)
    async def _portal_error(request: Request, exc: PortalError):
        return error_page(request, exc.status, exc.zh)

    @app.exception_handler(ServiceError)
    async def _service_error(request: Request, exc: ServiceError):
        if exc.status == 401:  # the token expired or the secret rotated: sign in again
            sign_out(request)
            flash(request, "error", "登录已失效，请重新登录。")
            return RedirectResponse(login_url(request.url.path if request.method == "GET" else ""), status_code=303)
        return error_page(request, exc.status, exc.zh, exc.errors)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        where = "、".join(dict.fromkeys(param_label(e.get("loc", ["?"])[-1]) for e in exc.errors()[:5]))
        return error_page(request, 422, f"请求参数不正确（{where}），请检查后重试。")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        zh = {404: "您要访问的页面不存在。", 405: "不支持该请求方式。"}.get(exc.status_code, STATUS_ZH.get(exc.status_code, "请求未能完成。"))
        return error_page(request, exc.status_code, zh)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("portal error", path=request.url.path)
        return error_page(request, 500, "系统出现意外错误，已记录。请稍后重试，或联系系统管理员。")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.add_middleware(SessionMiddleware, secret_key=LazySecret(settings, portal), session_cookie="srdi_portal",
                       max_age=settings.token_ttl_hours * 3600, same_site="lax", https_only=portal.cookie_secure)

    @app.get("/healthz", include_in_schema=False)
    async def healthz():
        return JSONResponse({"status": "ok", "service": "portal"})

    @app.get("/readyz", include_in_schema=False)
    async def readyz():
        """Ready when the portal can sign users in (its issuer key loads); each service's own
        readiness is shown beside it, not held against the portal: a page whose service is down
        says so, and the other departments' pages keep working."""
        try:
            check_issuer(settings)
        except Exception as e:  # noqa: BLE001 - reported, not raised
            return JSONResponse({"service": "portal", "issuer": str(e)}, status_code=503)

        async def ready(name: str, client: httpx.AsyncClient) -> tuple[str, bool]:
            try:
                return name, (await client.get("/readyz", timeout=2)).status_code == 200
            except httpx.HTTPError:
                return name, False

        services = dict(await asyncio.gather(*(ready(n, c) for n, c in backend().clients.items())))
        return JSONResponse({"service": "portal", "issuer": "ok", "services": services})

    @app.get("/metrics", include_in_schema=False)
    async def metrics():
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages.router)
    return app


def login_url(target: str | None) -> str:
    """The sign-in page, returning to `target` (a path of this site) afterwards."""
    if not target or target in ("/", "/login") or not target.startswith("/") or target.startswith("//"):
        return "/login"
    return "/login?" + urlencode({"next": target})


@jinja2.pass_context
def actor_filter(ctx, actor) -> str:
    """Who acted, in words; the signed-in user's own actions by the name given at sign-in, a park by name."""
    user, names = ctx.get("user"), ctx.get("names")
    me = (user.sub, user.name) if user and user.sub else None
    org_name = (lambda role, org: names.park(org) if role == "park" else org) if names else None
    return actor_zh(actor, me, org_name)


PARK_ID = re.compile(r"(?<![A-Za-z0-9_-])park-[0-9a-f]{8}(?![A-Za-z0-9_-])")


@jinja2.pass_context
def explain_filter(ctx, text) -> str:
    """A service's sentence (an award's basis) in words, a park's id in it by the park's name."""
    said, names = said_zh(text), ctx.get("names")
    return PARK_ID.sub(lambda m: names.park(m.group(0)), said) if names else said


@jinja2.pass_context
def shown_filter(ctx, value, key: str = "", field: str = "", obj: str = "") -> str:
    """One value of an audit row for reading (`key`: the policy parameter it is a value of, `field`:
    its name in the row, `obj`: the row's object type); a park's id by its name."""
    names = ctx.get("names")
    if names and isinstance(value, str) and PARK_ID.fullmatch(value):
        return names.park(value)
    return shown(value, key, field, obj)


def check_issuer(settings: Settings) -> None:
    """At start: the portal is the token issuer, so it refuses to run without a usable private key
    (SRDI_JWT_PRIVATE_KEY outside dev) or with a session length beyond the tokens' maximum lifetime."""
    _ = settings.token_signing_key  # shared.auth.KeyConfigError says which variable to set
    if not 0 < settings.token_ttl_hours <= settings.token_max_lifetime_hours:
        raise RuntimeError(f"SRDI_TOKEN_TTL_HOURS ({settings.token_ttl_hours}) must be between 1 and "
                           f"SRDI_TOKEN_MAX_LIFETIME_HOURS ({settings.token_max_lifetime_hours})")


def oidc_client(portal: PortalSettings):
    """The district's single sign-on through Authlib's Starlette client (state kept in the session)."""
    if not (portal.oidc_metadata_url and portal.oidc_client_id):
        raise RuntimeError("SRDI_PORTAL_OIDC_ENABLED needs SRDI_PORTAL_OIDC_METADATA_URL and SRDI_PORTAL_OIDC_CLIENT_ID")
    from authlib.integrations.starlette_client import OAuth

    oauth = OAuth()
    oauth.register("district", server_metadata_url=portal.oidc_metadata_url, client_id=portal.oidc_client_id,
                   client_secret=portal.oidc_client_secret, client_kwargs={"scope": portal.oidc_scope})
    return oauth


app = create_portal()
