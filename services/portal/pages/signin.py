"""Signing in and out: the dev role picker and the district's single sign-on."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from services.portal.labels import BANK_LABELS, ROLE_LABELS
from services.portal.names import names_of
from services.portal.pages.common import CsrfChecked, render
from services.portal.pages.orgs import OrgRefused, org_label, resolve_org
from services.portal.session import PortalError, flash, name_org, sign_in, sign_out
from shared.auth import ORG_ROLES

router = APIRouter()


def next_of(target: str) -> str:
    """Where to go after signing in: a path of this site only (never an open redirect)."""
    t = (target or "").strip()
    return t if t.startswith("/") and not t.startswith("//") and "\\" not in t and t != "/login" else "/"


def login_form(request: Request, status: int = 200, **ctx):
    state = request.app.state
    return render(request, "login.html", status, roles=ROLE_LABELS, org_roles=ORG_ROLES, banks=BANK_LABELS,
                  dev_login=state.dev_login, oidc=state.portal.oidc_enabled, **ctx)


@router.get("/login", name="login")
async def login_page(request: Request, next: str = ""):
    return login_form(request, next=next_of(next))


@router.post("/login", dependencies=[CsrfChecked])
async def login(request: Request, role: Annotated[str, Form()] = "", org: Annotated[str, Form()] = "",
                name: Annotated[str, Form()] = "", next: Annotated[str, Form()] = ""):
    """A refused sign-in is the form again, with what was typed and why, next to the field it is about.
    A park or bank may type its name instead of its id or code: a unique match is resolved to it; an
    organisation that does not exist is refused here, not on every page after."""
    state = request.app.state
    if not state.dev_login:
        raise PortalError(403, "当前部署不允许选择角色登录，请使用统一身份认证登录。")
    chosen = {"role": role, "org": org[:64], "name": name[:40]}
    try:
        resolved = await resolve_org(request, role, org)
        user = sign_in(request, state.settings, role, resolved, name.strip()[:40] or ROLE_LABELS.get(role, role))
    except (PortalError, OrgRefused) as e:
        field = e.field if isinstance(e, OrgRefused) else ("role" if role not in ROLE_LABELS else "org")
        return login_form(request, 422 if isinstance(e, OrgRefused) else e.status, error=e.zh, error_field=field,
                          chosen=chosen, next=next_of(next))
    said = await org_label(names_of(request), user.role, user.org)
    name_org(request, said)
    flash(request, "ok", f"已登录：{ROLE_LABELS[user.role]}{('（' + said + '）') if said else ''}")
    return RedirectResponse(next_of(next), status_code=303)


@router.post("/logout", dependencies=[CsrfChecked])
async def logout(request: Request):
    sign_out(request)
    flash(request, "ok", "已退出登录。")
    return RedirectResponse("/login", status_code=303)


@router.get("/auth/oidc/login")
async def oidc_login(request: Request):
    oauth = request.app.state.oauth
    if oauth is None:
        raise PortalError(404, "本部署未启用统一身份认证（OIDC）。")
    return await oauth.district.authorize_redirect(request, str(request.url_for("oidc_callback")))


@router.get("/auth/oidc/callback", name="oidc_callback")
async def oidc_callback(request: Request):
    state = request.app.state
    if state.oauth is None:
        raise PortalError(404, "本部署未启用统一身份认证（OIDC）。")
    try:
        token = await state.oauth.district.authorize_access_token(request)
        info = token.get("userinfo") or await state.oauth.district.userinfo(token=token)
    except Exception as e:  # noqa: BLE001 - any IdP failure is a sign-in failure, explained in Chinese
        raise PortalError(401, "统一身份认证登录失败，请重试或联系系统管理员。") from e
    p = state.portal
    role = info.get(p.oidc_role_claim)
    if not role:
        raise PortalError(403, "您的统一身份认证账号未分配本平台的角色，请联系系统管理员。")
    user = sign_in(request, state.settings, str(role), info.get(p.oidc_org_claim),
                   str(info.get(p.oidc_name_claim) or info.get("sub", ""))[:40], sub=str(info.get("sub") or "") or None)
    name_org(request, await org_label(names_of(request), user.role, user.org))  # the header: a park by name
    return RedirectResponse("/", status_code=303)
