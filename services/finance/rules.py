"""Pure finance rules: the service list from the registry's record, the first loan across every
bank's cases, the first-loan interest subsidy (首贷贴息) and the non-performing-loan risk split. No I/O:
parameter values come in as arguments.

Money is whole 元 (int); rates and shares are basis points (1 bp = 0.01 %); results round down."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from shared.tiers import active_on, at_least, changes_on, rank, tier_on

BP = 10_000  # basis points in a whole


# -- the products a bank may name in an application -------------------------------------------------

def product_refusal(kind: str, provider_org: str, active: bool, bank: str) -> str | None:
    """Why a bank may not name a product in its loan application, or None: a product no longer
    offered (unknown-product), another bank's loan product (foreign-product). Any guarantee or
    insurance product is every bank's to use (its provider decides on the case itself)."""
    if not active:
        return "unknown-product"
    if kind == "loan" and provider_org != bank:
        return "foreign-product"
    return None


# -- the service list (专精特新企业服务名单) ----------------------------------------------------------
# Derived, never folded: the list on a day follows from the registry's record of the enterprise (its
# certifications, each with its validity window) and the threshold's dated history. Arrival order,
# repeats and sweeps cannot change it; a title lapses off the list the day after its last valid day.

@dataclass(frozen=True)
class Listing:
    tier: str = "sme"  # the tier on the day asked
    listed: bool = False
    since: dt.date | None = None  # first day of the current (or the last) period on the list
    removed_on: dt.date | None = None  # first day off the list, when it is off after being on
    # The last day on or before the day asked on which what a bank sees changed (joining, leaving,
    # or the tier on the list): a bank's sync since a date includes the entry when this is on or after it.
    changed_on: dt.date | None = None
    # Why it left (REMOVAL_REASONS), while it is off the list after being on it; None while listed.
    removed_reason: str | None = None


# Why an enterprise is off the list, as a bank's copy says it (each is explained in the entry's and the
# event's description: shared.contracts.finance.REMOVAL_REASON). "voided" is not listing_on's: the
# record was corrected so that, by it, the enterprise was never on the list; it is said to banks that
# were told it was (service_list.service.withdrawn, rules.withdrawal_reason).
REMOVAL_REASONS = ("moved_out", "closed", "revoked", "lapsed", "threshold", "voided")


def withdrawal_reason(certs: Iterable, thresholds: list[tuple[dt.date, object]], on: dt.date,
                      departed: tuple[str, dt.date] | None = None) -> str:
    """Why an enterprise the banks were told is on the list was, by its record now, never on it by `on`
    (listing_on's `since` is None): it left the district before any title could list it (moved_out,
    closed); a title that could list it was revoked with effect from the day it was recognised
    (revoked: 撤销 back to its start, a sanction a bank must hear of as such); one was voided (voided:
    作废, entered by mistake); else a threshold version dated back over its titles (threshold)."""
    certs = list(certs)
    if departed and listing_on(certs, thresholds, on).since is not None:
        return departed[0]
    floor = min(rank(str(value)) for _, value in thresholds)
    could = [c for c in certs if rank(c.tier) >= floor]
    if any(getattr(c, "state", None) != "voided" and c.revoked_on and c.revoked_on <= c.recognized_on for c in could):
        return "revoked"
    if any(getattr(c, "state", None) == "voided" for c in could):
        return "voided"
    return "threshold"


def removal_reason(certs: list, thresholds: list[tuple[dt.date, object]], removed_on: dt.date) -> str:
    """Why an enterprise listed the day before `removed_on` is off the list that day (not a departure):
    its tier that day still meets the day before's threshold, so the threshold rose; else the title that
    kept it on the list stopped counting that day, revoked or lapsed."""
    before = removed_on - dt.timedelta(days=1)
    if at_least(tier_on(certs, removed_on), str(value_on(thresholds, before))):
        return "threshold"
    dropped = [c for c in certs if active_on(c, before) and not active_on(c, removed_on)]
    return "revoked" if any(c.revoked_on == removed_on for c in dropped) else "lapsed"


