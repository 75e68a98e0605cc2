"""Sign-in, sessions and CSRF.

Sessions are Starlette's signed cookies (itsdangerous). The session holds the signed-in user's
role, organisation and the bearer token minted for them with `shared.auth.issue_token`, and a
CSRF token that every form carries back (`csrf_token`) and every POST checks.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request

from shared.auth import ORG_ROLES, ROLES, issue_token
from shared.settings import Settings
from services.portal.config import PortalSettings

CSRF_FIELD = "csrf_token"


class PortalError(Exception):
    """An error the portal itself explains to the user in Chinese."""

    def __init__(self, status: int, zh: str):
        super().__init__(zh)
        self.status, self.zh, self.errors = status, zh, []


class NotSignedIn(Exception):
    pass


class LazySecret:
    """The session secret, read when the middleware is first built (not at import)."""

    def __init__(self, settings: Settings, portal: PortalSettings):
        self.settings, self.portal = settings, portal

    def __str__(self) -> str:
        if self.portal.session_secret:
            return self.portal.session_secret
        return hmac.new(self.settings.signing_secret.encode(), b"srdi-portal-session-v1", hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class User:
    role: str
    org: str | None
    name: str
    token: str


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def check_csrf(request: Request) -> None:
    """Every POST: the form's csrf_token must match the session's (constant-time)."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get("csrf")
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise PortalError(403, "表单校验失败（可能已过期或来自其他网站），请刷新页面后重新提交。")


def current_user(request: Request) -> User | None:
    u = request.session.get("user")
    if not u:
        return None
    return User(u["role"], u.get("org"), u.get("name", ""), u["token"])


def sign_in(request: Request, settings: Settings, role: str, org: str | None, name: str,
            sub: str | None = None) -> User:
    if role not in ROLES:
        raise PortalError(422, "请选择有效的角色。")
    org = (org or "").strip() or None
    if role in ORG_ROLES and not org:
        raise PortalError(422, "园区和银行用户须填写所属机构（园区编号或银行代码）。")
    if role not in ORG_ROLES:
        org = None
    # The token's sub is the user's stable id (the identity provider's, else the name signed in
    # with): a new session's token is the same caller, so its Idempotency-Keys and audit carry over.
    token = issue_token(settings.signing_secret, role, org, settings.token_ttl_hours, sub=sub or name or None)
    request.session.clear()  # a new session on sign-in (no fixation), with a new CSRF token
    request.session["user"] = {"role": role, "org": org, "name": name, "token": token}
    csrf_token(request)
    return current_user(request)


def sign_out(request: Request) -> None:
    request.session.clear()


def flash(request: Request, kind: str, text: str) -> None:
    request.session.setdefault("flash", []).append([kind, text])
    request.session["flash"] = request.session["flash"][-5:]


def pop_flashes(request: Request) -> list:
    return request.session.pop("flash", [])
