"""The award queue: review, approve, disburse, reject (the awards service decides)."""
from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request

from services.portal.backend import ServiceError
from services.portal.labels import AWARD_ACTION_LABELS, AWARD_STATE_LABELS, AWARD_STATES, yuan
from services.portal.names import names_of
from services.portal.pages.common import CsrfChecked, api, back_to, page_user, render, uscc_filter
from services.portal.session import PortalError, User, flash

router = APIRouter()


DEFAULT_AWARD_STATES = {"econ": ["computed"], "treasury": ["reviewed", "approved"]}


async def award_names(request: Request, awards: list[dict]):
    """The enterprises, parks and intermediaries the awards name, in one go per page."""
    return await names_of(request).load(
        usccs=[x.get("uscc") for x in awards] + [x["payee"] for x in awards if x.get("payee_type") == "enterprise"],
        parks=any(x.get("payee_type") == "park" or x.get("program") in ("featured_park", "incubation") for x in awards),
        intermediaries=[x["payee"] for x in awards if x.get("payee_type") == "intermediary"])


@router.get("/awards")
async def awards_queue(request: Request, user: Annotated[User, page_user("awards")], state: str = "",
                       uscc: str = ""):
    states = [state] if state in AWARD_STATES else DEFAULT_AWARD_STATES.get(user.role, [])
    ctx = {"state": state, "states": AWARD_STATES, "uscc": uscc, "form_id": uuid.uuid4().hex,
           "default_states": DEFAULT_AWARD_STATES.get(user.role, [])}
    code, bad = uscc_filter(uscc)
    if bad:  # not "没有待办的奖励": the filter itself is wrong, said beside it
        return render(request, "awards.html", 422, items=[], uscc_error=bad, **ctx)
    a = api(request, user)
    if states:
        lists = await asyncio.gather(*(a.all("awards", "/awards", state=s, uscc=code, cap=500) for s in states))
        items = sorted((x for lst in lists for x in lst), key=lambda x: x["id"])
    else:
        items = await a.all("awards", "/awards", uscc=code, cap=500)
    await award_names(request, items)
    return render(request, "awards.html", items=items, **ctx)


@router.get("/awards/{award_id}")
async def award_detail(request: Request, award_id: int, user: Annotated[User, page_user("awards")]):
    award = await api(request, user).get("awards", f"/awards/{award_id}")
    await award_names(request, [award])
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
        names = await award_names(request, [aw])
        who = names.payee(aw) if aw.get("payee") else (names.ent(aw.get("uscc")) or aw.get("uscc") or "")
        flash(request, "ok", f"奖励 {award_id}（{who}，{yuan(aw['amount_yuan'])}）已{AWARD_ACTIONS[action]}，"
                             f"当前状态：{AWARD_STATE_LABELS.get(aw['state'], aw['state'])}。")
    return back_to(request, next, "/awards")
