"""The portal's pages: each gathers what a liaison needs from the services and renders it.

No business logic here: states, amounts, eligibility and permissions are the services'; the
portal shows them and forwards the liaison's decisions.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from services.portal import charts
from services.portal.backend import Api, ServiceError
from services.portal.labels import (AWARD_ACTION_LABELS, AWARD_STATE_LABELS, AWARD_STATES, CERT_SOURCE_LABELS,
                                    FIRST_LOAN_REASON_LABELS, LOAN_STATE_LABELS, NOMINATION_ACTIONS,
                                    NOMINATION_CATEGORIES, NOMINATION_NEXT, PROGRAM_LABELS, REQUEST_CATEGORY_LABELS,
                                    REQUEST_STATE_LABELS, ROLE_LABELS, TIER_LABELS, TIER_ORDER, yuan, zh_text)
from services.portal.session import (NotSignedIn, PortalError, User, check_csrf, current_user, flash, sign_in,
                                     sign_out)
from shared.auth import ORG_ROLES
from shared.clock import SHANGHAI, today

router = APIRouter()

# Which roles see which page (the services check again on every call: this only shapes the menu).
PAGES = {
    "dashboard": ("/", "首页概览", None),
    "enterprises": ("/enterprises", "企业查询", ("econ", "treasury", "talent", "finance", "auditor", "platform", "park")),
    "awards": ("/awards", "奖励审核与拨付", ("econ", "treasury", "auditor")),
    "talent": ("/talent", "落户指标与人才推荐", ("talent", "econ", "auditor", "enterprise")),
    "service_list": ("/service-list", "金融服务名单", ("finance", "econ", "auditor", "bank")),
    "parks": ("/parks", "园区企业", ("econ", "auditor", "park")),
    "import": ("/import", "名单导入", ("econ", "platform")),
}


def nav_for(user: User | None) -> list[tuple[str, str, str]]:
    if not user:
        return []
    return [(key, path, label) for key, (path, label, roles) in PAGES.items() if roles is None or user.role in roles]


def signed_in(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise NotSignedIn()
    return user


def page_user(page: str):
    """A dependency: the signed-in user, if their role may open `page`."""
    roles = PAGES[page][2]

    def dep(request: Request) -> User:
        user = signed_in(request)
        if roles is not None and user.role not in roles:
            raise PortalError(403, f"您当前的角色（{ROLE_LABELS.get(user.role, user.role)}）无权访问“{PAGES[page][1]}”页面。")
        return user
    return Depends(dep)


def api(request: Request, user: User) -> Api:
    return request.app.state.backend().as_user(user.token)


def render(request: Request, template: str, status: int = 200, **ctx) -> Response:
    return request.app.state.render(request, template, status, **ctx)


def back_to(request: Request, target: str | None, default: str) -> RedirectResponse:
    # Only paths of this site: never an open redirect.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = default
    return RedirectResponse(target, status_code=303)


async def optional(coro, missing=None):
    """A section the role may not see renders as None, one the service does not have as `missing`."""
    try:
        return await coro
    except ServiceError as e:
        if e.status == 403:
            return None
        if e.status == 404:
            return missing
        raise


def seg(value: str, what_zh: str) -> str:
    """A page's path parameter as exactly one segment of a service's path: quoted (a `?` or `#`
    stays part of the id) and never a dot-segment (`..` would climb to another resource)."""
    if not value.strip(".").strip():
        raise PortalError(404, f"{what_zh}不存在：{value.strip() or '（空）'}")
    return quote(value, safe="")


CsrfChecked = Depends(check_csrf)


# ---------------------------------------------------------------- sign-in
@router.get("/login", name="login")
async def login_page(request: Request):
    state = request.app.state
    return render(request, "login.html", roles=ROLE_LABELS, org_roles=ORG_ROLES,
                  dev_login=state.dev_login, oidc=state.portal.oidc_enabled)


@router.post("/login", dependencies=[CsrfChecked])
async def login(request: Request, role: Annotated[str, Form()] = "", org: Annotated[str, Form()] = "",
                name: Annotated[str, Form()] = ""):
    state = request.app.state
    if not state.dev_login:
        raise PortalError(403, "当前部署不允许选择角色登录，请使用统一身份认证登录。")
    try:
        user = sign_in(request, state.settings, role, org, name.strip()[:40] or ROLE_LABELS.get(role, role))
    except PortalError as e:  # back to the form, with what was typed and why it was refused
        return render(request, "login.html", e.status, roles=ROLE_LABELS, org_roles=ORG_ROLES,
                      dev_login=state.dev_login, oidc=state.portal.oidc_enabled, error=e.zh,
                      chosen={"role": role, "org": org[:64], "name": name[:40]})
    flash(request, "ok", f"已登录：{ROLE_LABELS[user.role]}{('（' + user.org + '）') if user.org else ''}")
    return RedirectResponse("/", status_code=303)


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
    sign_in(request, state.settings, str(role), info.get(p.oidc_org_claim),
            str(info.get(p.oidc_name_claim) or info.get("sub", ""))[:40], sub=str(info.get("sub") or "") or None)
    return RedirectResponse("/", status_code=303)


# ---------------------------------------------------------------- dashboard
@router.get("/", name="dashboard")
async def dashboard(request: Request, user: Annotated[User, page_user("dashboard")]):
    a = api(request, user)

    async def award_counts():
        counts = await asyncio.gather(*(a.count("awards", "/awards", state=s) for s in AWARD_STATES))
        return {s: c for s, c in zip(AWARD_STATES, counts)}

    year = today().year
    stats, awards, listed, new, targets, overdue = await asyncio.gather(
        optional(a.get("registry", "/stats/tiers")), optional(award_counts()),
        optional(a.count("finance", "/service-list")),
        optional(a.get("registry", "/stats/new", year=year)),
        optional(a.get("registry", f"/targets/{year}")),
        optional(a.all("registry", "/service-requests", overdue="true", cap=200)))
    ctx = {"stats": stats, "awards": awards, "listed": listed, "year": year, "new": new, "targets": targets,
           "overdue": overdue}
    if new:  # per title, highest first: new this year, and the stock on the day
        ctx["new_rows"] = [(TIER_LABELS.get(t, t), new["tiers"][t]) for t in TIER_ORDER if t in new["tiers"]]
    if stats:
        ctx["pyramid"] = charts.pyramid([(TIER_LABELS[t], stats["counts"].get(t, 0)) for t in TIER_ORDER])
        ctx["holders"] = [(TIER_LABELS[t], stats["holders"][t]) for t in TIER_ORDER if t in stats["holders"]]
    if awards:
        ctx["award_bars"] = charts.bars([(AWARD_STATE_LABELS[s], awards[s][0]) for s in AWARD_STATES])
    return render(request, "dashboard.html", **ctx)


# ---------------------------------------------------------------- enterprises
@router.get("/enterprises")
async def enterprises(request: Request, user: Annotated[User, page_user("enterprises")], q: str = "",
                      tier: str = "", township: str = "", park_id: str = "", cursor: str = ""):
    if tier and tier not in TIER_LABELS:
        tier = ""
    page = await api(request, user).get("registry", "/enterprises", q=q.strip(), tier=tier,
                                        township=township.strip(), park_id=park_id.strip(), cursor=cursor, limit=50)
    return render(request, "enterprises.html", page=page, q=q, tier=tier, township=township, park_id=park_id,
                  tiers=TIER_LABELS)


@router.get("/enterprises/{uscc}")
async def enterprise(request: Request, uscc: str, user: Annotated[User, page_user("enterprises")]):
    a = api(request, user)
    ent = await a.get("registry", f"/enterprises/{seg(uscc, '企业')}")
    uscc = ent.get("uscc") or uscc  # the registry's spelling of the code, from here on
    path = seg(uscc, "企业")
    awards, totals, quotas, listing, loans, requests = await asyncio.gather(
        optional(a.all("awards", "/awards", uscc=uscc, cap=500)),
        optional(a.get("awards", f"/enterprises/{path}/awards")),
        optional(a.all("talent", "/quotas", uscc=uscc, cap=100)),
        optional(a.get("finance", f"/service-list/{path}"), missing=False),
        optional(a.all("finance", "/loans", uscc=uscc, cap=200)),  # a bank's reply holds its own cases only
        optional(a.all("registry", "/service-requests", uscc=uscc, cap=200)))
    award_details = []
    if awards:
        award_details = await asyncio.gather(*(optional(a.get("awards", f"/awards/{x['id']}")) for x in awards[:50]))
    return render(request, "enterprise.html", e=ent, awards=awards, totals=totals, quotas=quotas, listing=listing,
                  loans=loans, requests=requests,
                  timeline=timeline(ent, [d for d in award_details if d], quotas or [], listing or None,
                                    loans or [], requests or []))



def local_date(at: str | None) -> str:
    """A UTC timestamp's date in Beijing (dates are Asia/Shanghai in the suite)."""
    try:
        return dt.datetime.fromisoformat((at or "").replace("Z", "+00:00")).astimezone(SHANGHAI).date().isoformat()
    except ValueError:
        return (at or "")[:10]


