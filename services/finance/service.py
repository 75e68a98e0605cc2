"""Finance use cases. They write through the caller's session and never commit."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.finance import events, rules
from services.finance.models import (FundInvestment, GuidanceFund, ListingPipeline, ListingStage, Loan, LoanChange,
                                     LoanRepayment, MatchmakingAttendee, MatchmakingEvent, Product, ProviderDecision,
                                     RiskSplit, ServiceListEntry, SubsidyPayment)
from services.finance.schemas import (DecisionIn, DefaultIn, DrawIn, ExtendIn, FundIn, InvestmentIn, LoanIn,
                                      MatchmakingIn, ProductIn, RepaymentIn, RepayIn, StageIn)
from shared import audit, params, projection
from shared.contracts.registry import EnterpriseRecord
from shared.db import for_update, utcnow
from shared.errors import Problem, field_error, not_found
from shared.sheets import safe_cell
from shared.tables import PolicyParameter
from shared.tiers import TIER_ZH, Tier, rank

MIN_TIER = "finance.service_list.min_tier"

# The parameters this service reads, and what a value must be (PUT /api/v1/policy checks it through
# validate_policy_value, the policy_validator of SPEC in main.py).
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
    "finance.guidance_fund.srdi_share_min_bp": "bp",
    "finance.guidance_fund.srdi_min_tier": "tier",
}


def _insert(s: Session, row, conflict: Problem) -> None:
    """Insert a row under a savepoint: a unique key taken meanwhile by a concurrent request (the
    check before it could not see that one) becomes the given 409, not a 500."""
    try:
        with s.begin_nested():
            s.add(row)
            s.flush()
    except IntegrityError as e:
        raise conflict from e


# -- parameters --------------------------------------------------------------------------------

def _valid_value(kind: str, value) -> bool:
    if kind == "tier":
        return isinstance(value, str) and value in Tier.__members__
    if kind == "bp":
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= rules.BP
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10**13


_WANT = {"tier": ("层级代码", "a tier code"), "bp": ("0–10000 基点整数", "integer basis points 0–10000"),
         "yuan": ("不超过 10^13 的整数元", "whole 元 up to 10^13")}


def validate_policy_value(key: str, value) -> tuple[str, str] | None:
    """The finance check of a new policy version's value (ServiceSpec.policy_validator): why it is
    refused (Chinese, English), or None. A key this service does not read is left to shared.policy
    (404 when it has no version)."""
    kind = PARAMETERS.get(key)
    if kind is None or _valid_value(kind, value):
        return None
    zh, en = _WANT[kind]
    return f"取值应为{zh}", f"the value must be {en}"


def threshold_versions(s: Session) -> dict[int, dt.date]:
    """Every version of the list's threshold: row id -> effective date."""
    rows = s.execute(select(PolicyParameter.id, PolicyParameter.effective_from).where(PolicyParameter.key == MIN_TIER))
    return {row_id: since for row_id, since in rows}


def threshold_added(before: dict[int, dt.date] | None, now: dict[int, dt.date], today: dt.date) -> bool:
    """Whether a threshold version added since `before` (ids not seen then) is in force today: one
    dated today or earlier (even back-dated) makes every entry be re-judged, as the list's judging
    dates cannot tell which entries it touches."""
    return before is not None and any(i not in before and since <= today for i, since in now.items())


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
# Every answer is derived from the registry's record (shared.projection) on the day asked, with the
# threshold's dated history (rules.listing_on). `service_list_entry` is a cache: it pages the list by
# USCC, remembers when finance recorded a change (the sync view) and what was last announced.

def thresholds(s: Session) -> list[tuple[dt.date, str]]:
    """The list's threshold, (effective_from, tier) by date."""
    history = [(since, str(value)) for since, value in _history(s, MIN_TIER)]
    if not history:
        raise Problem(503, "parameter-missing", f"缺少政策参数 {MIN_TIER}", f"Policy parameter {MIN_TIER} is not set")
    return history


def listing_of(record: EnterpriseRecord, history: list[tuple[dt.date, str]], on: dt.date) -> rules.Listing:
    return rules.listing_on(record.certifications, history, on)


def listing_dict(record: EnterpriseRecord, listing: rules.Listing, with_removal: bool = False) -> dict:
    doc = {"uscc": record.uscc, "name": record.name, "tier": listing.tier,
           "since": listing.since and listing.since.isoformat()}
    if with_removal:
        doc |= {"listed": listing.listed, "removed_on": listing.removed_on and listing.removed_on.isoformat()}
    return doc


SHOWN = ("name", "tier", "listed", "since", "removed_on")  # what a bank's copy of an entry holds


