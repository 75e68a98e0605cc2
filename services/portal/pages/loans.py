"""Loans (贷款): a bank's cases from application to repayment or default, as the finance service keeps
them. A bank sees and acts on its own cases; the financial office, econ, the treasury and the auditor
read every bank's. Amounts are typed in 万元 (repayments in 元) and sent as whole 元; rates in percent
(sent as basis points). The finance service decides every rule (first loan, caps, the NPL split)."""
from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request

from services.portal.labels import LOAN_STATE_LABELS, PAYABLE_STATE_LABELS
from services.portal.names import names_of
from services.portal.pages.common import (
    CsrfChecked,
    api,
    attempt,
    attempt_fields,
    back_to,
    decimal_units,
    nothing,
    optional,
    page_user,
    render,
    seg,
    wan_to_yuan,
)
from services.portal.session import PortalError, User, flash
from shared.validators import uscc_error

router = APIRouter()
PAGE_SIZE = 50
PRODUCT_KINDS = {"loan": "贷款", "guarantee": "担保", "insurance": "保险"}
ACTIONS = {"decision": "审批", "draw": "放款", "repayments": "登记还款", "repay": "结清", "extend": "展期 / 续期",
           "default": "认定不良", "provider-decision": "承保决定"}



async def _catalogues(request: Request, user: User, products: bool, events: bool):
    """The product catalogue and the matchmaking events the user may read (a bank: those it attended),
    each None when not wanted or when the role may not read it (the treasury reads neither)."""
    a = api(request, user)
    return await asyncio.gather(optional(a.all("finance", "/products", cap=500)) if products else nothing(),
                                optional(a.all("finance", "/matchmaking-events", cap=1000)) if events else nothing())


async def _usable(request: Request, user: User) -> list[dict]:
    """The products a bank may name in its application, as finance decides (`usable`: its own loan
    products, any guarantee or insurance, offered now)."""
    return await api(request, user).all("finance", "/products", usable="true", cap=500) if user.role == "bank" else []


def choices(user: User, usable: list[dict], catalogue: list[dict] | None, events: list[dict] | None,
            keep: str = "") -> tuple[list[dict], list[dict]]:
    """What a bank's application may name: the products finance lets it use, plus the one it chose when
    finance refused it (`keep`, so the refusal stands beside the choice), and the matchmaking events it
    attended (the service lists a bank only those), newest first."""
    if user.role != "bank":
        return [], []
    kept = [p for p in catalogue or [] if str(p["id"]) == keep and p["id"] not in {u["id"] for u in usable}]
    return sorted(usable + kept, key=lambda p: p["id"]), sorted(events or [], key=lambda m: (m["held_on"], m["id"]),
                                                               reverse=True)


async def _list(request: Request, user: User, state: str, cursor: str, status: int = 200, **ctx):
    """The cases, each with its product and matchmaking event by name (when the role may read them)."""
    bank = user.role == "bank"
    page, (catalogue, events), usable = await asyncio.gather(
        api(request, user).get("finance", "/loans", state=state if state in LOAN_STATE_LABELS else None,
                               cursor=cursor, limit=PAGE_SIZE),
        _catalogues(request, user, bank, bank), _usable(request, user))
    items = page["items"]
    if not bank:  # the other readers: only what the page's cases name
        catalogue, events = await _catalogues(request, user, any(x.get("product_id") for x in items),
                                              any(x.get("matchmaking_event_id") for x in items))
    products, choosable = choices(user, usable, catalogue, events, (ctx.get("typed") or {}).get("product_id", ""))
    await names_of(request).load(usccs=[x["uscc"] for x in items])
    return render(request, "loans.html", status, items=items, next_cursor=page.get("next_cursor"),
                  state=state, cursor=cursor, states=LOAN_STATE_LABELS, form_id=uuid.uuid4().hex,
                  products=products, events=choosable, product_kinds=PRODUCT_KINDS,
                  product_of={p["id"]: p for p in catalogue or []}, event_of={m["id"]: m for m in events or []},
                  **ctx)


@router.get("/loans")
async def loans(request: Request, user: Annotated[User, page_user("loans")], state: str = "", cursor: str = ""):
    return await _list(request, user, state, cursor)