def timeline(ent: dict, awards: list[dict], quotas: list[dict], listing: dict | None,
             loans: list[dict] = (), requests: list[dict] = ()) -> list[dict]:
    """Every dated fact the services hold on the enterprise, newest first (display only)."""
    items = []
    for c in ent.get("certifications", []):
        label = TIER_LABELS.get(c["tier"], c["tier"])
        source = CERT_SOURCE_LABELS.get(c.get("source") or "", "")
        items.append({"on": c["recognized_on"], "kind": "认定",
                      "text": f"认定为{label}" + (f"（{c['batch']}）" if c.get("batch") else "") + (f"，{source}" if source else "")})
        if c.get("state_on", c.get("state")) == "expired":
            items.append({"on": c["expires_on"], "kind": "到期", "text": f"{label}有效期届满（最后有效日）"})
        if c.get("revoked_on"):
            why = f"：{c['revoke_reason']}" if c.get("revoke_reason") else ""
            items.append({"on": c["revoked_on"], "kind": "撤销", "text": f"{label}被撤销{why}"})
    for aw in awards:
        what = f"{PROGRAM_LABELS.get(aw['program'], aw['program'])} {yuan(aw['amount_yuan'])}"
        for h in aw.get("history", []):
            text = f"{what}：{AWARD_STATE_LABELS.get(h['to_state'], h['to_state'])}"
            if h.get("voucher"):
                text += f"（凭证号 {h['voucher']}）"
            if h.get("reason") and h["to_state"] in ("rejected", "clawed_back"):
                text += f"，原因：{zh_text(h['reason'])}"
            items.append({"on": local_date(h.get("at")), "at": h.get("at") or "", "kind": "奖励", "text": text})
    for qg in quotas:
        items.append({"on": f"{qg['year']}-01-01", "kind": "落户指标",
                      "text": f"{qg['year']} 年落户指标 {qg['granted']} 个，已使用 {qg['used']} 个"
                              + ("（已过期）" if qg.get("lapsed") else "")})
    if listing:
        if listing.get("since"):
            items.append({"on": listing["since"], "kind": "金融服务名单", "text": "列入专精特新企业金融服务名单"})
        if listing.get("removed_on"):
            items.append({"on": listing["removed_on"], "kind": "金融服务名单", "text": "移出金融服务名单"})
    for ln in loans:
        case = f"贷款案件 {ln['id']}（{ln['bank']}）"
        items.append({"on": ln["applied_on"], "kind": "贷款", "text": f"{case}申请 {yuan(ln['applied_yuan'])}"})
        if ln.get("decided_on"):
            done = "未获批" if ln["state"] == "declined" else "获批"
            items.append({"on": ln["decided_on"], "kind": "贷款", "text": f"{case}{done}"})
        if ln.get("drawn_on"):
            # First loan or not is finance's decision across every bank's cases (the earliest drawn).
            first = "，首贷" if ln.get("first_loan") else (
                "，" + FIRST_LOAN_REASON_LABELS[ln["first_loan_reason"]]
                if ln.get("first_loan_reason") in FIRST_LOAN_REASON_LABELS else "")
            items.append({"on": ln["drawn_on"], "kind": "贷款", "text": f"{case}放款 {yuan(ln.get('drawn_yuan'))}"
                          + (f"，到期日 {ln['due_on']}" if ln.get("due_on") else "") + first})
        if ln.get("closed_on") and ln["state"] != "declined":
            items.append({"on": ln["closed_on"], "kind": "贷款",
                          "text": f"{case}{LOAN_STATE_LABELS.get(ln['state'], ln['state'])}"})
    for rq in requests:
        what = f"服务包诉求 {rq['id']}（{REQUEST_CATEGORY_LABELS.get(rq['category'], rq['category'])}）"
        items.append({"on": rq["opened_on"], "kind": "服务包",
                      "text": f"{what}提出：{rq['summary']}；承办：{ROLE_LABELS.get(rq['department'], rq['department'])}，"
                              f"办理时限 {rq['due_on']}" + ("，已超期" if rq.get("overdue") else "")})
        if rq.get("closed_on"):
            text = f"{what}{REQUEST_STATE_LABELS.get(rq['state'], rq['state'])}"
            items.append({"on": rq["closed_on"], "kind": "服务包",
                          "text": text + (f"：{rq['resolution']}" if rq.get("resolution") else "")})
    return sorted(items, key=lambda i: (i["on"], i.get("at", "")), reverse=True)