def _refresh(s: Session, entry: ServiceListEntry | None, record: EnterpriseRecord, today: dt.date, actor: str,
             history: list[tuple[dt.date, str]]) -> bool:
    """Bring the enterprise's cached entry to what the record says today. A change of what a bank
    sees is dated (changed_on, for the sync view), audited and announced. Returns whether it changed."""
    listing = listing_of(record, history, today)
    after = {"name": record.name, "tier": listing.tier, "listed": listing.listed, "since": listing.since,
             "removed_on": listing.removed_on}
    if entry is None:
        entry = ServiceListEntry(uscc=record.uscc, changed_on=today, changed_at=utcnow(), **after)
        s.add(entry)
        before = None
    else:
        before = {k: getattr(entry, k) for k in SHOWN}
    entry.version, entry.judged_on = record.version, today
    entry.peak_rank = rules.peak_rank(record.certifications)
    if before == after:
        return False
    for k, v in after.items():
        setattr(entry, k, v)
    entry.changed_on, entry.changed_at = today, utcnow()
    s.flush()
    # Announce what a bank can see: an enterprise that is, or was, on the list (not an innovative SME's tier).
    if (before and (before["listed"] or before["removed_on"])) or listing.listed or listing.removed_on:
        events.service_list_changed(s, entry)
        audit.record(s, actor, "service_list.change", "service_list_entry", record.uscc,
                     before and _jsonable(before), _jsonable(after))
    return True


def _jsonable(d: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in d.items()}


def record_arrived(s: Session, record: EnterpriseRecord, actor: str, today: dt.date) -> None:
    """A registry event's record: keep it when it is newer than the one held (a stale or repeated one
    changes nothing, whatever order they arrive in) and refresh the enterprise's cached entry."""
    # remember() locks the enterprise's record row: replicas handling two of its events take turns.
    before = projection.remember(s, record)
    entry = s.scalars(for_update(s, select(ServiceListEntry).where(ServiceListEntry.uscc == record.uscc))).first()
    if before is record and entry is not None:
        return
    _refresh(s, entry, projection.record_of(s, record.uscc), today, actor, thresholds(s))


def _floor(history: list[tuple[dt.date, str]], tier: str | None = None) -> int:
    """The lowest rank that can ever be on the list (the lowest threshold in the history), or that of `tier`."""
    return max(min(rank(value) for _, value in history), rank(tier) if tier else 0)


def rebuild_service_list(s: Session, today: dt.date, actor: str = "system:service-list",
                         only_stale: bool = False) -> int:
    """Re-judge the cached entries that could be on the list: all of them, or (`only_stale`) those not
    judged on `today` yet. Returns how many changed (each one announced)."""
    history = thresholds(s)
    stmt = select(ServiceListEntry).where(ServiceListEntry.peak_rank >= _floor(history)).order_by(ServiceListEntry.uscc)
    if only_stale:
        stmt = stmt.where(ServiceListEntry.judged_on < today)
    entries = s.scalars(for_update(s, stmt)).all()
    held = projection.records(s, [e.uscc for e in entries])
    return sum(_refresh(s, e, held[e.uscc], today, actor, history) for e in entries if e.uscc in held)


PAGE_SCAN = 200  # candidates judged per round while filling a page


def service_list(s: Session, limit: int, after: str | None, changed_since: dt.date | None, tier: str | None,
                 on: dt.date) -> list[tuple[EnterpriseRecord, rules.Listing]]:
    """Enterprises on the list on `on`, by USCC (limit + 1 of them, for the next cursor). With
    `changed_since`, every enterprise whose listing changed on or after that date — by the date the
    change took effect (rules.Listing.changed_on: joining, leaving, the tier on the list) or the date
    finance recorded it — including those removed, so that a bank's copy can be brought up to date.
    The cache only says which enterprises can be on the list at all; each is judged from its record."""
    history = thresholds(s)
    out: list[tuple[EnterpriseRecord, rules.Listing]] = []
    while len(out) <= limit:
        stmt = (select(ServiceListEntry.uscc, ServiceListEntry.changed_on)
                .where(ServiceListEntry.peak_rank >= _floor(history, tier))
                .order_by(ServiceListEntry.uscc).limit(PAGE_SCAN))
        if after:
            stmt = stmt.where(ServiceListEntry.uscc > after)
        rows = s.execute(stmt).all()
        held = projection.records(s, [uscc for uscc, _ in rows])
        for uscc, recorded_on in rows:
            record = held.get(uscc)
            if record is None:
                continue
            listing = listing_of(record, history, on)
            if tier and listing.tier != tier:
                continue
            if changed_since is None:
                shown = listing.listed
            else:
                shown = listing.since is not None and (
                    recorded_on >= changed_since or (listing.changed_on and listing.changed_on >= changed_since))
            if shown:
                out.append((record, listing))
                if len(out) > limit:
                    break
        if len(rows) < PAGE_SCAN:
            break
        after = rows[-1][0]
    return out


def service_list_entry(s: Session, uscc: str, on: dt.date) -> dict:
    """One enterprise's entry on `on`: listed, or removed (404 when it never was on the list by then)."""
    record = projection.record_of(s, uscc)
    listing = record and listing_of(record, thresholds(s), on)
    if not listing or listing.since is None:
        raise not_found("服务名单企业", "Service-list enterprise", uscc)
    return listing_dict(record, listing, with_removal=True)