def listing_on(certs: Iterable, thresholds: list[tuple[dt.date, object]], on: dt.date,
               departed: tuple[str, dt.date] | None = None) -> Listing:
    """The enterprise's entry on `on`: on the list on a day when its tier that day is at least the
    threshold (finance.service_list.min_tier) in force that day, and the enterprise has not left the
    district (`departed`: its status, moved_out or closed, and the day; from that day on it is off
    the list, whatever its titles — they are the city's and stay in the record). Between two
    breakpoints (the days a title starts, lapses or is revoked, the days a threshold version takes
    effect, the day it left) nothing changes, so each breakpoint up to `on` is judged once. Before
    the first breakpoint nothing is known: not listed. `thresholds`: (effective_from, tier) sorted by
    date; before the first row the first row applies (a title recognised before the programme began
    still counts)."""
    certs = list(certs)
    gone = departed[1] if departed else None
    days = {d for d in changes_on(certs) if d <= on} | {since for since, _ in thresholds if since <= on}
    days |= {gone} if gone and gone <= on else set()
    listed, since, removed_on, changed_on, shown = False, None, None, None, None
    for day in sorted(days):
        tier = tier_on(certs, day)
        now = at_least(tier, str(value_on(thresholds, day))) and not (gone and gone <= day)
        if now and not listed:
            since, removed_on = day, None
        elif listed and not now:
            removed_on = day
        listed = now
        if (listed, tier if listed else None) != shown and (listed or removed_on):
            changed_on = day
        shown = (listed, tier if listed else None)
    reason = None
    if removed_on is not None and not listed:
        reason = departed[0] if departed and removed_on == gone else removal_reason(certs, thresholds, removed_on)
    return Listing(tier_on(certs, on), listed, since, removed_on, changed_on, reason)


def tiers_listed(certs: Iterable, listing: Listing, on: dt.date, floor: int) -> set[str]:
    """The tiers at which an enterprise was on the list during its current (or its last) period, up to
    `on`: what a bank's copy of one tier of the list may hold of it (the sync view asked for a tier).
    Its tier changes only on a day a title starts, lapses or is revoked, so those days are judged.
    One never on the list by its record (`since` None: a title voided, or revoked from its first day,
    after the banks were told it was listed): the tiers of its titles that could have listed it (rank
    at least `floor`, the lowest threshold ever in force), voided or not."""
    certs = list(certs)
    if listing.since is None:
        return {str(c.tier) for c in certs if rank(c.tier) >= floor}
    last = listing.removed_on - dt.timedelta(days=1) if listing.removed_on else on
    days = {listing.since} | {d for d in changes_on(certs) if listing.since < d <= last}
    return {tier_on(certs, d) for d in days}


def departure(record) -> tuple[str, dt.date] | None:
    """A record's departure (status, day) for listing_on, or None while the enterprise is here."""
    return (record.status, record.status_on) if record.status != "active" and record.status_on else None


def peak_rank(certs: Iterable) -> int:
    """The rank of the highest title the record holds on any date (0 when none): an enterprise can
    only ever be on the list when this reaches the lowest threshold ever in force. A filter for
    finding candidates, never an answer about a tier."""
    return max((rank(c.tier) for c in certs), default=0)


# -- the first loan (首贷), across every bank's cases ---------------------------------------------------

@dataclass(frozen=True)
class Case:
    """What finance holds of one loan case of an enterprise, at any bank."""

    id: int
    drawn_on: dt.date | None  # None while not drawn (applied, approved, declined)
    prior_loan_declared: bool  # the lending bank reported a bank loan before this one, outside the suite
    subsidised: bool  # a first-loan subsidy has been paid on it


def first_loan(cases: Iterable[Case]) -> int | None:
    """The id of the enterprise's first loan among every bank's cases finance holds, or None.

    A case on which a first-loan subsidy was already paid stays the first (money moved on it, so a
    case reported later, even drawn earlier, cannot make a second loan first); otherwise the case
    drawn earliest (the lower id on the same day: reported first). That case is not first when its
    own bank reported an earlier bank loan, and then no later case is either. A bank's declaration
    can only take first-loan status away, never give it."""
    cases = list(cases)
    paid = [c for c in cases if c.subsidised]
    if paid:
        return min(c.id for c in paid)
    drawn = [c for c in cases if c.drawn_on is not None]
    if not drawn:
        return None
    first = min(drawn, key=lambda c: (c.drawn_on, c.id))
    return None if first.prior_loan_declared else first.id