# ---------------------------------------------------------------- awards queue
DEFAULT_AWARD_STATES = {"econ": ["computed"], "treasury": ["reviewed", "approved"]}


@router.get("/awards")
async def awards_queue(request: Request, user: Annotated[User, page_user("awards")], state: str = "",
                       uscc: str = ""):
    states = [state] if state in AWARD_STATES else DEFAULT_AWARD_STATES.get(user.role, [])
    a = api(request, user)
    if states:
        lists = await asyncio.gather(*(a.all("awards", "/awards", state=s, uscc=uscc.strip(), cap=500) for s in states))
        items = sorted((x for lst in lists for x in lst), key=lambda x: x["id"])
    else:
        items = await a.all("awards", "/awards", uscc=uscc.strip(), cap=500)
    return render(request, "awards.html", items=items, state=state, states=AWARD_STATES, uscc=uscc,
                  default_states=DEFAULT_AWARD_STATES.get(user.role, []), form_id=uuid.uuid4().hex)


@router.get("/awards/{award_id}")
async def award_detail(request: Request, award_id: int, user: Annotated[User, page_user("awards")]):
    award = await api(request, user).get("awards", f"/awards/{award_id}")
    return render(request, "award.html", aw=award, form_id=uuid.uuid4().hex)


AWARD_ACTIONS = AWARD_ACTION_LABELS