def on_service_list(s: Session, uscc: str, on: dt.date) -> bool:
    record = projection.record_of(s, uscc)
    return record is not None and listing_of(record, thresholds(s), on).listed


# -- products ------------------------------------------------------------------------------------

def product_dict(p: Product) -> dict:
    return {"id": p.id, "kind": p.kind, "name": p.name, "provider_org": p.provider_org,
            "insurance_type": p.insurance_type, "description": p.description, "active": p.active}


def create_product(s: Session, actor: str, body: ProductIn) -> Product:
    dup = s.scalars(select(Product).where(Product.provider_org == body.provider_org,
                                          Product.name == body.name)).first()
    if dup is not None:
        raise Problem(409, "product-exists", f"{body.provider_org} 已有产品「{body.name}」",
                      f"{body.provider_org} already offers a product named {body.name!r}", existing=product_dict(dup))
    p = Product(**body.model_dump())
    _insert(s, p, Problem(409, "product-exists", f"{body.provider_org} 已有产品「{body.name}」",
                          f"{body.provider_org} already offers a product named {body.name!r}"))
    audit.record(s, actor, "product.create", "product", str(p.id), None, product_dict(p))
    return p


# -- loan cases ------------------------------------------------------------------------------------

def cases_of(s: Session, uscc: str, lock: bool = False) -> list[rules.Case]:
    """Every bank's cases of the enterprise, as the first-loan rule sees them. `lock`: lock them all
    (in id order, so two payers never wait for each other) for a decision that moves money."""
    stmt = select(Loan).where(Loan.uscc == uscc).order_by(Loan.id)
    if lock:
        stmt = for_update(s, stmt).execution_options(populate_existing=True)
    loans = s.scalars(stmt).all()
    paid = set(s.scalars(select(SubsidyPayment.loan_id).where(SubsidyPayment.loan_id.in_([x.id for x in loans]))))
    return [rules.Case(x.id, x.drawn_on, x.prior_loan_declared, x.id in paid) for x in loans]


def first_loan_status(s: Session, loan: Loan, cases: list[rules.Case] | None = None) -> tuple[bool, str | None]:
    """(is it the enterprise's first loan, why not) — decided by finance across every bank's cases of
    the enterprise; what a bank is told names no other bank's case."""
    why = rules.first_loan_reason(cases if cases is not None else cases_of(s, loan.uscc), loan.id)
    return why is None, why


def tier_at_draw(s: Session, loan: Loan) -> str | None:
    """The enterprise's tier on the draw date, by the registry's record as held now."""
    return projection.tier_of(s, loan.uscc, loan.drawn_on) if loan.drawn_on else None


def loan_dict(s: Session, loan: Loan, history: bool = False) -> dict:
    first, why = first_loan_status(s, loan)
    doc = {"id": loan.id, "bank": loan.bank, "uscc": loan.uscc, "product_id": loan.product_id,
           "guarantor": loan.guarantor, "state": loan.state, "applied_yuan": loan.applied_yuan,
           "applied_on": loan.applied_on.isoformat(), "first_loan": first, "first_loan_reason": why,
           "prior_loan_declared": loan.prior_loan_declared,
           "decided_on": loan.decided_on and loan.decided_on.isoformat(), "drawn_yuan": loan.drawn_yuan,
           "drawn_on": loan.drawn_on and loan.drawn_on.isoformat(), "rate_bp": loan.rate_bp,
           "due_on": loan.due_on and loan.due_on.isoformat(), "closed_on": loan.closed_on and loan.closed_on.isoformat(),
           "tier_at_draw": tier_at_draw(s, loan), "matchmaking_event_id": loan.matchmaking_event_id,
           "provider_decisions": [provider_decision_dict(d) for d in s.scalars(
               select(ProviderDecision).where(ProviderDecision.loan_id == loan.id).order_by(ProviderDecision.id))]}
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


def create_loan(s: Session, actor: str, bank: str, body: LoanIn, today: dt.date) -> Loan:
    if not on_service_list(s, body.uscc, today):
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
    if body.matchmaking_event_id is not None:
        mm = s.get(MatchmakingEvent, body.matchmaking_event_id)
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
    _require_state(loan, "applied")
    _not_before("decided_on", body.decided_on, loan.applied_on, "申请日期 / application date")
    before = loan_dict(s, loan)
    loan.state, loan.decided_on = ("approved" if body.approved else "declined"), body.decided_on
    _change(s, loan, actor, "approve" if body.approved else "decline", body.decided_on, body.reason,
            body.model_dump(mode="json"), before)
    return loan


def provider_decision_dict(d: ProviderDecision) -> dict:
    return {"org": d.org, "kind": d.kind, "approved": d.approved, "decided_on": d.decided_on.isoformat(),
            "reason": d.reason, "decided_by": d.decided_by}