def first_loan_reason(cases: Iterable[Case], case_id: int) -> str | None:
    """Why the case is not the enterprise's first loan (None when it is): `not-drawn`,
    `prior-loan-declared` (its bank reported an earlier bank loan), `another-first-loan` (another
    case of the enterprise, at this or another bank, was drawn earlier or was subsidised as first)."""
    cases = list(cases)
    me = next(c for c in cases if c.id == case_id)
    if me.drawn_on is None:
        return "not-drawn"
    if first_loan(cases) == case_id:
        return None
    return "prior-loan-declared" if me.prior_loan_declared else "another-first-loan"


# -- first-loan interest subsidy (首贷贴息) --------------------------------------------------------

@dataclass(frozen=True)
class SubsidyTerms:
    rate_bp: int  # share of the first year's interest (2000 = 20 %)
    cap_bp: int  # cap as a share of the amount drawn (100 = 1 %)
    certified_rate_bp: int  # the same for certified enterprises (4000 = 40 %)
    certified_cap_bp: int  # (200 = 2 %)
    certified_min_tier: str  # the tier from which an enterprise counts as certified
    max_loan_yuan: int  # a single loan above this is not eligible


# -- non-performing loan: risk split and district compensation ------------------------------------

@dataclass(frozen=True)
class RiskTerms:
    guarantor_share_bp: int  # the guarantee system's share of a guaranteed loan's loss (8000 = 80 %)
    bank_share_min_bp: int  # the bank keeps at least this share (2000 = 20 %)
    compensation_bp: int  # district compensation, share of outstanding principal (3000 = 30 %)
    srdi_compensation_bp: int  # the same for SRDI enterprises and little giants (4000 = 40 %)
    srdi_min_tier: str  # the tier from which the higher compensation applies


@dataclass(frozen=True)
class Split:
    outstanding_yuan: int
    bank_yuan: int  # the bank's share of the loss
    guarantor_yuan: int  # the guarantor's share (0 without a guarantee)
    compensation_yuan: int  # the district's compensation in total
    compensation_to_bank_yuan: int  # compensation allocated in proportion to each one's share
    compensation_to_guarantor_yuan: int
    guarantor_share_bp: int
    compensation_bp: int
    srdi: bool


def shares_exceed(guarantor_share_bp: int, bank_share_min_bp: int) -> bool:
    """The guarantor's share would leave the bank less than its minimum (the two above 100 %)."""
    return guarantor_share_bp + bank_share_min_bp > BP


def npl_split(outstanding_yuan: int, guaranteed: bool, tier: str, terms: RiskTerms) -> Split:
    """The guarantor's share rounds down, so the bank's is never below its minimum; the shares add
    up to the outstanding principal exactly, and so do the two parts of the compensation."""
    if outstanding_yuan < 0:
        raise ValueError("outstanding principal must be ≥ 0")
    if shares_exceed(terms.guarantor_share_bp, terms.bank_share_min_bp):
        raise ValueError("guarantor share leaves the bank less than its minimum share")
    share = terms.guarantor_share_bp if guaranteed else 0
    guarantor = outstanding_yuan * share // BP
    bank = outstanding_yuan - guarantor
    srdi = at_least(tier, terms.srdi_min_tier)
    comp_bp = terms.srdi_compensation_bp if srdi else terms.compensation_bp
    comp = outstanding_yuan * comp_bp // BP
    comp_guarantor = comp * guarantor // outstanding_yuan if outstanding_yuan else 0
    return Split(outstanding_yuan, bank, guarantor, comp, comp - comp_guarantor, comp_guarantor,
                 share, comp_bp, srdi)


# -- dated parameters --------------------------------------------------------------------------

def value_on(history: list[tuple[dt.date, object]], on: dt.date):
    """The value in force on a date from (effective_from, value) rows sorted by date. Before the
    first row, the first row applies (a title recognised before the programme began still counts)."""
    if not history:
        raise LookupError("no parameter rows")
    current = history[0][1]
    for since, value in history:
        if since <= on:
            current = value
    return current



# -- listing pipeline (上市培育) ----------------------------------------------------------------------

# The stages in order: 股改, 辅导备案, 申报受理, 注册/核准, 上市.
STAGES = ("shareholding_reform", "coaching_filed", "application_accepted", "registered", "listed")
STAGE_ZH = {"shareholding_reform": "股改", "coaching_filed": "辅导备案", "application_accepted": "申报受理",
            "registered": "注册/核准", "listed": "上市"}


