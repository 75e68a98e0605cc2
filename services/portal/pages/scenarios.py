"""Application scenarios (应用场景, 场景清单) of the outreach service: the list by state, econ publishes one,
an enterprise signed in proposes for a scenario that is open, econ records a proposal, recommends a
scenario to the municipal list, signs its contract (the first chooses the proposal) or closes it.
Outreach keeps the states and checks every call (an enterprise reads the open scenarios and its own
proposals only); the portal shows them by name and forwards."""
from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Request

from services.portal.names import names_of
from services.portal.pages.common import CsrfChecked, api, attempt, back_to, page_user, render, wan_to_yuan
from services.portal.session import PortalError, User, flash
from shared.clock import today
from shared.validators import reason_zh, uscc_error

router = APIRouter()
STATES = {"open": "征集中", "contracted": "已签约", "closed": "已关闭"}
PROPOSAL_STATES = {"submitted": "已提交", "chosen": "已选定", "not_chosen": "未选定"}


def _key(form: dict) -> str | None:
    return f"portal-{form.get('form_id')}" if form.get("form_id") else None


async def _form(request: Request) -> dict:
    return {k: str(v) for k, v in (await request.form()).items()}


def _wan(form: dict, key: str, label: str, errors: dict, required: bool = True) -> int | None:
    """An amount typed in 万元 as whole 元, or the reason beside its field."""
    text = form.get(key, "").strip()
    if not text:
        if required:
            errors[key] = f"请填写{label}（万元）。"
        return None
    yuan = wan_to_yuan(text)
    if yuan is None:
        errors[key] = f"{label}应为不小于 0 的数字，以万元计，至多四位小数：{text[:30]}"
    return yuan


async def _list(request: Request, user: User, status: int = 200, **ctx):
    state = request.query_params.get("state", "")
    if state not in STATES:
        state = ""
    items = await api(request, user).all("outreach", "/scenarios", cap=500, state=state or None)
    items.sort(key=lambda x: x["id"], reverse=True)
    return render(request, "scenarios.html", status, items=items, state=state, states=STATES,
                  form_id=uuid.uuid4().hex, **ctx)


@router.get("/scenarios")
async def scenarios(request: Request, user: Annotated[User, page_user("scenarios")]):
    return await _list(request, user)


@router.post("/scenarios", dependencies=[CsrfChecked])
async def publish(request: Request, user: Annotated[User, page_user("scenarios")]):
    """Econ publishes a scenario; each missing or wrong field is said beside it, what was typed kept."""
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以发布应用场景。")
    form = await _form(request)
    errors: dict[str, str] = {}
    for key, label in (("title", "场景名称"), ("owner_department", "发布部门"), ("need", "需求描述"),
                       ("deadline", "征集截止日")):
        if not form.get(key, "").strip():
            errors[key] = f"请填写{label}。"
    budget = _wan(form, "budget_wan", "预算", errors)
    if not errors:
        body = {k: form[k].strip() for k in ("title", "owner_department", "need", "deadline")} | {"budget_yuan": budget}
        x, refused = await attempt(api(request, user).post("outreach", "/scenarios", json=body,
                                                           idempotency_key=_key(form)))
        if refused is None:
            flash(request, "ok", f"已发布应用场景：{x['title']}（编号 {x['id']}），征集方案至 {x['deadline']}。")
            return back_to(request, f"/scenarios/{x['id']}", "/scenarios")
        errors["form"] = refused
    return await _list(request, user, 422, errors=errors, typed=form)


async def _detail(request: Request, user: User, sid: int, status: int = 200, **ctx):
    x = await api(request, user).get("outreach", f"/scenarios/{sid}")
    await names_of(request).load(usccs=[p["uscc"] for p in x["proposals"]] + [c["uscc"] for c in x["contracts"]])
    mine = [p for p in x["proposals"] if user.role == "enterprise" and p["uscc"] == user.org]
    return render(request, "scenario.html", status, x=x, states=STATES, proposal_states=PROPOSAL_STATES,
                  mine=mine, past=x["deadline"] < today().isoformat(), today=today().isoformat(),
                  form_id=uuid.uuid4().hex, **ctx)


@router.get("/scenarios/{sid}")
async def scenario(request: Request, sid: int, user: Annotated[User, page_user("scenarios")]):
    return await _detail(request, user, sid)


