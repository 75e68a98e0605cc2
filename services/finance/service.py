"""Finance use cases. They write through the caller's session and never commit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.finance import events, rules
from services.finance.models import (InterestSubsidy, Loan, LoanChange, Product, RiskSplit, ServiceListEntry,
                                     TierChange)
from services.finance.schemas import (DecisionIn, DefaultIn, DrawIn, ExtendIn, LoanIn, ParameterIn, ProductIn,
                                      RepayIn, SubsidyIn)
from shared import audit, params
from shared.db import for_update, utcnow
from shared.errors import Problem, field_error, not_found
from shared.tables import PolicyParameter
from shared.tiers import Tier

MIN_TIER = "finance.service_list.min_tier"

# The parameters this service reads, and what a value must be (POST /parameters checks it).
PARAMETERS = {
    MIN_TIER: "tier",
    "finance.first_loan_subsidy.rate_bp": "bp",
    "finance.first_loan_subsidy.cap_bp": "bp",
    "finance.first_loan_subsidy.certified_rate_bp": "bp",
    "finance.first_loan_subsidy.certified_cap_bp": "bp",
    "finance.first_loan_subsidy.certified_min_tier": "tier",
    "finance.first_loan_subsidy.max_loan_yuan": "yuan",
    "finance.guarantee.guarantor_share_bp": "bp",
    "finance.guarantee.bank_share_min_bp": "bp",
    "finance.npl_compensation.rate_bp": "bp",
    "finance.npl_compensation.srdi_rate_bp": "bp",
    "finance.npl_compensation.srdi_min_tier": "tier",
}


# -- parameters --------------------------------------------------------------------------------

def _valid_value(kind: str, value) -> bool:
    if kind == "tier":
        return isinstance(value, str) and value in Tier.__members__
    if kind == "bp":
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= rules.BP
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10**13


def parameters_on(s: Session, on: dt.date) -> dict:
    return {"on": on.isoformat(),
            "parameters": {k: p.cite() for k, p in params.in_force(s, on, "finance.").items()}}


def add_parameter(s: Session, actor: str, body: ParameterIn, today: dt.date) -> dict:
    """A new dated row (history is never edited). A change of the list's threshold re-judges the list."""
    kind = PARAMETERS.get(body.key)
    if kind is None:
        raise field_error("key", f"未知参数，可用：{', '.join(sorted(PARAMETERS))}",
                          f"unknown parameter; one of {', '.join(sorted(PARAMETERS))}", "unknown-parameter")
    if not _valid_value(kind, body.value):
        want = {"tier": "层级代码 / a tier code", "bp": "0–10000 基点整数 / integer basis points 0–10000",
                "yuan": "整数元 / whole 元"}[kind]
        raise field_error("value", f"取值应为{want.split(' / ')[0]}", f"the value must be {want.split(' / ')[1]}")
    exists = s.scalars(select(PolicyParameter).where(PolicyParameter.key == body.key,
                                                     PolicyParameter.effective_from == body.effective_from)).first()
    if exists is not None:
        raise Problem(409, "parameter-exists", f"{body.key} 在 {body.effective_from} 已有取值",
                      f"{body.key} already has a value from {body.effective_from}; add a row with another date")
    row = PolicyParameter(key=body.key, value=body.value, effective_from=body.effective_from,
                          legal_ref=body.legal_ref, set_by=actor)
    s.add(row)
    s.flush()
    doc = params.Param(row.id, row.key, row.value, row.effective_from, row.legal_ref).cite()
    audit.record(s, actor, "parameter.add", "policy_parameter", str(row.id), None, doc)
    if body.key == MIN_TIER:
        rebuild_service_list(s, today, actor)
    return doc


def _history(s: Session, key: str) -> list[tuple[dt.date, object]]:
    rows = s.execute(select(PolicyParameter.effective_from, PolicyParameter.value)
                     .where(PolicyParameter.key == key).order_by(PolicyParameter.effective_from))
    return [(r.effective_from, r.value) for r in rows]


