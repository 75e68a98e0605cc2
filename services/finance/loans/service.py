"""Loan-case use cases: apply, decide, a provider's decision, draw, extend, repay, repayment records,
default. They write through the caller's session and never commit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.finance import events, parameters, rules
from services.finance.loans import repository, rules as steps, subsidy
from services.finance.loans.schemas import (
    DecisionIn,
    DefaultIn,
    DrawIn,
    ExtendIn,
    LoanDetail,
    LoanIn,
    LoanPublic,
    ProviderDecisionPublic,
    RepayIn,
    RepaymentIn,
    RepaymentPublic,
    RiskSplitPublic,
)
from services.finance.matchmaking import repository as matchmaking
from services.finance.service_list.service import on_service_list
from services.finance.tables import Loan, LoanChange, LoanRepayment, ProviderDecision, RiskSplit
from shared import audit, projection
from shared.auth import Principal
from shared.db import insert
from shared.errors import Problem, field_error, not_found

STATE_ZH = {"applied": "已申请", "approved": "已批准", "declined": "已拒绝", "drawn": "已放款", "repaid": "已结清",
            "non_performing": "不良"}
APPLIED = ("申请日期", "application date")
DECIDED = ("审批日期", "decision date")
DRAWN = ("放款日期", "draw date")


def loan_for(s: Session, who: Principal, loan_id: int, lock: bool = False, lender: bool = False) -> Loan:
    """A case in the caller's scope (else 404); `lender`: an action only the lending bank takes (403
    for a guarantor or insurer of the case, who sees it but does not lend)."""
    loan = repository.get(s, who, loan_id, lock)
    if loan is None:
        raise not_found("贷款", "Loan", str(loan_id))
    if lender and who.role == "bank" and loan.bank != who.org:
        raise Problem(403, "not-the-lender", "只有放贷银行可作此操作",
                      "Only the lending bank takes this step; a guarantor or insurer records its own decision "
                      "(POST /loans/{id}/provider-decision)")
    return loan


def lent(s: Session, who: Principal, loan_id: int) -> Loan:
    """The case, locked, for a step only its lending bank takes."""
    return loan_for(s, who, loan_id, lock=True, lender=True)


def tier_at_draw(s: Session, loan: Loan) -> str | None:
    """The enterprise's tier on the draw date, by the registry's record as held now."""
    return projection.tier_of(s, loan.uscc, loan.drawn_on) if loan.drawn_on else None


def public(s: Session, loan: Loan) -> LoanPublic:
    first, why = subsidy.first_loan_status(s, loan)
    columns = {k: getattr(loan, k) for k in LoanPublic.model_fields if k in Loan.model_fields}
    return LoanPublic.model_validate({
        **columns, "first_loan": first, "first_loan_reason": why, "tier_at_draw": tier_at_draw(s, loan),
        "provider_decisions": [ProviderDecisionPublic.model_validate(d)
                               for d in repository.provider_decisions(s, loan.id)]})


def detail(s: Session, loan: Loan, today: dt.date) -> LoanDetail:
    """The case with its history, repayments, first-loan subsidy and risk split."""
    split = repository.risk_split(s, loan.id)
    return LoanDetail.model_validate({
        **dict(public(s, loan)), "history": repository.changes(s, loan.id),
        "repayments": repository.repayments(s, loan.id), "interest_subsidy": subsidy.subsidy_schedule(s, loan, today),
        "risk_split": split and RiskSplitPublic.model_validate(split)})


def _json(s: Session, loan: Loan | None) -> dict | None:
    """An audit row's before/after: the case's facts, not the `actions` the answer derives from them."""
    return loan and public(s, loan).model_dump(mode="json", exclude={"actions"})


def _change(s: Session, loan: Loan, actor: str, action: str, on: dt.date, reason: str | None,
            facts: dict, before: dict | None) -> None:
    s.add(LoanChange(loan_id=loan.id, action=action, effective_on=on, actor=actor, reason=reason, facts=facts))
    s.flush()
    audit.record(s, actor, f"loan.{action}", "loan", str(loan.id), before, _json(s, loan))
    events.loan_changed(s, loan, action)


def _require_state(loan: Loan, step: str) -> None:
    """409 unless the case's state allows `step` (loans.rules.STEPS: what `actions` answers too)."""
    states = steps.states_for(step)
    if loan.state not in states:
        want = "或".join(STATE_ZH[x] for x in states)
        raise Problem(409, "invalid-loan-state", f"贷款当前状态为{STATE_ZH[loan.state]}，此操作需要{want}",
                      f"The loan is {loan.state}; this needs it to be {' or '.join(states)}", state=loan.state)