def stage_error(reached: dict[str, dt.date], stage: str, on: dt.date, board: str | None) -> str | None:
    """Why a stage cannot be recorded now, or None. Stages are recorded in order, each once, each
    on or after the previous one; listing needs the board."""
    if stage in reached:
        return "stage-recorded"
    i = STAGES.index(stage)
    if i > 0 and STAGES[i - 1] not in reached:
        return "stage-out-of-order"
    if i > 0 and on < reached[STAGES[i - 1]]:
        return "stage-date-order"
    if stage == "listed" and board is None:
        return "board-required"
    return None


@dataclass(frozen=True)
class PipelineFacts:
    uscc: str
    board: str | None
    stages: dict  # stage -> date reached


def listing_progress(pipelines: Iterable[PipelineFacts], year: int) -> dict:
    """A year's progress: per stage, the enterprises that reached it in the year; `coached_to_listing`
    = enterprises listed in the year (each went through 辅导备案); `in_pipeline` = coached (辅导备案
    on or before the year's end) and not listed by then."""
    end = dt.date(year, 12, 31)
    reached = {st: [] for st in STAGES}
    in_pipeline = []
    for p in sorted(pipelines, key=lambda p: p.uscc):
        for st, on in p.stages.items():
            if on.year == year:
                reached[st].append(p.uscc)
        coached = p.stages.get("coaching_filed")
        listed = p.stages.get("listed")
        if coached and coached <= end and not (listed and listed <= end):
            in_pipeline.append(p.uscc)
    return {"year": year, "reached": {st: {"count": len(u), "usccs": u} for st, u in reached.items()},
            "coached_to_listing": len(reached["listed"]), "in_pipeline": len(in_pipeline),
            "in_pipeline_usccs": in_pipeline}


# -- guidance fund (政府引导基金) -------------------------------------------------------------------

@dataclass(frozen=True)
class Investment:
    uscc: str
    invested_on: dt.date
    tier: str  # the enterprise's tier on the investment date


def srdi_share(investments: Iterable[Investment], min_tier: str, floor_bp: int) -> dict:
    """The share of SRDI enterprises among the distinct enterprises invested in. An enterprise counts
    as SRDI when its tier on the date of any investment in it was ≥ min_tier. Share in basis points,
    rounded down; meets the floor when share ≥ floor (no enterprises: not met)."""
    by_uscc: dict[str, list[Investment]] = {}
    for inv in investments:
        by_uscc.setdefault(inv.uscc, []).append(inv)
    rows = []
    for uscc in sorted(by_uscc):
        invs = sorted(by_uscc[uscc], key=lambda i: i.invested_on)
        srdi_at = [i for i in invs if at_least(i.tier, min_tier)]
        rows.append({"uscc": uscc, "srdi": bool(srdi_at), "first_invested_on": invs[0].invested_on.isoformat(),
                     "tiers": [{"on": i.invested_on.isoformat(), "tier": i.tier} for i in invs]})
    total = len(rows)
    srdi = sum(r["srdi"] for r in rows)
    share = srdi * BP // total if total else 0
    return {"enterprises": total, "srdi_enterprises": srdi, "share_bp": share, "floor_bp": floor_bp,
            "min_tier": min_tier, "meets_floor": bool(total) and srdi * BP >= floor_bp * total, "items": rows}


# -- first-loan interest subsidy from repayment records, quarter by quarter --------------------------

@dataclass(frozen=True)
class InterestPayment:
    paid_on: dt.date
    period_from: dt.date  # the interest period covered, inclusive
    period_to: dt.date
    interest_yuan: int


def first_year_end(drawn_on: dt.date) -> dt.date:
    """The last day of the loan's first year (drawn 2025-07-15 → 2026-07-14; 2024-02-29 → 2025-02-27)."""
    try:
        anniversary = drawn_on.replace(year=drawn_on.year + 1)
    except ValueError:  # 29 February
        anniversary = dt.date(drawn_on.year + 1, 2, 28)
    return anniversary - dt.timedelta(days=1)


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_end(quarter: str) -> dt.date:
    year, q = int(quarter[:4]), int(quarter[5])
    return dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)


def _overlap(a0: dt.date, a1: dt.date, b0: dt.date | None, b1: dt.date | None) -> int:
    """Days of [a0, a1] inside [b0, b1] (both inclusive; None = open)."""
    lo = max(a0, b0) if b0 else a0
    hi = min(a1, b1) if b1 else a1
    return max(0, (hi - lo).days + 1)