def _values(s: Session, on: dt.date, prefix: str) -> tuple[dict, list[dict]]:
    """Parameter values in force on a date under a prefix (key without the prefix), and their citations.
    Before a parameter's first row, its first row applies (as for the list's threshold)."""
    found = params.in_force(s, on, prefix)
    for key in PARAMETERS:
        if key.startswith(prefix) and key not in found:
            row = s.scalars(select(PolicyParameter).where(PolicyParameter.key == key)
                            .order_by(PolicyParameter.effective_from).limit(1)).first()
            if row is None:
                raise Problem(503, "parameter-missing", f"缺少政策参数 {key}", f"Policy parameter {key} is not set")
            found[key] = params.Param(row.id, row.key, row.value, row.effective_from, row.legal_ref)
    return {k.removeprefix(prefix): p.value for k, p in found.items()}, [p.cite() for p in found.values()]


# -- the service list ----------------------------------------------------------------------------

def _fact(c: TierChange) -> rules.Fact:
    return rules.Fact(c.uscc, c.version, c.kind, c.from_tier, c.to_tier, c.effective_on, c.name, c.event_id)


def _changes_of(s: Session, uscc: str) -> list[TierChange]:
    return list(s.scalars(select(TierChange).where(TierChange.uscc == uscc).order_by(TierChange.version)))


def entry_dict(e: ServiceListEntry, with_removal: bool = False) -> dict:
    doc = {"uscc": e.uscc, "name": e.name, "tier": e.tier, "since": e.since and e.since.isoformat()}
    if with_removal:
        doc |= {"listed": e.listed, "removed_on": e.removed_on and e.removed_on.isoformat()}
    return doc


SHOWN = ("name", "tier", "listed", "since", "removed_on")  # what a bank's copy of an entry holds


def _refold(s: Session, entry: ServiceListEntry | None, uscc: str, today: dt.date, actor: str,
            thresholds: list[tuple[dt.date, object]]) -> bool:
    """Recompute one enterprise's entry from every tier fact held. A change of what a bank sees is
    dated (changed_on, for the sync view), audited and announced. Returns whether it changed."""
    changes = _changes_of(s, uscc)
    listing = rules.listing([_fact(c) for c in changes], thresholds, today)
    after = {"name": changes[-1].name, "tier": listing.tier, "listed": listing.listed,
             "since": listing.since, "removed_on": listing.removed_on}
    if entry is None:
        entry = ServiceListEntry(uscc=uscc, changed_on=today, changed_at=utcnow(), **after)
        s.add(entry)
        before = None
    else:
        before = {k: getattr(entry, k) for k in SHOWN}
    entry.version, entry.judged_on = changes[-1].version, today
    if before == after:
        return False
    for k, v in after.items():
        setattr(entry, k, v)
    entry.changed_on, entry.changed_at = today, utcnow()
    s.flush()
    # Announce what a bank can see: an enterprise that is, or was, on the list (not an innovative SME's tier).
    if (before and (before["listed"] or before["removed_on"])) or listing.listed or listing.removed_on:
        events.service_list_changed(s, entry)
        audit.record(s, actor, "service_list.change", "service_list_entry", uscc,
                     before and _jsonable(before), _jsonable(after))
    return True


def _jsonable(d: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in d.items()}


def record_tier_fact(s: Session, fact: rules.Fact, today: dt.date) -> None:
    """Fold one registry tier event into the service list. Idempotent: the fact's natural key is
    (uscc, enterprise_version), so a repeat (even under another event id) changes nothing."""
    # Lock the enterprise's entry, so that two replicas folding two facts of one enterprise take turns.
    entry = s.scalars(for_update(s, select(ServiceListEntry).where(ServiceListEntry.uscc == fact.uscc))).first()
    if s.get(TierChange, (fact.uscc, fact.version)) is not None:
        return
    s.add(TierChange(uscc=fact.uscc, version=fact.version, kind=fact.kind, from_tier=fact.from_tier,
                     to_tier=fact.to_tier, effective_on=fact.on, name=fact.name, event_id=fact.event_id))
    s.flush()
    _refold(s, entry, fact.uscc, today, f"event:{fact.event_id}", _history(s, MIN_TIER))


def rebuild_service_list(s: Session, today: dt.date, actor: str = "system:service-list",
                         only_stale: bool = False) -> int:
    """Re-judge entries against the threshold history: all of them, or (`only_stale`) those last
    judged before the newest threshold change in force today. Returns how many changed."""
    thresholds = _history(s, MIN_TIER)
    stmt = select(ServiceListEntry).order_by(ServiceListEntry.uscc)
    if only_stale:
        in_force = [since for since, _ in thresholds if since <= today]
        if not in_force:
            return 0
        stmt = stmt.where(ServiceListEntry.judged_on < max(in_force))
    return sum(_refold(s, entry, entry.uscc, today, actor, thresholds)
               for entry in s.scalars(for_update(s, stmt)).all())


