"""The treasury's recoveries and carry-over (追回与结转, issue 19): what payees owe back after claw-backs,
their repayments and write-offs; the awards refused for lack of a year's budget and carried to the next.
The awards service keeps the receivables, refuses a wrong repayment and decides what may be carried."""
from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request

from services.portal.backend import ServiceError
from services.portal.names import names_of
from services.portal.pages.common import (
    CsrfChecked,
    api,
    back_to,
    decimal_units,
    page_user,
    post_each,
    render,
    year_of,
)
from services.portal.session import PortalError, User, flash
from shared.clock import today

router = APIRouter()

RECEIVABLE_STATES = {"open": "待追回", "partly_repaid": "部分追回", "repaid": "已全部追回", "written_off": "已核销"}
OWED = ["open", "partly_repaid"]
REFUSAL_LABELS = {"no-budget": "当年未设定预算", "budget-exceeded": "当年预算不足"}
# Which field of the repayment form a refusal of the awards service is about (said beside it).
FIELD_WORDS = (("凭证", "voucher"), ("日期", "on"), ("今天", "on"), ("元", "amount"))




async def _names(request: Request, items: list[dict]):
    return await names_of(request).load(
        usccs=[x.get("uscc") for x in items] + [x["payee"] for x in items if x.get("payee_type") == "enterprise"],
        parks=any(x.get("payee_type") == "park" for x in items),
        intermediaries=[x["payee"] for x in items if x.get("payee_type") == "intermediary"])


@router.get("/recoveries")
async def recoveries(request: Request, user: Annotated[User, page_user("recoveries")], state: str = "",
                     year: str = ""):
    """Receivables (owed by default, or one state), optionally of one budget year, and that year's figures."""
    states = [state] if state in RECEIVABLE_STATES else (None if state == "all" else OWED)
    y = year_of(year) if year.strip() else None
    ctx = {"state": state, "states": RECEIVABLE_STATES, "year": year.strip()}
    if year.strip() and y is None:
        return render(request, "recoveries.html", 422, items=[], total=None, year_error="年度须为 2000–2100 之间的四位数字。",
                      **ctx)
    a = api(request, user)
    items = await a.all("awards", "/receivables", cap=500, state=states, year=y)
    budget = await a.get("awards", f"/budgets/{y or today().year}")
    await _names(request, items)
    return render(request, "recoveries.html", items=items, total=budget["total"], budget_year=y or today().year,
                  owed=sum(i["outstanding_yuan"] for i in items), **ctx)


async def _detail(request: Request, user: User, rid: int, status: int = 200, **ctx):
    r = await api(request, user).get("awards", f"/receivables/{rid}")
    await _names(request, [r])
    return render(request, "recoveries_detail.html", status, r=r, states=RECEIVABLE_STATES, form_id=uuid.uuid4().hex,
                  today=today().isoformat(), **ctx)


@router.get("/recoveries/{rid}")
async def recovery(request: Request, rid: int, user: Annotated[User, page_user("recoveries")]):
    return await _detail(request, user, rid)


def _repayment(amount: str, on: str, voucher: str) -> tuple[dict, dict]:
    """The repayment body from the form, or what is wrong with each field (in Chinese)."""
    errors: dict[str, str] = {}
    yuan = decimal_units(amount, 0) if amount.strip() else None
    if yuan is None or yuan <= 0:
        errors["amount"] = "请填写还款金额（元，正整数），如 100000 或 100,000。"
    try:
        day = dt.date.fromisoformat(on.strip())
    except ValueError:
        day = None
        errors["on"] = "请填写到账日期（年-月-日）。"
    if day and day > today():
        errors["on"] = f"到账日期不能晚于今天（{today()}）。"
    if not voucher.strip():
        errors["voucher"] = "请填写收款凭证号。"
    return ({"amount_yuan": yuan, "on": on.strip(), "voucher": voucher.strip()} if not errors else {}), errors