def provider_decide(s: Session, actor: str, org: str, loan: Loan, body: DecisionIn) -> ProviderDecision:
    """The guarantor (专精特新保) or insurer (专精特新险) of the case's product records its own decision to
    cover the case, once, while the loan is not yet drawn (applied or approved). The lending bank's
    loan decision is `decide`; a loan product's provider is the bank itself, so it has no second step."""
    product = loan.product_id is not None and s.get(Product, loan.product_id)
    if not product or product.provider_org != org or product.kind not in ("guarantee", "insurance"):
        raise Problem(403, "not-the-provider", "只有本案担保/保险产品的提供机构可作此决定",
                      "Only the provider of the case's guarantee or insurance product records this decision")
    _require_state(loan, "applied", "approved")
    _not_before("decided_on", body.decided_on, loan.applied_on, "申请日期 / application date")
    dup = s.scalars(select(ProviderDecision).where(ProviderDecision.loan_id == loan.id,
                                                   ProviderDecision.org == org)).first()
    conflict = Problem(409, "provider-decided", "本机构已对该案作出决定", "This provider has already decided the case",
                       **({"existing": provider_decision_dict(dup)} if dup else {}))
    if dup is not None:
        raise conflict
    before = loan_dict(s, loan)
    d = ProviderDecision(loan_id=loan.id, org=org, kind=product.kind, approved=body.approved,
                         decided_on=body.decided_on, reason=body.reason, decided_by=actor)
    _insert(s, d, conflict)
    action = f"{product.kind}_{'approve' if body.approved else 'decline'}"
    _change(s, loan, actor, action, body.decided_on, body.reason, body.model_dump(mode="json"), before)
    return d


def draw(s: Session, actor: str, loan: Loan, body: DrawIn) -> Loan:
    _require_state(loan, "approved")
    _not_before("drawn_on", body.drawn_on, loan.decided_on, "审批日期 / decision date")
    before = loan_dict(s, loan)
    loan.state, loan.drawn_yuan, loan.drawn_on = "drawn", body.drawn_yuan, body.drawn_on
    loan.rate_bp, loan.due_on = body.rate_bp, body.due_on
    _change(s, loan, actor, "draw", body.drawn_on, None, body.model_dump(mode="json"), before)
    return loan


def extend(s: Session, actor: str, loan: Loan, body: ExtendIn, today: dt.date) -> Loan:
    """展期 (extension: a later due date), 续期 (renewal: a new term, possibly at a new rate) or an
    adjusted repayment plan (调整还款计划: the reason states the plan; the due date may stay)."""
    _require_state(loan, "drawn")
    on = body.on or today  # never after today (schemas.FactDay)
    if body.on is not None:
        _not_before("on", body.on, loan.drawn_on, "放款日期 / draw date")
    if body.due_on < loan.due_on or (body.due_on == loan.due_on and body.kind != "adjusted_plan"):
        raise field_error("due_on", f"须晚于当前到期日（{loan.due_on}）", f"must be after the current due date ({loan.due_on})",
                          "date-order")
    before = loan_dict(s, loan)
    loan.due_on = body.due_on
    if body.rate_bp is not None:
        loan.rate_bp = body.rate_bp
    _change(s, loan, actor, body.kind, on, body.reason, body.model_dump(mode="json"), before)
    return loan


def repay(s: Session, actor: str, loan: Loan, body: RepayIn) -> Loan:
    _require_state(loan, "drawn")
    _not_before("repaid_on", body.repaid_on, loan.drawn_on, "放款日期 / draw date")
    before = loan_dict(s, loan)
    loan.state, loan.closed_on = "repaid", body.repaid_on
    _change(s, loan, actor, "repay", body.repaid_on, None, body.model_dump(mode="json"), before)
    return loan


def repayment_dict(r: LoanRepayment) -> dict:
    return {"id": r.id, "loan_id": r.loan_id, "paid_on": r.paid_on.isoformat(),
            "period_from": r.period_from.isoformat(), "period_to": r.period_to.isoformat(),
            "principal_yuan": r.principal_yuan, "interest_yuan": r.interest_yuan, "recorded_by": r.recorded_by}


def principal_repaid(s: Session, loan: Loan) -> int:
    """Principal repaid so far, by the repayment records."""
    return sum(s.scalars(select(LoanRepayment.principal_yuan).where(LoanRepayment.loan_id == loan.id)))