@router.post("/scenarios/{sid}/proposals", dependencies=[CsrfChecked])
async def propose(request: Request, sid: int, user: Annotated[User, page_user("scenarios")]):
    """An enterprise proposes for itself (its USCC from the sign-in); econ records one for an enterprise."""
    if user.role not in ("enterprise", "econ"):
        raise PortalError(403, "只有企业本身或区经信局可以提交方案。")
    form = await _form(request)
    errors: dict[str, str] = {}
    uscc = user.org if user.role == "enterprise" else form.get("uscc", "").strip().upper()
    if user.role == "econ":
        if not uscc:
            errors["uscc"] = "请填写提出方案的企业的统一社会信用代码。"
        elif bad := uscc_error(uscc):
            errors["uscc"] = f"统一社会信用代码无效（{reason_zh(bad)}）：{uscc[:30]}"
    if not form.get("summary", "").strip():
        errors["summary"] = "请填写方案摘要。"
    price = _wan(form, "price_wan", "报价", errors, required=False)
    if not errors:
        body = {"uscc": uscc, "summary": form["summary"].strip(), **({"price_yuan": price} if price is not None else {})}
        p, refused = await attempt(api(request, user).post("outreach", f"/scenarios/{sid}/proposals", json=body,
                                                           idempotency_key=_key(form)))
        if refused is None:
            flash(request, "ok", f"方案已提交（编号 {p['id']}），由区经信局与发布部门评选。")
            return back_to(request, f"/scenarios/{sid}#proposal-{p['id']}", "/scenarios")
        errors["proposal"] = refused
    return await _detail(request, user, sid, 422, errors=errors, typed=form)


@router.post("/scenarios/{sid}/recommend", dependencies=[CsrfChecked])
async def recommend(request: Request, sid: int, user: Annotated[User, page_user("scenarios")]):
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以推荐全市。")
    form = await _form(request)
    errors: dict[str, str] = {}
    if not form.get("recommended_on", "").strip():
        errors["recommended_on"] = "请填写推荐日期。"
    else:
        _, refused = await attempt(api(request, user).post(
            "outreach", f"/scenarios/{sid}/recommend-city", json={"recommended_on": form["recommended_on"].strip()}))
        if refused is None:
            flash(request, "ok", "已推荐全市。")
            return back_to(request, f"/scenarios/{sid}", "/scenarios")
        errors["recommended_on"] = refused
    return await _detail(request, user, sid, 422, errors=errors, typed=form)


@router.post("/scenarios/{sid}/close", dependencies=[CsrfChecked])
async def close(request: Request, sid: int, user: Annotated[User, page_user("scenarios")]):
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以关闭场景。")
    _, refused = await attempt(api(request, user).post("outreach", f"/scenarios/{sid}/close", json=None))
    flash(request, "error" if refused else "ok", f"场景未关闭：{refused}" if refused else "场景已关闭，不再征集方案。")
    return back_to(request, f"/scenarios/{sid}", "/scenarios")


@router.post("/scenarios/{sid}/contracts", dependencies=[CsrfChecked])
async def sign(request: Request, sid: int, user: Annotated[User, page_user("scenarios")]):
    """Econ records a signed contract (a phase): the first chooses its proposal; the awards service then
    raises the scenario award from the event outreach publishes."""
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以登记合同。")
    form = await _form(request)
    errors: dict[str, str] = {}
    pid = form.get("proposal_id", "")
    if not (pid.isascii() and pid.isdigit() and len(pid) <= 18):  # not "²" (isdigit, yet no int)
        errors["proposal_id"] = "请选择中选方案。"
    amount = _wan(form, "contract_wan", "合同金额", errors)
    for key, label in (("signed_on", "签订日期"), ("evidence", "合同编号或扫描件编号")):
        if not form.get(key, "").strip():
            errors[key] = f"请填写{label}。"
    if not errors:
        body = {"proposal_id": int(form["proposal_id"]), "contract_yuan": amount,
                "signed_on": form["signed_on"].strip(), "evidence": form["evidence"].strip()}
        c, refused = await attempt(api(request, user).post("outreach", f"/scenarios/{sid}/contracts", json=body,
                                                           idempotency_key=_key(form)))
        if refused is None:
            flash(request, "ok", f"合同已登记（编号 {c['id']}），场景奖励将由奖励系统据此计算。")
            return back_to(request, f"/scenarios/{sid}#contracts", "/scenarios")
        errors["contract"] = refused
    return await _detail(request, user, sid, 422, errors=errors, typed=form)