def service_list(s: Session, limit: int, after: str | None, changed_since: dt.date | None,
                 tier: str | None) -> list[dict]:
    """Listed enterprises by USCC; with `changed_since`, every entry whose listing changed on or after
    that date — by the date the change took effect or the date finance recorded it — including
    those removed, so that a bank's copy can be brought up to date."""
    stmt = select(ServiceListEntry).order_by(ServiceListEntry.uscc).limit(limit + 1)
    if after:
        stmt = stmt.where(ServiceListEntry.uscc > after)
    if tier:
        stmt = stmt.where(ServiceListEntry.tier == tier)
    if changed_since is None:
        stmt = stmt.where(ServiceListEntry.listed.is_(True))
    else:
        stmt = stmt.where(
            (ServiceListEntry.listed.is_(True) | ServiceListEntry.removed_on.is_not(None)),
            (ServiceListEntry.changed_on >= changed_since) | (ServiceListEntry.since >= changed_since)
            | (ServiceListEntry.removed_on >= changed_since))
    return [entry_dict(e, with_removal=changed_since is not None) for e in s.scalars(stmt)]


def listed_entry(s: Session, uscc: str) -> ServiceListEntry:
    e = s.get(ServiceListEntry, uscc)
    if e is None or not (e.listed or e.removed_on):
        raise not_found("服务名单企业", "Service-list enterprise", uscc)
    return e


def tier_on(s: Session, uscc: str, on: dt.date) -> str:
    return rules.tier_on([_fact(c) for c in _changes_of(s, uscc)], on)


# -- products ------------------------------------------------------------------------------------

def product_dict(p: Product) -> dict:
    return {"id": p.id, "kind": p.kind, "name": p.name, "provider_org": p.provider_org,
            "description": p.description, "active": p.active}


def create_product(s: Session, actor: str, body: ProductIn) -> Product:
    dup = s.scalars(select(Product).where(Product.provider_org == body.provider_org,
                                          Product.name == body.name)).first()
    if dup is not None:
        raise Problem(409, "product-exists", f"{body.provider_org} 已有产品「{body.name}」",
                      f"{body.provider_org} already offers a product named {body.name!r}", existing=product_dict(dup))
    p = Product(**body.model_dump())
    s.add(p)
    s.flush()
    audit.record(s, actor, "product.create", "product", str(p.id), None, product_dict(p))
    return p


# -- loan cases ------------------------------------------------------------------------------------

def loan_dict(s: Session, loan: Loan, history: bool = False) -> dict:
    doc = {"id": loan.id, "bank": loan.bank, "uscc": loan.uscc, "product_id": loan.product_id,
           "guarantor": loan.guarantor, "state": loan.state, "applied_yuan": loan.applied_yuan,
           "applied_on": loan.applied_on.isoformat(), "first_loan": loan.first_loan,
           "decided_on": loan.decided_on and loan.decided_on.isoformat(), "drawn_yuan": loan.drawn_yuan,
           "drawn_on": loan.drawn_on and loan.drawn_on.isoformat(), "rate_bp": loan.rate_bp,
           "due_on": loan.due_on and loan.due_on.isoformat(), "closed_on": loan.closed_on and loan.closed_on.isoformat(),
           "tier_at_draw": loan.tier_at_draw}
    if history:
        doc["history"] = [{"action": c.action, "on": c.effective_on.isoformat(), "actor": c.actor,
                           "reason": c.reason, "facts": c.facts}
                          for c in s.scalars(select(LoanChange).where(LoanChange.loan_id == loan.id)
                                             .order_by(LoanChange.id))]
    return doc


def _change(s: Session, loan: Loan, actor: str, action: str, on: dt.date, reason: str | None,
            facts: dict, before: dict) -> None:
    s.add(LoanChange(loan_id=loan.id, action=action, effective_on=on, actor=actor, reason=reason, facts=facts))
    s.flush()
    after = loan_dict(s, loan)
    audit.record(s, actor, f"loan.{action}", "loan", str(loan.id), before, after)
    events.loan_changed(s, loan, action)