def add_repayment(s: Session, actor: str, loan: Loan, body: RepaymentIn) -> LoanRepayment:
    """A repayment record of a drawn loan (principal and the interest of a period). The interest may
    not exceed the period's interest at the loan's rate (actual/365, + 1 元 for the bank's rounding)."""
    _require_state(loan, "drawn", "repaid")
    _not_before("period_from", body.period_from, loan.drawn_on, "放款日期 / draw date")
    if loan.closed_on and body.period_to > loan.closed_on:
        raise field_error("period_to", f"晚于结清日期（{loan.closed_on}）", f"is after the loan was closed ({loan.closed_on})",
                          "date-order")
    days = (body.period_to - body.period_from).days + 1
    most = loan.drawn_yuan * loan.rate_bp * days // (rules.BP * 365) + 1
    if body.interest_yuan > most:
        raise field_error("interest_yuan", f"超过按贷款利率计算的该期利息（{most} 元）",
                          f"exceeds the period's interest at the loan's rate ({most} 元)", "interest-too-high")
    if body.interest_yuan > 0:
        # The interest of a day is paid once: a second record of interest for days already covered
        # (a resent record, an overlapping period) would count them twice in the 首贷贴息.
        clash = s.scalars(select(LoanRepayment).where(
            LoanRepayment.loan_id == loan.id, LoanRepayment.interest_yuan > 0,
            LoanRepayment.period_from <= body.period_to, LoanRepayment.period_to >= body.period_from)
            .order_by(LoanRepayment.period_from).limit(1)).first()
        if clash is not None:
            raise Problem(422, "period-overlap",
                          f"付息期间与已记录的付息期间（{clash.period_from}–{clash.period_to}）重叠",
                          f"the interest period overlaps one already recorded ({clash.period_from}–{clash.period_to})",
                          errors=[{"loc": ["body", "period_from"], "msg": "overlaps a recorded interest period",
                                   "type": "period-overlap"}], existing=repayment_dict(clash))
    repaid = principal_repaid(s, loan)
    if repaid + body.principal_yuan > loan.drawn_yuan:
        raise field_error("principal_yuan", f"累计还本超过放款金额（{loan.drawn_yuan} 元）",
                          f"principal repaid would exceed the amount drawn ({loan.drawn_yuan} 元)", "principal-too-high")
    row = LoanRepayment(loan_id=loan.id, recorded_by=actor, **body.model_dump())
    s.add(row)
    s.flush()
    audit.record(s, actor, "loan.repayment", "loan", str(loan.id), None, repayment_dict(row))
    return row


def subsidy_schedule(s: Session, loan: Loan, today: dt.date, cases: list[rules.Case] | None = None) -> dict | None:
    """首贷贴息 of a drawn loan, quarter by quarter from its repayment records, with what was paid.
    Parameters in force on the draw date; the certified rate for the days the enterprise's tier
    (by the registry's record) was ≥ certified_min_tier; eligible only as the enterprise's first loan
    across every bank's cases (rules.first_loan)."""
    if loan.drawn_on is None:
        return None
    values, cited = _values(s, loan.drawn_on, "finance.first_loan_subsidy.")
    terms = rules.SubsidyTerms(values["rate_bp"], values["cap_bp"], values["certified_rate_bp"],
                               values["certified_cap_bp"], values["certified_min_tier"], values["max_loan_yuan"])
    record = projection.record_of(s, loan.uscc)
    certified = rules.certified_intervals(rules.tier_changes(record.certifications if record else ()),
                                          terms.certified_min_tier)
    first, why = first_loan_status(s, loan, cases)
    payments = [rules.InterestPayment(r.paid_on, r.period_from, r.period_to, r.interest_yuan)
                for r in s.scalars(select(LoanRepayment).where(LoanRepayment.loan_id == loan.id))]
    sched = rules.subsidy_schedule(loan.drawn_on, loan.drawn_yuan, first, payments, certified, terms)
    paid = {p.quarter: p for p in s.scalars(select(SubsidyPayment).where(SubsidyPayment.loan_id == loan.id))}
    paid_total = sum(p.amount_yuan for p in paid.values())
    for row in sched["quarters"]:
        p = paid.get(row["quarter"])
        row["paid"] = p and {"amount_yuan": p.amount_yuan, "paid_by": p.paid_by, "paid_at": p.paid_at.isoformat()}
        row["payable"] = p is None and dt.date.fromisoformat(row["payable_from"]) <= today
    sched |= {"paid_yuan": paid_total, "outstanding_yuan": sched["total_yuan"] - paid_total,
              "certified_from": [[a.isoformat(), b and b.isoformat()] for a, b in certified],
              "first_loan": first, "first_loan_reason": why,
              "rule": "first_loan_subsidy.v2", "parameters": cited}
    return sched