def split_interest(p: InterestPayment, drawn_on: dt.date, certified: list[tuple[dt.date, dt.date | None]]
                   ) -> tuple[int, int]:
    """(ordinary, certified) interest of a payment that falls in the first year, pro rata by days of
    its period: the days inside the first year, of which those in a certified interval. Rounded down;
    the certified part is taken first, so the parts never add up to more than the payment."""
    days = (p.period_to - p.period_from).days + 1
    end = first_year_end(drawn_on)
    in_year = _overlap(p.period_from, p.period_to, drawn_on, end)
    cert_days = sum(_overlap(max(p.period_from, drawn_on), min(p.period_to, end), a, b)
                    for a, b in certified) if in_year else 0
    in_year_yuan = p.interest_yuan * in_year // days
    cert_yuan = p.interest_yuan * cert_days // days
    return in_year_yuan - cert_yuan, cert_yuan


def tier_changes(certs: Iterable) -> list[tuple[dt.date, str]]:
    """(date, tier from that date) at every breakpoint of the record, from the start of time."""
    certs = list(certs)
    return [(dt.date.min, "sme")] + [(d, tier_on(certs, d)) for d in changes_on(certs)]


def certified_intervals(tiers: list[tuple[dt.date, str]], min_tier: str) -> list[tuple[dt.date, dt.date | None]]:
    """The intervals in which the tier was ≥ min_tier, from (date, tier from that date) changes in date order."""
    out: list[tuple[dt.date, dt.date | None]] = []
    start = None
    for on, tier in tiers:
        ok = at_least(tier, min_tier)
        if ok and start is None:
            start = on
        elif not ok and start is not None:
            out.append((start, on - dt.timedelta(days=1)))
            start = None
    if start is not None:
        out.append((start, None))
    return out


def subsidy_schedule(drawn_on: dt.date, drawn_yuan: int, first_loan: bool, payments: Iterable[InterestPayment],
                     certified: list[tuple[dt.date, dt.date | None]], terms: SubsidyTerms) -> dict:
    """首贷贴息 by calendar quarter of payment. Interest for days in the first year counts; the part for
    days on which the enterprise was certified (tier ≥ certified_min_tier: the rate switches on the
    certification date) earns the certified rate, the rest the ordinary rate. Cumulatively, the
    ordinary part is capped at drawn × cap and the whole at drawn × certified_cap once any interest
    earned the certified rate (else drawn × cap). A quarter's subsidy = cumulative after it −
    cumulative before it; each cumulative figure rounds down to whole 元."""
    reason = None
    if not first_loan:
        reason = "not-first-loan"
    elif drawn_yuan > terms.max_loan_yuan:
        reason = "loan-above-maximum"
    ord_cap = drawn_yuan * terms.cap_bp // BP
    cert_cap = drawn_yuan * terms.certified_cap_bp // BP
    by_quarter: dict[str, list[InterestPayment]] = {}
    for p in sorted(payments, key=lambda p: (p.paid_on, p.period_from)):
        by_quarter.setdefault(quarter_of(p.paid_on), []).append(p)
    ordinary = certified_i = cum_before = 0
    rows = []
    for q in sorted(by_quarter):
        paid = 0
        for p in by_quarter[q]:
            o, c = split_interest(p, drawn_on, certified)
            ordinary, certified_i, paid = ordinary + o, certified_i + c, paid + p.interest_yuan
        by_ord = min(ordinary * terms.rate_bp // BP, ord_cap)
        by_cert = certified_i * terms.certified_rate_bp // BP
        cum = 0 if reason else min(by_ord + by_cert, cert_cap if certified_i else ord_cap)
        rows.append({"quarter": q, "interest_paid_yuan": paid, "ordinary_interest_yuan": ordinary,
                     "certified_interest_yuan": certified_i, "cumulative_yuan": cum,
                     "amount_yuan": cum - cum_before,
                     "payable_from": (quarter_end(q) + dt.timedelta(days=1)).isoformat()})
        cum_before = cum
    return {"eligible": reason is None, "reason": reason, "first_year": [drawn_on.isoformat(),
                                                                          first_year_end(drawn_on).isoformat()],
            "cap_yuan": ord_cap, "certified_cap_yuan": cert_cap, "total_yuan": cum_before, "quarters": rows}