@router.post("/loans", dependencies=[CsrfChecked])
async def apply(request: Request, user: Annotated[User, page_user("loans")], uscc: Annotated[str, Form()] = "",
                applied_wan: Annotated[str, Form()] = "", applied_on: Annotated[str, Form()] = "",
                first_loan: Annotated[str, Form()] = "", form_id: Annotated[str, Form()] = "",
                product_id: Annotated[str, Form()] = "", matchmaking_event_id: Annotated[str, Form()] = ""):
    """A bank records an application; what is wrong is said beside its field, the form kept."""
    if user.role != "bank":
        raise PortalError(403, "只有银行可以登记贷款申请。")
    typed = {"uscc": uscc, "applied_wan": applied_wan, "applied_on": applied_on, "first_loan": first_loan,
             "product_id": product_id, "matchmaking_event_id": matchmaking_event_id}
    errors = {}
    if bad := uscc_error(uscc.strip().upper()):
        errors["uscc"] = f"统一社会信用代码无效：{bad}"
    yuan = wan_to_yuan(applied_wan)
    if not yuan:
        errors["applied_wan"] = "请填写申请金额（万元），如 500。"
    if not applied_on:
        errors["applied_on"] = "请填写申请日期。"
    if not errors:
        body = {"uscc": uscc.strip().upper(), "applied_yuan": yuan, "applied_on": applied_on,
                # Only what the bank reported: left unreported, finance decides from every bank's cases.
                **({"first_loan": first_loan == "1"} if first_loan in ("0", "1") else {}),
                **{k: int(v) for k, v in (("product_id", product_id), ("matchmaking_event_id", matchmaking_event_id))
                   if v.isascii() and v.isdigit() and len(v) < 12}}
        loan, refused = await attempt_fields(api(request, user).post(
            "finance", "/loans", json=body, idempotency_key=f"portal-{form_id}" if form_id else None), typed)
        errors |= refused  # beside the field finance names (the product, the event, the code…), else above
        if not refused:
            flash(request, "ok", f"贷款申请已登记（案件 {loan['id']}）。")
            return back_to(request, f"/loans/{loan['id']}", "/loans")
    return await _list(request, user, "", "", 422, errors=errors, typed=typed)


async def _detail(request: Request, loan_id: str, user: User, status: int = 200, **ctx):
    a = api(request, user)
    case = await a.get("finance", f"/loans/{seg(loan_id, '贷款案件编号')}")
    # The product and the event by name; None when the role may not read them, {} when the service
    # does not show this caller the event (a guarantor that did not attend it).
    payables, product, event = await asyncio.gather(
        a.get("finance", "/payables", loan_id=case["id"], limit=100),
        optional(a.get("finance", f"/products/{case['product_id']}"), {}) if case.get("product_id") else nothing(),
        optional(a.get("finance", f"/matchmaking-events/{case['matchmaking_event_id']}"), {})
        if case.get("matchmaking_event_id") else nothing())
    await names_of(request).load(usccs=[case["uscc"]])
    # A guarantor or insurer of the case's product records its own decision (the service checks again).
    provides = bool(user.role == "bank" and product and product.get("provider_org") == user.org
                    and product.get("kind") in ("guarantee", "insurance"))
    return render(request, "loan.html", status, case=case, actions=ACTIONS, payables=payables["items"],
                  payable_states=PAYABLE_STATE_LABELS, product=product, event=event, product_kinds=PRODUCT_KINDS,
                  provides=provides, form_id=uuid.uuid4().hex, **ctx)


@router.get("/loans/{loan_id}")
async def loan(request: Request, loan_id: str, user: Annotated[User, page_user("loans")]):
    return await _detail(request, loan_id, user)