def pay_subsidy(s: Session, actor: str, loan: Loan, quarter: str, today: dt.date) -> SubsidyPayment:
    """Pay one quarter's 首贷贴息 after the quarter is over: the cumulative subsidy through it less
    everything paid before (so a late repayment record is made good at the next payment)."""
    if not re.fullmatch(r"\d{4}Q[1-4]", quarter):
        raise Problem(422, "invalid-quarter", "季度格式应为 2025Q3", "the quarter must look like 2025Q3")
    # Every bank's cases of the enterprise are locked (this one among them): two payments on two
    # banks' loans take turns, and the second sees the first's payment, so one loan is paid as first.
    cases = cases_of(s, loan.uscc, lock=True)
    sched = subsidy_schedule(s, loan, today, cases)
    if sched is None:
        raise Problem(409, "invalid-loan-state", "贷款尚未放款", "The loan has not been drawn", state=loan.state)
    if not sched["eligible"]:
        raise Problem(422, sched["reason"], f"不符合首贷贴息条件：{sched['reason']}",
                      f"Not eligible for the first-loan interest subsidy: {sched['reason']}",
                      first_loan_reason=sched["first_loan_reason"])
    row = next((r for r in sched["quarters"] if r["quarter"] == quarter), None)
    if row is None:
        raise Problem(422, "no-interest-paid", f"{quarter} 没有付息记录", f"No interest was paid in {quarter}")
    if row["paid"]:
        raise Problem(409, "subsidy-paid", f"{quarter} 的首贷贴息已支付", f"The subsidy for {quarter} is already paid",
                      paid=row["paid"])
    if not row["payable"]:
        raise Problem(422, "quarter-not-over", f"{quarter} 尚未结束，按季度在付息后拨付",
                      f"{quarter} is not over yet: the subsidy is paid quarterly after the interest")
    paid_before = sum(r["paid"]["amount_yuan"] for r in sched["quarters"] if r["paid"])
    amount = max(0, row["cumulative_yuan"] - paid_before)
    basis = {"rule": sched["rule"], "quarter": row, "paid_before_yuan": paid_before,
             "parameters": sched["parameters"], "certified_from": sched["certified_from"],
             "formula": "cumulative subsidy through the quarter − paid before; cumulative = "
                        "min(min(ordinary × rate, drawn × cap) + certified × certified_rate, drawn × applicable cap)"}
    p = SubsidyPayment(loan_id=loan.id, quarter=quarter, amount_yuan=amount, basis=basis, paid_by=actor)
    s.add(p)
    s.flush()
    audit.record(s, actor, "loan.interest_subsidy.pay", "loan", str(loan.id), None,
                 {"quarter": quarter, "amount_yuan": amount})
    return p


def split_dict(x: RiskSplit) -> dict:
    return {"loan_id": x.loan_id, "outstanding_yuan": x.outstanding_yuan, "bank_yuan": x.bank_yuan,
            "guarantor_yuan": x.guarantor_yuan, "compensation_yuan": x.compensation_yuan, "basis": x.basis}


def default(s: Session, actor: str, loan: Loan, body: DefaultIn) -> RiskSplit:
    """The loan turns non-performing: split the outstanding principal between the bank and the
    guarantor, and compute the district's compensation (parameters in force on the draw date;
    the SRDI rate by the enterprise's tier when the loan was drawn)."""
    _require_state(loan, "drawn")
    _not_before("on", body.on, loan.drawn_on, "放款日期 / draw date")
    # The outstanding principal is at most what was drawn less the principal repaid by the records:
    # the split and the district's compensation are shares of it.
    left = loan.drawn_yuan - principal_repaid(s, loan)
    if body.outstanding_yuan > left:
        raise field_error("outstanding_yuan", f"超过未还本金（放款 {loan.drawn_yuan} 元，已还本 {loan.drawn_yuan - left} 元）",
                          f"exceeds the principal not yet repaid ({loan.drawn_yuan} 元 drawn, "
                          f"{loan.drawn_yuan - left} 元 repaid)", "outstanding-too-high")
    # Issue 5: "computed from the parameters in force on the loan's date" — the draw date, the day the
    # bank took the risk on the terms then announced (a later change does not rewrite a running loan).
    g, g_cited = _values(s, loan.drawn_on, "finance.guarantee.")
    c, c_cited = _values(s, loan.drawn_on, "finance.npl_compensation.")
    terms = rules.RiskTerms(g["guarantor_share_bp"], g["bank_share_min_bp"], c["rate_bp"], c["srdi_rate_bp"],
                            c["srdi_min_tier"])
    tier = tier_at_draw(s, loan)  # by the record as held now: a back-dated revocation counts
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


# -- listing pipeline (上市培育) ----------------------------------------------------------------------

def known_enterprise(s: Session, uscc: str) -> EnterpriseRecord:
    """An enterprise finance holds the registry's record of (any tier), else 422."""
    e = projection.record_of(s, uscc)
    if e is None:
        raise Problem(422, "unknown-enterprise", f"登记系统中没有该企业：{uscc}",
                      f"The registry has no such enterprise (no event about it has reached finance): {uscc}",
                      errors=[{"loc": ["body", "uscc"], "msg": "unknown enterprise", "type": "unknown-enterprise"}])
    return e


def _stages(s: Session, uscc: str) -> list[ListingStage]:
    rows = s.scalars(select(ListingStage).where(ListingStage.uscc == uscc)).all()
    return sorted(rows, key=lambda r: rules.STAGES.index(r.stage))


def pipeline_dict(s: Session, p: ListingPipeline) -> dict:
    return {"uscc": p.uscc, "board": p.board, "sponsor": p.sponsor, "stage": p.stage,
            "stage_zh": rules.STAGE_ZH[p.stage], "stage_on": p.stage_on.isoformat(),
            "listed_on": p.listed_on and p.listed_on.isoformat(),
            "stages": [{"stage": r.stage, "stage_zh": rules.STAGE_ZH[r.stage], "on": r.reached_on.isoformat(),
                        "board": r.board, "sponsor": r.sponsor, "note": r.note, "recorded_by": r.recorded_by}
                       for r in _stages(s, p.uscc)]}