@router.post("/awards/{award_id}/{action}", dependencies=[CsrfChecked])
async def award_action(request: Request, award_id: int, action: str,
                       user: Annotated[User, page_user("awards")],
                       note: Annotated[str, Form()] = "", voucher: Annotated[str, Form()] = "",
                       reason: Annotated[str, Form()] = "", form_id: Annotated[str, Form()] = "",
                       next: Annotated[str, Form()] = ""):
    if action not in AWARD_ACTIONS:
        raise PortalError(404, "不支持的操作。")
    body: dict = {}
    if action in ("review", "approve") and note.strip():
        body["note"] = note.strip()
    if action == "disburse":
        if not voucher.strip():
            flash(request, "error", f"奖励 {award_id}：拨付须填写支付凭证号。")
            return back_to(request, next, "/awards")
        body["voucher"] = voucher.strip()
    if action == "reject":
        if not reason.strip():
            flash(request, "error", f"奖励 {award_id}：驳回须填写原因。")
            return back_to(request, next, "/awards")
        body["reason"] = reason.strip()
    key = f"portal-{form_id}-{award_id}-{action}" if form_id else None
    try:
        aw = await api(request, user).post("awards", f"/awards/{award_id}/{action}", json=body, idempotency_key=key)
    except ServiceError as e:
        if e.status == 401:
            raise
        flash(request, "error", f"奖励 {award_id} {AWARD_ACTIONS[action]}未成功：{e.said()}")
    else:
        flash(request, "ok", f"奖励 {award_id}（{aw['uscc']}，{yuan(aw['amount_yuan'])}）已{AWARD_ACTIONS[action]}，"
                             f"当前状态：{AWARD_STATE_LABELS.get(aw['state'], aw['state'])}。")
    return back_to(request, next, "/awards")


