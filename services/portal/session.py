"""Sign-in, sessions and CSRF.

Sessions are Starlette's signed cookies (itsdangerous). The session holds the signed-in user's
role, organisation and the bearer token minted for them with `shared.auth.issue_token`, and a
CSRF token that every form carries back (`csrf_token`) and every POST checks.

The portal is the suite's token issuer: it alone holds the Ed25519 private key
(SRDI_JWT_PRIVATE_KEY; in dev the data folder's), and the services verify its tokens with the
public key. The cookie key is SRDI_PORTAL_SESSION_SECRET, else derived from that private key, so
nothing a service holds can forge a portal session either.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from fastapi import Request

from shared.auth import ORG_ROLES, ROLES, issue_token, org_error
from shared.settings import Settings
from services.portal.config import PortalSettings

CSRF_FIELD = "csrf_token"
ORG_SHAPE_ZH = {"enterprise": "企业用户须填写本企业有效的统一社会信用代码（18位）。",
                "park": "园区编号格式不正确（字母、数字、“-”“_”“.”，至多64个字符）。",
                "bank": "银行代码格式不正确（字母、数字、“-”“_”“.”，至多64个字符）。",
                "township": "乡镇（街道）须为房山区乡镇名单中的一个，如 良乡镇。"}


class PortalError(Exception):
    """An error the portal itself explains to the user in Chinese."""

    def __init__(self, status: int, zh: str):
        super().__init__(zh)
        self.status, self.zh, self.errors = status, zh, []


class NotSignedIn(Exception):
    """No user in the session: never signed in, signed out, or the session was lost or expired."""

    def __init__(self, zh: str = "请先登录。", back: str = ""):
        super().__init__(zh)
        self.zh, self.back = zh, back


class LazySecret:
    """The session secret, read when the middleware is first built (not at import)."""

    def __init__(self, settings: Settings, portal: PortalSettings):
        self.settings, self.portal = settings, portal

    def __str__(self) -> str:
        if self.portal.session_secret:
            return self.portal.session_secret
        return session_key_of(self.settings)


def session_key_of(settings: Settings) -> str:
    """The cookie key derived from the issuer's private key (a keyed hash with its own label: the
    signing key itself never signs cookies). A new signing key signs everyone out, as it should."""
    raw = settings.token_signing_key.private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return hmac.new(raw, b"srdi-portal-session-v1", hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class User:
    role: str
    org: str | None
    name: str
    token: str
    sub: str = ""  # the token's sub: the user's own actions are shown by their name
    org_name: str = ""  # the organisation by name ("北京银行", "房山工业园"), for the page header


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def check_csrf(request: Request) -> None:
    """Every POST: the form's csrf_token must match the session's (constant-time). A form sent
    after the session was lost or expired (no user in it) goes to the sign-in page, saying so."""
    if "user" not in request.session and request.url.path not in ("/login", "/logout"):
        raise NotSignedIn("登录已失效或已退出，请重新登录后再办理（刚才提交的内容未保存）。",
                          back=safe_referer(request))
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get("csrf")
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise PortalError(403, "表单校验失败（可能已过期或来自其他网站），请刷新页面后重新提交。")


def current_user(request: Request) -> User | None:
    u = request.session.get("user")
    if not u:
        return None
    return User(u["role"], u.get("org"), u.get("name", ""), u["token"], u.get("sub", ""),
                u.get("org_name", ""))


def sign_in(request: Request, settings: Settings, role: str, org: str | None, name: str,
            sub: str | None = None) -> User:
    if role not in ROLES:
        raise PortalError(422, "请选择有效的角色。")
    org = (str(org).strip() if org is not None else "") or None
    if role in ORG_ROLES and not org:
        raise PortalError(422, "园区、银行和企业用户须填写所属机构（园区编号、银行代码或本企业统一社会信用代码）。")
    if role not in ORG_ROLES:
        org = None
    # The token's sub is the user's stable id (the identity provider's, else the name signed in
    # with): a new session's token is the same caller, so its Idempotency-Keys and audit carry over.
    if org_error(role, org):  # not of the role's kind: the services would refuse the token
        raise PortalError(422, ORG_SHAPE_ZH[role])
    sub = sub or name or None
    token = issue_token(settings.token_signing_key, role, org, settings.token_ttl_hours, sub=sub,
                        max_hours=settings.token_max_lifetime_hours)
    request.session.clear()  # a new session on sign-in (no fixation), with a new CSRF token
    request.session["user"] = {"role": role, "org": org, "name": name, "token": token, "sub": sub or role}
    csrf_token(request)
    return current_user(request)


def safe_referer(request: Request) -> str:
    """The page a form was sent from, when it is this site's (to return there after signing in)."""
    from urllib.parse import urlsplit

    ref = urlsplit(request.headers.get("referer") or "")
    if ref.netloc and ref.netloc != request.url.netloc:
        return ""
    return ref.path + (f"?{ref.query}" if ref.query else "") if ref.path.startswith("/") else ""


def name_org(request: Request, said: str) -> User:
    """Keep the organisation's name (looked up after sign-in) for the page header."""
    user = dict(request.session["user"], org_name=said)
    request.session["user"] = user
    return current_user(request)


def sign_out(request: Request) -> None:
    request.session.clear()
    request.session["signed_out"] = True


def flash(request: Request, kind: str, text: str) -> None:
    request.session.setdefault("flash", []).append([kind, text])
    request.session["flash"] = request.session["flash"][-5:]


def pop_flashes(request: Request) -> list:
    return request.session.pop("flash", [])