def _body(action: str, f: dict) -> tuple[dict, dict]:
    """The service's body for an action from the form, and what is wrong with the form (field → why)."""
    errors: dict[str, str] = {}

    def wan(name: str, zh: str) -> int | None:
        v = wan_to_yuan(f.get(name, ""))
        if v is None:
            errors[name] = f"请填写{zh}（万元）。"
        return v

    def yuan(name: str, zh: str, required: bool = True) -> int | None:
        text = f.get(name, "").strip()
        if not text and not required:
            return None
        v = decimal_units(text, 0)
        if v is None:
            errors[name] = f"请填写{zh}（元，整数）。"
        return v

    def day(name: str, zh: str) -> str:
        if not f.get(name):
            errors[name] = f"请填写{zh}。"
        return f.get(name, "")
    reason = (f.get("reason") or "").strip() or None
    if action in ("decision", "provider-decision"):
        if f.get("approved") not in ("1", "0"):
            errors["approved"] = "请选择批准或不批准。"
        body = {"approved": f.get("approved") == "1", "reason": reason,
                "decided_on": day("decided_on", "审批日期" if action == "decision" else "决定日期")}
    elif action == "draw":
        rate = decimal_units(f.get("rate_pct", ""), 2)
        if rate is None:
            errors["rate_pct"] = "请填写年利率（%），如 3.45。"
        body = {"drawn_yuan": wan("drawn_wan", "放款金额"), "drawn_on": day("drawn_on", "放款日期"), "rate_bp": rate,
                "due_on": day("due_on", "到期日")}
    elif action == "repayments":
        body = {"paid_on": day("paid_on", "支付日期"), "period_from": day("period_from", "计息起日"),
                "period_to": day("period_to", "计息止日"), "principal_yuan": yuan("principal_yuan", "本金", False),
                "interest_yuan": yuan("interest_yuan", "利息")}
    elif action == "repay":
        body = {"repaid_on": day("repaid_on", "结清日期")}
    elif action == "extend":
        if f.get("kind") not in ("extension", "renewal", "adjusted_plan"):
            errors["kind"] = "请选择展期、续期或调整还款计划。"
        if not reason:
            errors["reason"] = "请填写原因。"
        body = {"kind": f.get("kind"), "due_on": day("due_on", "新的到期日"), "reason": reason}
    else:  # default
        body = {"outstanding_yuan": wan("outstanding_wan", "未还本金"), "on": day("on", "认定日期"), "reason": reason}
    return {k: v for k, v in body.items() if v is not None}, errors


@router.post("/loans/{loan_id}/{action}", dependencies=[CsrfChecked])
async def act(request: Request, loan_id: str, action: str, user: Annotated[User, page_user("loans")]):
    if action not in ACTIONS:
        raise PortalError(404, "不支持的操作。")
    if user.role != "bank":
        raise PortalError(403, "只有放款银行可以办理贷款案件。")
    form = {k: str(v) for k, v in (await request.form()).items()}
    body, errors = _body(action, form)
    path = f"/loans/{seg(loan_id, '贷款案件编号')}/{action}"
    if not errors:
        _, refused = await attempt(api(request, user).post(
            "finance", path, json=body, idempotency_key=f"portal-{form.get('form_id')}" if form.get("form_id") else None))
        if refused:
            errors["form"] = refused
        else:
            flash(request, "ok", f"贷款案件 {loan_id}：{ACTIONS[action]}已登记。")
            return back_to(request, f"/loans/{loan_id}#{action}", "/loans")
    return await _detail(request, loan_id, user, 422, failed=action, errors=errors, typed=form)


@router.post("/loans/{loan_id}/ask/{what}", dependencies=[CsrfChecked])
async def ask(request: Request, loan_id: str, what: str, user: Annotated[User, page_user("loans")],
              form_id: Annotated[str, Form()] = ""):
    """The financial office asks the treasury to pay a quarter's 首贷贴息 (`what` = the quarter, 2025Q3) or
    a non-performing case's compensation (`what` = compensation); the treasury approves and pays it on the
    awards pages. The finance service decides the amount; its refusal is said on the case's page."""
    if user.role != "finance":
        raise PortalError(403, "只有区金融服务办可以申请拨付贴息或风险补偿。")
    loan_id = seg(loan_id, "贷款案件编号")
    path = (f"/loans/{loan_id}/compensation/request" if what == "compensation"
            else f"/loans/{loan_id}/interest-subsidy/{seg(what, '季度')}/request")
    done, refused = await attempt(api(request, user).post(
        "finance", path, idempotency_key=f"portal-{form_id}" if form_id else None))
    if refused:
        return await _detail(request, loan_id, user, 422, failed="ask", errors={"ask": refused})
    asked = done if isinstance(done, list) else [done]
    flash(request, "ok", f"已向区财政局申请拨付{asked[0]['kind_zh']} {sum(p['amount_yuan'] for p in asked):,} 元，"
                         "待财政局批准。")
    return back_to(request, f"/loans/{loan_id}#payables", "/loans")