# ---------------------------------------------------------------- talent
# The actions each role may take on a nomination in each state (the talent service decides): the
# office moves it on; an enterprise's liaison only withdraws its own (and nominates, below).
def nomination_actions(role: str) -> dict[str, list[str]]:
    if role == "talent":
        return NOMINATION_NEXT
    if role == "enterprise":
        return {state: ["withdraw"] for state in NOMINATION_NEXT}
    return {}


def talent_url(year: str = "") -> str:
    y = year.strip()
    return f"/talent?year={y}" if y.isascii() and y.isdigit() else "/talent"


@router.get("/talent")
async def talent(request: Request, user: Annotated[User, page_user("talent")], year: str = "", state: str = ""):
    a = api(request, user)
    y = int(year) if year.isascii() and year.isdigit() else None  # not "²": isdigit() but not int()
    quotas, noms = await asyncio.gather(a.all("talent", "/quotas", year=y, cap=1000),
                                        a.all("talent", "/nominations", year=y, state=state or None, cap=1000))
    return render(request, "talent.html", quotas=quotas, noms=noms, year=year, state=state,
                  actions=NOMINATION_ACTIONS, next_actions=nomination_actions(user.role), form_id=uuid.uuid4().hex,
                  categories=NOMINATION_CATEGORIES, this_year=today().year,
                  open_quota_years=sorted({q["year"] for q in quotas if q.get("available") and not q.get("lapsed")}))


@router.post("/talent/nominations", dependencies=[CsrfChecked])
async def nominate(request: Request, user: Annotated[User, page_user("talent")],
                   year: Annotated[str, Form()] = "", category: Annotated[str, Form()] = "",
                   name: Annotated[str, Form()] = "", id_number: Annotated[str, Form()] = "",
                   education: Annotated[str, Form()] = "", post: Annotated[str, Form()] = "",
                   form_id: Annotated[str, Form()] = ""):
    """An enterprise's liaison nominates a person on its own quota; the answer shows the ID masked.
    The resident ID number goes to the talent service only: never into a flash, a log or the session."""
    if user.role != "enterprise":
        raise PortalError(403, "只有企业联络员可以提交本企业的人才推荐。")
    missing = [label for label, v in (("年度", year), ("人才类别", category), ("姓名", name),
                                      ("身份证号码", id_number), ("学历", education), ("岗位", post)) if not v.strip()]
    if missing:
        flash(request, "error", f"人才推荐未提交：请填写{'、'.join(missing)}。")
        return RedirectResponse(talent_url(year), status_code=303)
    y = year.strip()
    body = {"uscc": user.org, "year": int(y) if y.isascii() and y.isdigit() else y, "category": category.strip(),
            "person": {"name": name.strip(), "id_number": id_number.strip().upper(), "education": education.strip(),
                       "post": post.strip()}}
    key = f"portal-{form_id}-nominate" if form_id else None
    try:
        n = await api(request, user).post("talent", "/nominations", json=body, idempotency_key=key)
    except ServiceError as e:
        if e.status == 401:
            raise
        flash(request, "error", f"人才推荐未提交：{e.said()}")
    else:
        person = n.get("person") or {}
        flash(request, "ok", f"已提交人才推荐 {n['id']}：{person.get('name', '')}"
                             f"（身份证号 {person.get('id_number_masked', '已隐去')}），{n['year']} 年度，等待人才办审核。")
    return RedirectResponse(talent_url(year), status_code=303)