def _require_state(loan: Loan, *states: str) -> None:
    if loan.state not in states:
        raise Problem(409, "invalid-loan-state", f"贷款当前状态为 {loan.state}，不能执行此操作",
                      f"The loan is {loan.state}; this needs it to be {' or '.join(states)}", state=loan.state)


def _not_before(field: str, day: dt.date, earlier: dt.date, what: str) -> None:
    if day < earlier:
        raise field_error(field, f"早于{what}（{earlier}）", f"is before the {what} ({earlier})", "date-order")


def create_loan(s: Session, actor: str, bank: str, body: LoanIn) -> Loan:
    entry = s.get(ServiceListEntry, body.uscc)
    if entry is None or not entry.listed:
        raise Problem(422, "not-on-service-list", f"企业不在专精特新企业服务名单上：{body.uscc}",
                      f"The enterprise is not on the SRDI service list: {body.uscc}",
                      errors=[{"loc": ["body", "uscc"], "msg": "not on the service list", "type": "not-on-service-list"}])
    guarantor = body.guarantor
    if body.product_id is not None:
        product = s.get(Product, body.product_id)
        if product is None or not product.active:
            raise field_error("product_id", "产品不存在或已停用", "no such active product", "unknown-product")
        if product.kind == "loan" and product.provider_org != bank:
            raise field_error("product_id", "该贷款产品不属于本行", "the loan product belongs to another bank",
                              "foreign-product")
        if product.kind == "guarantee":
            if guarantor and guarantor != product.provider_org:
                raise field_error("guarantor", "与担保产品的担保机构不一致",
                                  "differs from the guarantee product's provider", "guarantor-mismatch")
            guarantor = product.provider_org
    loan = Loan(bank=bank, uscc=body.uscc, product_id=body.product_id, guarantor=guarantor, state="applied",
                applied_yuan=body.applied_yuan, applied_on=body.applied_on, first_loan=body.first_loan)
    s.add(loan)
    s.flush()
    _change(s, loan, actor, "apply", body.applied_on, None, body.model_dump(mode="json"), None)
    return loan


def decide(s: Session, actor: str, loan: Loan, body: DecisionIn) -> Loan:
    _require_state(loan, "applied")
    _not_before("decided_on", body.decided_on, loan.applied_on, "申请日期 / application date")
    before = loan_dict(s, loan)
    loan.state, loan.decided_on = ("approved" if body.approved else "declined"), body.decided_on
    _change(s, loan, actor, "approve" if body.approved else "decline", body.decided_on, body.reason,
            body.model_dump(mode="json"), before)
    return loan


def draw(s: Session, actor: str, loan: Loan, body: DrawIn) -> Loan:
    _require_state(loan, "approved")
    _not_before("drawn_on", body.drawn_on, loan.decided_on, "审批日期 / decision date")
    before = loan_dict(s, loan)
    loan.state, loan.drawn_yuan, loan.drawn_on = "drawn", body.drawn_yuan, body.drawn_on
    loan.rate_bp, loan.due_on = body.rate_bp, body.due_on
    loan.tier_at_draw = tier_on(s, loan.uscc, body.drawn_on)
    _change(s, loan, actor, "draw", body.drawn_on, None, body.model_dump(mode="json"), before)
    return loan


def extend(s: Session, actor: str, loan: Loan, body: ExtendIn, today: dt.date) -> Loan:
    """展期 (extension: a later due date) or 续期 (renewal: a new term, possibly at a new rate)."""
    _require_state(loan, "drawn")
    if body.due_on <= loan.due_on:
        raise field_error("due_on", f"须晚于当前到期日（{loan.due_on}）", f"must be after the current due date ({loan.due_on})",
                          "date-order")
    before = loan_dict(s, loan)
    loan.due_on = body.due_on
    if body.rate_bp is not None:
        loan.rate_bp = body.rate_bp
    _change(s, loan, actor, body.kind, today, body.reason, body.model_dump(mode="json"), before)
    return loan


def repay(s: Session, actor: str, loan: Loan, body: RepayIn) -> Loan:
    _require_state(loan, "drawn")
    _not_before("repaid_on", body.repaid_on, loan.drawn_on, "放款日期 / draw date")
    before = loan_dict(s, loan)
    loan.state, loan.closed_on = "repaid", body.repaid_on
    _change(s, loan, actor, "repay", body.repaid_on, None, body.model_dump(mode="json"), before)
    return loan