@router.post("/recoveries/{rid}/repay", dependencies=[CsrfChecked])
async def repay(request: Request, rid: int, user: Annotated[User, page_user("recoveries")],
                amount: Annotated[str, Form()] = "", on: Annotated[str, Form()] = "",
                voucher: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
                form_id: Annotated[str, Form()] = ""):
    """The treasury records a repayment; a refusal is said beside its field, the typed values kept."""
    if user.role != "treasury":
        raise PortalError(403, "只有区财政局可以登记追回款到账。")
    typed = {"amount": amount, "on": on, "voucher": voucher, "note": note}
    body, errors = _repayment(amount, on, voucher)
    if not errors:
        if note.strip():
            body["note"] = note.strip()
        try:
            r = await api(request, user).post("awards", f"/receivables/{rid}/repayments", json=body,
                                              idempotency_key=f"portal-{form_id}-repay" if form_id else None)
        except ServiceError as e:
            if e.status in (401, 404):
                raise
            said = e.said()
            field = next((f for word, f in FIELD_WORDS if word in said), "form")
            errors[field] = said
        else:
            flash(request, "ok", f"已登记追回款 {body['amount_yuan']:,} 元；尚欠 {r['outstanding_yuan']:,} 元，"
                                 f"状态：{RECEIVABLE_STATES.get(r['state'], r['state'])}。")
            return back_to(request, f"/recoveries/{rid}", "/recoveries")
    return await _detail(request, user, rid, 422, failed="repay", errors=errors, typed=typed)


@router.post("/recoveries/{rid}/write-off", dependencies=[CsrfChecked])
async def write_off(request: Request, rid: int, user: Annotated[User, page_user("recoveries")],
                    reason: Annotated[str, Form()] = ""):
    if user.role != "treasury":
        raise PortalError(403, "只有区财政局可以核销应收追回款。")
    if not reason.strip():
        return await _detail(request, user, rid, 422, failed="write_off", errors={"reason": "请填写核销理由。"},
                             typed={"reason": reason})
    try:
        r = await api(request, user).post("awards", f"/receivables/{rid}/write-off", json={"reason": reason.strip()})
    except ServiceError as e:
        if e.status in (401, 404):
            raise
        return await _detail(request, user, rid, 422, failed="write_off", errors={"reason": e.said()},
                             typed={"reason": reason})
    flash(request, "ok", f"已核销 {r['written_off_yuan']:,} 元。")
    return back_to(request, f"/recoveries/{rid}", "/recoveries")


@router.get("/carry-over")
async def carry_over(request: Request, user: Annotated[User, page_user("recoveries")], year: str = ""):
    """The awards refused for lack of the year's budget (the treasury ticks and carries them to the next
    year), and what is carried to the next year already."""
    y = year_of(year) if year.strip() else today().year
    if y is None:
        return render(request, "recoveries_carry.html", 422, year=today().year, typed_year=year, refused=None,
                      carried=None, year_error="年度须为 2000–2100 之间的四位数字。", refusals=REFUSAL_LABELS)
    a = api(request, user)
    refused, carried = await asyncio.gather(a.get("awards", f"/budgets/{y}/refusals"),
                                            a.get("awards", f"/budgets/{y + 1}/carried-over"))
    await _names(request, refused["items"] + carried["items"])
    return render(request, "recoveries_carry.html", year=y, refused=refused, carried=carried, refusals=REFUSAL_LABELS,
                  form_id=uuid.uuid4().hex)


@router.post("/carry-over/{year}", dependencies=[CsrfChecked])
async def carry(request: Request, year: int, user: Annotated[User, page_user("recoveries")],
                award_id: Annotated[list[int], Form()] = (), note: Annotated[str, Form()] = "",
                form_id: Annotated[str, Form()] = ""):
    """Each ticked award carried to the next year (the awards service checks each); one line says what happened."""
    if user.role != "treasury":
        raise PortalError(403, "只有区财政局可以结转奖励。")
    if year_of(str(year)) is None:
        raise PortalError(404, "没有这个预算年度。")
    ids = sorted(set(award_id))[:200]
    if not ids:
        flash(request, "error", "请先勾选要结转的奖励。")
        return back_to(request, f"/carry-over?year={year}", "/carry-over")
    a = api(request, user)
    body = {"note": note.strip()} if note.strip() else None

    failed = await post_each(a, "awards", ids, lambda i: f"/awards/{i}/carry-over", body,
                             lambda i: f"portal-{form_id}-{i}-carry" if form_id else None)
    done = len(ids) - len(failed)
    flash(request, "ok" if not failed else "error",
          f"已结转 {done} 笔至 {year + 1} 年度" + (f"；未成功 {len(failed)} 笔：{'；'.join(failed)}" if failed else "。"))
    return back_to(request, f"/carry-over?year={year}", "/carry-over")