def get_pipeline(s: Session, uscc: str) -> ListingPipeline:
    p = s.get(ListingPipeline, uscc)
    if p is None:
        raise not_found("上市培育企业", "Listing pipeline", uscc)
    return p


def record_stage(s: Session, actor: str, uscc: str, body: StageIn) -> ListingPipeline:
    """Record a stage reached. Stages go in order, each once, dated on or after the previous one.
    Recording 上市 publishes srdi.finance.enterprise.listed.v1 (the awards service makes the listing
    award claimable from it) in the same transaction."""
    known_enterprise(s, uscc)
    p = s.scalars(for_update(s, select(ListingPipeline).where(ListingPipeline.uscc == uscc))).first()
    reached = {r.stage: r.reached_on for r in _stages(s, uscc)} if p else {}
    board = body.board or (p.board if p else None)
    sponsor = body.sponsor or (p.sponsor if p else None)
    why = rules.stage_error(reached, body.stage, body.on, board)
    if why:
        zh = {"stage-recorded": f"已记录过{rules.STAGE_ZH[body.stage]}阶段",
              "stage-out-of-order": "须先记录上一阶段（股改→辅导备案→申报受理→注册/核准→上市）",
              "stage-date-order": "日期早于上一阶段", "board-required": "上市须注明板块（board）"}[why]
        en = {"stage-recorded": f"stage {body.stage} is already recorded",
              "stage-out-of-order": "the previous stage must be recorded first "
                                    f"({' → '.join(rules.STAGES)})",
              "stage-date-order": "the date is before the previous stage's",
              "board-required": "a listing needs the board"}[why]
        raise Problem(409 if why == "stage-recorded" else 422, why, zh, en, reached={
            k: v.isoformat() for k, v in reached.items()})
    before = pipeline_dict(s, p) if p else None
    if p is None:
        p = ListingPipeline(uscc=uscc, stage=body.stage, stage_on=body.on, board=board, sponsor=sponsor)
        _insert(s, p, Problem(409, "concurrent-change", "该企业的上市培育记录正被同时修改，请重试",
                              "The enterprise's listing pipeline was changed concurrently; retry"))
    p.board, p.sponsor, p.stage, p.stage_on, p.updated_at = board, sponsor, body.stage, body.on, utcnow()
    if body.stage == "listed":
        p.listed_on = body.on
    s.flush()
    s.add(ListingStage(uscc=uscc, stage=body.stage, reached_on=body.on, board=board, sponsor=sponsor,
                       note=body.note, recorded_by=actor))
    s.flush()
    audit.record(s, actor, "listing.stage", "listing_pipeline", uscc, before, pipeline_dict(s, p))
    if body.stage == "listed":
        events.enterprise_listed(s, uscc, board, body.on)
    return p


def listing_progress(s: Session, year: int) -> dict:
    stages: dict[str, dict] = {}
    boards: dict[str, str | None] = {}
    for r in s.scalars(select(ListingStage)):
        stages.setdefault(r.uscc, {})[r.stage] = r.reached_on
    for p in s.scalars(select(ListingPipeline)):
        boards[p.uscc] = p.board
    return rules.listing_progress([rules.PipelineFacts(u, boards.get(u), st) for u, st in stages.items()], year)


# -- matchmaking events (政银企对接) ------------------------------------------------------------------

def matchmaking_dict(s: Session, m: MatchmakingEvent, bank: str | None = None) -> dict:
    """The event with its attendees and the loan cases that came from it (a bank: only its own cases)."""
    loans = select(Loan).where(Loan.matchmaking_event_id == m.id).order_by(Loan.id)
    if bank is not None:
        loans = loans.where(Loan.bank == bank)
    cases = [{"id": x.id, "bank": x.bank, "uscc": x.uscc, "state": x.state, "applied_yuan": x.applied_yuan,
              "drawn_yuan": x.drawn_yuan} for x in s.scalars(loans)]
    return {"id": m.id, "title": m.title, "held_on": m.held_on.isoformat(), "venue": m.venue, "banks": m.banks,
            "enterprises": list(s.scalars(select(MatchmakingAttendee.uscc)
                                          .where(MatchmakingAttendee.event_id == m.id)
                                          .order_by(MatchmakingAttendee.uscc))),
            "cases": cases, "cases_count": len(cases),
            "drawn_yuan": sum(c["drawn_yuan"] or 0 for c in cases)}


def create_matchmaking(s: Session, actor: str, body: MatchmakingIn) -> MatchmakingEvent:
    for uscc in body.enterprises:
        known_enterprise(s, uscc)
    m = MatchmakingEvent(title=body.title, held_on=body.held_on, venue=body.venue,
                         banks=sorted(set(body.banks)), created_by=actor)
    s.add(m)
    s.flush()
    for uscc in sorted(set(body.enterprises)):
        s.add(MatchmakingAttendee(event_id=m.id, uscc=uscc))
    s.flush()
    audit.record(s, actor, "matchmaking.create", "matchmaking_event", str(m.id), None, matchmaking_dict(s, m))
    return m