def _not_before(field: str, day: dt.date, earlier: dt.date, what: tuple[str, str]) -> None:
    if day < earlier:
        raise field_error(field, f"早于{what[0]}（{earlier}）", f"is before the {what[1]} ({earlier})", "date-order")


def _guarantor(s: Session, bank: str, body: LoanIn) -> str | None:
    """The case's guarantor: the one named, or the provider of its guarantee product."""
    if body.product_id is None:
        return body.guarantor
    product = repository.product(s, body.product_id)
    why = "unknown-product" if product is None else rules.product_refusal(product.kind, product.provider_org,
                                                                         product.active, bank)
    if why == "unknown-product":
        raise field_error("product_id", "产品不存在或已停用", "no such active product", why)
    if why == "foreign-product":
        raise field_error("product_id", "该贷款产品不属于本行", "the loan product belongs to another bank", why)
    if product.kind != "guarantee":
        return body.guarantor
    if body.guarantor and body.guarantor != product.provider_org:
        raise field_error("guarantor", "与担保产品的担保机构不一致", "differs from the guarantee product's provider",
                          "guarantor-mismatch")
    return product.provider_org


def create_loan(s: Session, actor: str, bank: str, body: LoanIn, today: dt.date) -> Loan:
    if not on_service_list(s, body.uscc, today):
        raise Problem(422, "not-on-service-list", f"企业不在专精特新企业服务名单上：{body.uscc}",
                      f"The enterprise is not on the SRDI service list: {body.uscc}",
                      errors=[{"loc": ["body", "uscc"], "msg": "not on the service list", "type": "not-on-service-list"}])
    guarantor = _guarantor(s, bank, body)
    if body.matchmaking_event_id is not None:
        mm = matchmaking.get(s, None, body.matchmaking_event_id)
        if mm is None or bank not in mm.banks:
            raise field_error("matchmaking_event_id", "对接活动不存在或本行未参加",
                              "no such matchmaking event, or the bank did not attend it", "unknown-matchmaking-event")
    loan = Loan(bank=bank, uscc=body.uscc, product_id=body.product_id, guarantor=guarantor, state="applied",
                applied_yuan=body.applied_yuan, applied_on=body.applied_on,
                prior_loan_declared=body.first_loan is False, matchmaking_event_id=body.matchmaking_event_id)
    s.add(loan)
    s.flush()
    _change(s, loan, actor, "apply", body.applied_on, None, body.model_dump(mode="json"), None)
    return loan


def decide(s: Session, actor: str, loan: Loan, body: DecisionIn) -> Loan:
    _require_state(loan, "decision")
    _not_before("decided_on", body.decided_on, loan.applied_on, APPLIED)
    before = _json(s, loan)
    loan.state, loan.decided_on = ("approved" if body.approved else "declined"), body.decided_on
    _change(s, loan, actor, "approve" if body.approved else "decline", body.decided_on, body.reason,
            body.model_dump(mode="json"), before)
    return loan


def provider_decide(s: Session, actor: str, org: str, loan: Loan, body: DecisionIn) -> Loan:
    """The guarantor (专精特新保) or insurer (专精特新险) of the case's product records its own decision to
    cover the case, once, while the loan is not yet drawn (applied or approved). The lending bank's
    loan decision is `decide`; a loan product's provider is the bank itself, so it has no second step."""
    product = repository.product(s, loan.product_id)
    if not product or product.provider_org != org or product.kind not in ("guarantee", "insurance"):
        raise Problem(403, "not-the-provider", "只有本案担保/保险产品的提供机构可作此决定",
                      "Only the provider of the case's guarantee or insurance product records this decision")
    _require_state(loan, "provider_decision")
    _not_before("decided_on", body.decided_on, loan.applied_on, APPLIED)
    dup = repository.provider_decision(s, loan.id, org)
    conflict = Problem(409, "provider-decided", "本机构已对该案作出决定", "This provider has already decided the case",
                       **({"existing": ProviderDecisionPublic.model_validate(dup).model_dump(mode="json")}
                          if dup else {}))
    if dup is not None:
        raise conflict
    before = _json(s, loan)
    d = ProviderDecision(loan_id=loan.id, org=org, kind=product.kind, approved=body.approved,
                         decided_on=body.decided_on, reason=body.reason, decided_by=actor)
    insert(s, d, conflict)
    action = f"{product.kind}_{'approve' if body.approved else 'decline'}"
    _change(s, loan, actor, action, body.decided_on, body.reason, body.model_dump(mode="json"), before)
    return loan