@router.post("/talent/nominations/{nomination_id}/{action}", dependencies=[CsrfChecked])
async def nomination_action(request: Request, nomination_id: int, action: str,
                            user: Annotated[User, page_user("talent")], reason: Annotated[str, Form()] = "",
                            form_id: Annotated[str, Form()] = "", year: Annotated[str, Form()] = ""):
    if action not in NOMINATION_ACTIONS:
        raise PortalError(404, "不支持的操作。")
    body = {"reason": reason.strip()} if reason.strip() else {}
    key = f"portal-{form_id}-{nomination_id}-{action}" if form_id else None
    try:
        await api(request, user).post("talent", f"/nominations/{nomination_id}/{action}", json=body,
                                      idempotency_key=key)
    except ServiceError as e:
        if e.status == 401:
            raise
        flash(request, "error", f"推荐 {nomination_id} {NOMINATION_ACTIONS[action]}未成功：{e.said()}")
    else:
        flash(request, "ok", f"推荐 {nomination_id} 已{NOMINATION_ACTIONS[action]}。")
    return RedirectResponse(talent_url(year), status_code=303)


# ---------------------------------------------------------------- finance
@router.get("/service-list")
async def service_list(request: Request, user: Annotated[User, page_user("service_list")], tier: str = "",
                       cursor: str = ""):
    if tier and tier not in TIER_LABELS:
        tier = ""
    a = api(request, user)
    page, total = await asyncio.gather(a.get("finance", "/service-list", tier=tier, cursor=cursor, limit=100),
                                       a.count("finance", "/service-list", tier=tier))
    return render(request, "service_list.html", page=page, total=total, tier=tier, tiers=TIER_LABELS)


# ---------------------------------------------------------------- parks
@router.get("/parks")
async def parks(request: Request, user: Annotated[User, page_user("parks")]):
    if user.role == "park":
        return RedirectResponse(f"/parks/{quote(user.org or '', safe='')}", status_code=303)
    items = await api(request, user).all("parks", "/parks", cap=500)
    return render(request, "parks.html", parks=items)


@router.get("/parks/{park_id}")
async def park(request: Request, park_id: str, user: Annotated[User, page_user("parks")]):
    a = api(request, user)
    park_id = seg(park_id, "园区")
    p = await a.get("parks", f"/parks/{park_id}")
    ents, incubations = await asyncio.gather(a.all("parks", f"/parks/{park_id}/enterprises", cap=2000),
                                             optional(a.all("parks", f"/parks/{park_id}/incubations", cap=2000)))
    bars = charts.bars([(TIER_LABELS[t], p.get("counts", {}).get(t, 0)) for t in TIER_ORDER])
    return render(request, "park.html", p=p, ents=ents, bars=bars, incubations=incubations,
                  may_record=user.role in INCUBATION_WRITERS, today=today().isoformat(), form_id=uuid.uuid4().hex)


# Who records a park's incubation (the parks service checks again: a park operator, its own park).
INCUBATION_WRITERS = ("econ", "park")