def add_attendees(s: Session, actor: str, m: MatchmakingEvent, usccs: list[str]) -> MatchmakingEvent:
    have = set(s.scalars(select(MatchmakingAttendee.uscc).where(MatchmakingAttendee.event_id == m.id)))
    for uscc in sorted(set(usccs) - have):
        known_enterprise(s, uscc)
        s.add(MatchmakingAttendee(event_id=m.id, uscc=uscc))
    s.flush()
    audit.record(s, actor, "matchmaking.attendees", "matchmaking_event", str(m.id), None, {"added": usccs})
    return m


# -- guidance fund (政府引导基金) ---------------------------------------------------------------------

def fund_dict(f: GuidanceFund) -> dict:
    return {"id": f.id, "name": f.name, "manager": f.manager}


def investment_dict(s: Session, i: FundInvestment) -> dict:
    return {"id": i.id, "fund_id": i.fund_id, "uscc": i.uscc, "invested_on": i.invested_on.isoformat(),
            "amount_yuan": i.amount_yuan, "tier_at_investment": projection.tier_of(s, i.uscc, i.invested_on)}


def create_fund(s: Session, actor: str, body: FundIn) -> GuidanceFund:
    dup = s.scalars(select(GuidanceFund).where(GuidanceFund.name == body.name)).first()
    if dup is not None:
        raise Problem(409, "fund-exists", f"已有基金「{body.name}」", f"A fund named {body.name!r} exists",
                      existing=fund_dict(dup))
    f = GuidanceFund(name=body.name, manager=body.manager)
    _insert(s, f, Problem(409, "fund-exists", f"已有基金「{body.name}」", f"A fund named {body.name!r} exists"))
    audit.record(s, actor, "fund.create", "guidance_fund", str(f.id), None, fund_dict(f))
    return f


def get_fund(s: Session, fund_id: int) -> GuidanceFund:
    f = s.get(GuidanceFund, fund_id)
    if f is None:
        raise not_found("引导基金", "Guidance fund", str(fund_id))
    return f


def add_investment(s: Session, actor: str, f: GuidanceFund, body: InvestmentIn) -> FundInvestment:
    """An investment in an enterprise finance holds the record of (its tier on the day is read from
    the record whenever it is asked)."""
    known_enterprise(s, body.uscc)
    inv = FundInvestment(fund_id=f.id, uscc=body.uscc, invested_on=body.invested_on, amount_yuan=body.amount_yuan,
                         created_by=actor)
    s.add(inv)
    s.flush()
    audit.record(s, actor, "fund.invest", "fund_investment", str(inv.id), None, investment_dict(s, inv))
    return inv


def fund_report(s: Session, fund_id: int | None, on: dt.date) -> dict:
    """The share of SRDI enterprises among the enterprises invested in (by one fund, or all), by
    investments made on or before `on`, against the floor in force on `on`; with the list behind it."""
    values, cited = _values(s, on, "finance.guidance_fund.")
    stmt = select(FundInvestment).where(FundInvestment.invested_on <= on)
    if fund_id is not None:
        stmt = stmt.where(FundInvestment.fund_id == fund_id)
    rows = s.scalars(stmt).all()
    held = projection.records(s, {i.uscc for i in rows})
    # Each investment's tier on its date, by the record as held now (a back-dated revocation counts).
    invs = [rules.Investment(i.uscc, i.invested_on, held[i.uscc].tier_on(i.invested_on) if i.uscc in held else "sme")
            for i in rows]
    report = rules.srdi_share(invs, values["srdi_min_tier"], values["srdi_share_min_bp"])
    for row in report["items"]:
        row["name"] = held[row["uscc"]].name if row["uscc"] in held else None
    return {"fund_id": fund_id, "on": on.isoformat(), **report, "parameters": cited}


# -- XLSX export --------------------------------------------------------------------------------------



def service_list_xlsx(s: Session, changed_since: dt.date | None, tier: str | None, on: dt.date) -> bytes:
    """The service list on `on` (or, with `changed_since`, the sync view incl. removals) as one XLSX sheet."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "专精特新企业服务名单"
    ws.append(["统一社会信用代码", "企业名称", "层级", "层级代码", "列入名单日期", "是否在名单", "移出日期"])
    after = None
    while True:
        page = service_list(s, 1000, after, changed_since, tier, on)
        for record, x in page[:1000]:
            ws.append([record.uscc, safe_cell(record.name, " "), TIER_ZH.get(x.tier, x.tier), x.tier,
                       x.since and x.since.isoformat(), "是" if x.listed else "否",
                       x.removed_on and x.removed_on.isoformat()])
        if len(page) <= 1000:
            break
        after = page[999][0].uscc
    for col, width in zip("ABCDEFG", (22, 40, 30, 24, 14, 10, 14), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
