"""The award queue: review, approve, disburse, reject (the awards service decides)."""
from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request

from services.portal.backend import ServiceError
from services.portal.labels import AWARD_ACTION_LABELS, AWARD_STATE_LABELS, AWARD_STATES, yuan
from services.portal.names import names_of
from services.portal.pages.common import CsrfChecked, api, back_to, page_user, post_each, render, uscc_filter
from services.portal.session import PortalError, User, flash

router = APIRouter()


DEFAULT_AWARD_STATES = {"econ": ["computed"], "treasury": ["reviewed", "approved"]}


async def award_names(request: Request, awards: list[dict]):
    """The enterprises, parks and intermediaries the awards name, in one go per page."""
    return await names_of(request).load(
        usccs=[x.get("uscc") for x in awards] + [x["payee"] for x in awards if x.get("payee_type") == "enterprise"],
        parks=any(x.get("payee_type") == "park" or x.get("program") in ("featured_park", "incubation") for x in awards),
        intermediaries=[x["payee"] for x in awards if x.get("payee_type") == "intermediary"])


PAGE_SIZE = 50
SORTS = {"id": "按编号", "-amount": "金额从高到低", "amount": "金额从低到高"}
# The batch action each role takes on its own queue (one confirmation for all that are ticked).
BATCH = {"econ": ("review", "computed"), "treasury": ("approve", "reviewed")}


@router.get("/awards")
async def awards_queue(request: Request, user: Annotated[User, page_user("awards")], state: str = "",
                       uscc: str = "", sort: str = "id", cursor: str = ""):
    """A page of the queue (50, by id or amount, walked with the service's cursor), the filter's
    totals, and the role's batch action."""
    states = [state] if state in AWARD_STATES else DEFAULT_AWARD_STATES.get(user.role, [])
    sort = sort if sort in SORTS else "id"
    ctx = {"state": state, "states": AWARD_STATES, "uscc": uscc, "form_id": uuid.uuid4().hex, "sort": sort,
           "sorts": SORTS, "cursor": cursor, "default_states": DEFAULT_AWARD_STATES.get(user.role, []),
           "batch": BATCH.get(user.role)}
    code, bad = uscc_filter(uscc)
    if bad:  # not "没有待办的奖励": the filter itself is wrong, said beside it
        return render(request, "awards.html", 422, items=[], uscc_error=bad, totals=None, next_cursor=None, **ctx)
    a = api(request, user)
    query = {"state": states or None, "uscc": code, "sort": sort}
    page, totals = await asyncio.gather(a.get("awards", "/awards", limit=PAGE_SIZE, cursor=cursor, **query),
                                        a.get("awards", "/awards/totals", **query))
    await award_names(request, page["items"])
    return render(request, "awards.html", items=page["items"], totals=totals, next_cursor=page.get("next_cursor"),
                  **ctx)


@router.post("/awards/batch", dependencies=[CsrfChecked])
async def award_batch(request: Request, user: Annotated[User, page_user("awards")],
                      award_id: Annotated[list[int], Form()] = (), confirmed: Annotated[str, Form()] = "",
                      form_id: Annotated[str, Form()] = "", next: Annotated[str, Form()] = ""):
    """The role's batch action on the ticked awards: first a confirmation naming them and their sum,
    then each is sent to the awards service (which checks each again); one line says what happened."""
    if user.role not in BATCH:
        raise PortalError(403, "您的角色没有批量操作。")
    action, from_state = BATCH[user.role]
    ids = sorted(set(award_id))[:PAGE_SIZE]
    if not ids:
        flash(request, "error", "请先勾选要批量处理的奖励。")
        return back_to(request, next, "/awards")
    a = api(request, user)
    if not confirmed:
        chosen = [x for x in await asyncio.gather(*(a.get("awards", f"/awards/{i}") for i in ids))
                  if x["state"] == from_state]
        await award_names(request, chosen)
        return render(request, "awards_batch.html", chosen=chosen, action=action, next=next,
                      total=sum(x["amount_yuan"] for x in chosen), form_id=form_id or uuid.uuid4().hex)

    failed = await post_each(a, "awards", ids, lambda i: f"/awards/{i}/{action}", {},
                             lambda i: f"portal-{form_id}-{i}-{action}" if form_id else None)
    done = len(ids) - len(failed)
    flash(request, "ok" if not failed else "error",
          f"已{AWARD_ACTIONS[action]} {done} 笔" + (f"；未成功 {len(failed)} 笔：{'；'.join(failed)}" if failed else "。"))
    return back_to(request, next, "/awards")


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
        hint = "（在“预算执行”页设定：/budgets）" if e.status == 409 and "预算" in e.said() else ""
        flash(request, "error", f"奖励 {award_id} {AWARD_ACTIONS[action]}未成功：{e.said()}{hint}")
    else:
        names = await award_names(request, [aw])
        who = names.payee(aw) if aw.get("payee") else (names.ent(aw.get("uscc")) or aw.get("uscc") or "")
        flash(request, "ok", f"奖励 {award_id}（{who}，{yuan(aw['amount_yuan'])}）已{AWARD_ACTIONS[action]}，"
                             f"当前状态：{AWARD_STATE_LABELS.get(aw['state'], aw['state'])}。")
    return back_to(request, next, "/awards")