def draw(s: Session, actor: str, loan: Loan, body: DrawIn) -> Loan:
    _require_state(loan, "draw")
    _not_before("drawn_on", body.drawn_on, loan.decided_on, DECIDED)
    before = _json(s, loan)
    loan.state, loan.drawn_yuan, loan.drawn_on = "drawn", body.drawn_yuan, body.drawn_on
    loan.rate_bp, loan.due_on = body.rate_bp, body.due_on
    _change(s, loan, actor, "draw", body.drawn_on, None, body.model_dump(mode="json"), before)
    return loan


def extend(s: Session, actor: str, loan: Loan, body: ExtendIn, today: dt.date) -> Loan:
    """展期 (extension: a later due date), 续期 (renewal: a new term, possibly at a new rate) or an
    adjusted repayment plan (调整还款计划: the reason states the plan; the due date may stay)."""
    _require_state(loan, "extend")
    on = body.on or today  # never after today (schemas.FactDay)
    if body.on is not None:
        _not_before("on", body.on, loan.drawn_on, DRAWN)
    if body.due_on < loan.due_on or (body.due_on == loan.due_on and body.kind != "adjusted_plan"):
        raise field_error("due_on", f"须晚于当前到期日（{loan.due_on}）", f"must be after the current due date ({loan.due_on})",
                          "date-order")
    before = _json(s, loan)
    loan.due_on = body.due_on
    if body.rate_bp is not None:
        loan.rate_bp = body.rate_bp
    _change(s, loan, actor, body.kind, on, body.reason, body.model_dump(mode="json"), before)
    return loan


def repay(s: Session, actor: str, loan: Loan, body: RepayIn) -> Loan:
    _require_state(loan, "repay")
    _not_before("repaid_on", body.repaid_on, loan.drawn_on, DRAWN)
    before = _json(s, loan)
    loan.state, loan.closed_on = "repaid", body.repaid_on
    _change(s, loan, actor, "repay", body.repaid_on, None, body.model_dump(mode="json"), before)
    return loan


def _repayment_json(r: LoanRepayment) -> dict:
    return RepaymentPublic.model_validate(r).model_dump(mode="json")


def add_repayment(s: Session, actor: str, loan: Loan, body: RepaymentIn) -> LoanRepayment:
    """A repayment record of a drawn loan (principal and the interest of a period). The interest may
    not exceed the period's interest at the loan's rate (actual/365, + 1 元 for the bank's rounding)."""
    _require_state(loan, "repayments")
    _not_before("period_from", body.period_from, loan.drawn_on, DRAWN)
    if loan.closed_on and body.period_to > loan.closed_on:
        raise field_error("period_to", f"晚于结清日期（{loan.closed_on}）", f"is after the loan was closed ({loan.closed_on})",
                          "date-order")
    days = (body.period_to - body.period_from).days + 1
    most = loan.drawn_yuan * loan.rate_bp * days // (rules.BP * 365) + 1
    if body.interest_yuan > most:
        raise field_error("interest_yuan", f"超过按贷款利率计算的该期利息（{most} 元）",
                          f"exceeds the period's interest at the loan's rate ({most} 元)", "interest-too-high")
    # The interest of a day is paid once: a second record of interest for days already covered
    # (a resent record, an overlapping period) would count them twice in the 首贷贴息.
    clash = body.interest_yuan > 0 and repository.interest_clash(s, loan.id, body.period_from, body.period_to)
    if clash:
        raise Problem(422, "period-overlap",
                      f"付息期间与已记录的付息期间（{clash.period_from}–{clash.period_to}）重叠",
                      f"the interest period overlaps one already recorded ({clash.period_from}–{clash.period_to})",
                      errors=[{"loc": ["body", "period_from"], "msg": "overlaps a recorded interest period",
                               "type": "period-overlap"}], existing=_repayment_json(clash))
    if repository.principal_repaid(s, loan.id) + body.principal_yuan > loan.drawn_yuan:
        raise field_error("principal_yuan", f"累计还本超过放款金额（{loan.drawn_yuan} 元）",
                          f"principal repaid would exceed the amount drawn ({loan.drawn_yuan} 元)", "principal-too-high")
    row = LoanRepayment(loan_id=loan.id, recorded_by=actor, **body.model_dump())
    s.add(row)
    s.flush()
    audit.record(s, actor, "loan.repayment", "loan", str(loan.id), None, _repayment_json(row))
    return row