def subsidy_dict(x: InterestSubsidy) -> dict:
    return {"loan_id": x.loan_id, "interest_paid_yuan": x.interest_paid_yuan, "amount_yuan": x.amount_yuan,
            "basis": x.basis}


def claim_subsidy(s: Session, actor: str, loan: Loan, body: SubsidyIn) -> InterestSubsidy:
    """首贷贴息 on the first year's interest of a first loan, computed once with the parameters in force
    on the draw date."""
    _require_state(loan, "drawn", "repaid")
    if s.scalars(select(InterestSubsidy).where(InterestSubsidy.loan_id == loan.id)).first() is not None:
        raise Problem(409, "subsidy-exists", "该贷款已计算过首贷贴息（最多一年）",
                      "The first-loan subsidy of this loan was already computed (one year at most)")
    a_year = loan.drawn_yuan * loan.rate_bp // rules.BP + 1  # + 1 元: the bank's own rounding
    if body.interest_paid_yuan > a_year:
        raise field_error("interest_paid_yuan", f"超过按利率计算的一年利息（{a_year} 元）",
                          f"exceeds a year's interest at the loan's rate ({a_year} 元)", "interest-too-high")
    values, cited = _values(s, loan.drawn_on, "finance.first_loan_subsidy.")
    terms = rules.SubsidyTerms(values["rate_bp"], values["cap_bp"], values["certified_rate_bp"],
                               values["certified_cap_bp"], values["certified_min_tier"], values["max_loan_yuan"])
    tier = loan.tier_at_draw or "sme"
    result = rules.first_loan_subsidy(body.interest_paid_yuan, loan.drawn_yuan, tier, loan.first_loan, terms)
    if not result.eligible:
        zh = {"not-first-loan": "不是首贷", "loan-above-maximum": f"单笔贷款超过 {terms.max_loan_yuan} 元"}[result.reason]
        raise Problem(422, result.reason, f"不符合首贷贴息条件：{zh}",
                      f"Not eligible for the first-loan interest subsidy: {result.reason}")
    basis = {"rule": "first_loan_subsidy.v1", "tier_at_draw": tier, "certified": result.certified,
             "rate_bp": result.rate_bp, "cap_bp": result.cap_bp, "by_rate_yuan": result.by_rate_yuan,
             "cap_yuan": result.cap_yuan, "drawn_yuan": loan.drawn_yuan, "parameters": cited,
             "formula": "min(interest_paid × rate, drawn × cap), rounded down to whole 元"}
    row = InterestSubsidy(loan_id=loan.id, interest_paid_yuan=body.interest_paid_yuan,
                          amount_yuan=result.amount_yuan, basis=basis)
    s.add(row)
    s.flush()
    audit.record(s, actor, "loan.interest_subsidy", "loan", str(loan.id), None, subsidy_dict(row))
    return row


def split_dict(x: RiskSplit) -> dict:
    return {"loan_id": x.loan_id, "outstanding_yuan": x.outstanding_yuan, "bank_yuan": x.bank_yuan,
            "guarantor_yuan": x.guarantor_yuan, "compensation_yuan": x.compensation_yuan, "basis": x.basis}


def default(s: Session, actor: str, loan: Loan, body: DefaultIn) -> RiskSplit:
    """The loan turns non-performing: split the outstanding principal between the bank and the
    guarantor, and compute the district's compensation (parameters in force on the default date;
    the SRDI rate by the enterprise's tier when the loan was drawn)."""
    _require_state(loan, "drawn")
    _not_before("on", body.on, loan.drawn_on, "放款日期 / draw date")
    if body.outstanding_yuan > loan.drawn_yuan:
        raise field_error("outstanding_yuan", f"超过放款金额（{loan.drawn_yuan} 元）",
                          f"exceeds the amount drawn ({loan.drawn_yuan} 元)", "outstanding-too-high")
    g, g_cited = _values(s, body.on, "finance.guarantee.")
    c, c_cited = _values(s, body.on, "finance.npl_compensation.")
    terms = rules.RiskTerms(g["guarantor_share_bp"], g["bank_share_min_bp"], c["rate_bp"], c["srdi_rate_bp"],
                            c["srdi_min_tier"])
    tier = loan.tier_at_draw or "sme"
    split = rules.npl_split(body.outstanding_yuan, loan.guarantor is not None, tier, terms)
    before = loan_dict(s, loan)
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