@router.post("/parks/{park_id}/incubations", dependencies=[CsrfChecked])
async def record_incubation(request: Request, park_id: str, user: Annotated[User, page_user("parks")],
                            uscc: Annotated[str, Form()] = "", entered_on: Annotated[str, Form()] = "",
                            note: Annotated[str, Form()] = "", form_id: Annotated[str, Form()] = ""):
    """An enterprise entering the park's incubation: only one the registry places in this park (the
    parks service refuses any other, with the reason shown here)."""
    if user.role not in INCUBATION_WRITERS:
        raise PortalError(403, f"您当前的角色（{ROLE_LABELS.get(user.role, user.role)}）不能登记入孵。")
    back = f"/parks/{seg(park_id, '园区')}"
    missing = [label for label, v in (("统一社会信用代码", uscc), ("入孵日期", entered_on)) if not v.strip()]
    if missing:
        flash(request, "error", f"入孵未登记：请填写{'、'.join(missing)}。")
        return RedirectResponse(back, status_code=303)
    body = {"uscc": uscc.strip().upper(), "entered_on": entered_on.strip()}
    if note.strip():
        body["note"] = note.strip()
    key = f"portal-{form_id}-incubation" if form_id else None
    try:
        i = await api(request, user).post("parks", f"{back}/incubations", json=body, idempotency_key=key)
    except ServiceError as e:
        if e.status == 401:
            raise
        flash(request, "error", f"入孵未登记（{body['uscc']}）：{e.said()}")
    else:
        flash(request, "ok", f"已登记入孵：{i.get('name') or i['uscc']}，入孵日期 {i['entered_on']}。")
    return RedirectResponse(back, status_code=303)


# ---------------------------------------------------------------- import
@router.get("/import")
async def import_page(request: Request, user: Annotated[User, page_user("import")]):
    return render(request, "import.html", report=None)


MAX_UPLOAD = 50 * 1024 * 1024


@router.post("/import", dependencies=[CsrfChecked])
async def import_list(request: Request, user: Annotated[User, page_user("import")],
                      file: Annotated[UploadFile | None, File()] = None):
    if file is None or not file.filename:
        raise PortalError(422, "请选择要导入的名单文件（CSV 或 XLSX）。")
    content = await file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise PortalError(413, "文件超过 50 MB，请拆分后分批导入。")
    upload = {"file": (file.filename, content, file.content_type or "application/octet-stream")}
    a = api(request, user)
    started = dt.datetime.now()
    try:
        try:  # an import job, watched at /import/jobs/{id}, where the registry runs imports as jobs
            job = await a.post("registry", "/import-jobs", json=None, files=upload)
        except ServiceError as e:
            if e.status not in (404, 405):
                raise
            report = await a.post("registry", "/imports/recognition-lists", json=None, files=upload)
        else:
            return RedirectResponse(f"/import/jobs/{job['id']}", status_code=303)
    except ServiceError as e:
        if e.status == 401:
            raise
        # The registry refused the file: say why on the import page, where the user can try again.
        return render(request, "import.html", e.status, report=None, failure=e, filename=file.filename)
    seconds = (dt.datetime.now() - started).total_seconds()
    return render(request, "import.html", report=report, filename=file.filename, seconds=seconds)


@router.get("/import/jobs/{job_id}")
async def import_job(request: Request, job_id: str, user: Annotated[User, page_user("import")]):
    job = await api(request, user).get("registry", f"/import-jobs/{seg(job_id, '导入任务')}")
    if job.get("state") == "done" and job.get("report") is not None:
        seconds = None
        try:
            seconds = (dt.datetime.fromisoformat(job["finished_at"].replace("Z", "+00:00"))
                       - dt.datetime.fromisoformat(job["started_at"].replace("Z", "+00:00"))).total_seconds()
        except (KeyError, TypeError, AttributeError, ValueError):
            pass
        return render(request, "import.html", report=job["report"], filename=job.get("filename", ""), seconds=seconds)
    if job.get("state") == "failed":  # the job's error is for the operators' logs, not the page
        failure = PortalError(500, "导入任务未能完成，名单未全部导入。请检查文件后重新导入，或联系系统管理员。")
        return render(request, "import.html", report=None, failure=failure, filename=job.get("filename", ""))
    return render(request, "import_job.html", job=job)