def default(s: Session, actor: str, loan: Loan, body: DefaultIn) -> RiskSplit:
    """The loan turns non-performing: split the outstanding principal between the bank and the
    guarantor, and compute the district's compensation (parameters in force on the draw date;
    the SRDI rate by the enterprise's tier when the loan was drawn)."""
    _require_state(loan, "default")
    _not_before("on", body.on, loan.drawn_on, DRAWN)
    # The outstanding principal is at most what was drawn less the principal repaid by the records:
    # the split and the district's compensation are shares of it.
    left = loan.drawn_yuan - repository.principal_repaid(s, loan.id)
    if body.outstanding_yuan > left:
        raise field_error("outstanding_yuan", f"超过未还本金（放款 {loan.drawn_yuan} 元，已还本 {loan.drawn_yuan - left} 元）",
                          f"exceeds the principal not yet repaid ({loan.drawn_yuan} 元 drawn, "
                          f"{loan.drawn_yuan - left} 元 repaid)", "outstanding-too-high")
    # Issue 5: "computed from the parameters in force on the loan's date" — the draw date, the day the
    # bank took the risk on the terms then announced (a later change does not rewrite a running loan).
    g, g_cited = parameters.values(s, loan.drawn_on, "finance.guarantee.")
    c, c_cited = parameters.values(s, loan.drawn_on, "finance.npl_compensation.")
    terms = rules.RiskTerms(g["guarantor_share_bp"], g["bank_share_min_bp"], c["rate_bp"], c["srdi_rate_bp"],
                            c["srdi_min_tier"])
    tier = tier_at_draw(s, loan)  # by the record as held now: a back-dated revocation counts
    if rules.shares_exceed(terms.guarantor_share_bp, terms.bank_share_min_bp):  # stored before the policy's check
        raise Problem(503, "inconsistent-policy",
                      f"{loan.drawn_on} 在用的担保机构分担比例与银行最低分担比例之和超过 100%，请区金融办更正政策参数",
                      f"The guarantee shares in force on {loan.drawn_on} exceed 100 %: the finance office must "
                      "correct the policy parameters")
    split = rules.npl_split(body.outstanding_yuan, loan.guarantor is not None, tier, terms)
    before = _json(s, loan)
    loan.state, loan.closed_on = "non_performing", body.on
    basis = {"rule": "npl_split.v1", "guaranteed": loan.guarantor is not None, "guarantor": loan.guarantor,
             "tier_at_draw": tier, "srdi": split.srdi, "guarantor_share_bp": split.guarantor_share_bp,
             "compensation_bp": split.compensation_bp,
             "compensation_to_bank_yuan": split.compensation_to_bank_yuan,
             "compensation_to_guarantor_yuan": split.compensation_to_guarantor_yuan,
             "parameters": g_cited + c_cited}
    row = RiskSplit(loan_id=loan.id, outstanding_yuan=split.outstanding_yuan, bank_yuan=split.bank_yuan,
                    guarantor_yuan=split.guarantor_yuan, compensation_yuan=split.compensation_yuan, basis=basis)
    s.add(row)
    _change(s, loan, actor, "default", body.on, body.reason, body.model_dump(mode="json"), before)
    return row
