"""Pure finance rules: the service list from tier facts, the first-loan interest subsidy (首贷贴息) and
the non-performing-loan risk split. No I/O: parameter values come in as arguments.

Money is whole 元 (int); rates and shares are basis points (1 bp = 0.01 %); results round down."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from shared.tiers import at_least

BP = 10_000  # basis points in a whole


# -- the service list (专精特新企业服务名单) ----------------------------------------------------------

@dataclass(frozen=True)
class Fact:
    """A registry tier event (registered, promoted, demoted) as finance records it."""

    uscc: str
    version: int  # the registry's enterprise_version
    kind: str
    from_tier: str | None  # None for a registration
    to_tier: str
    on: dt.date  # the date the change takes effect
    name: str
    event_id: str


@dataclass(frozen=True)
class Step:
    """One judgement: a tier fact with the list's threshold in force on its date, or a threshold
    change re-judging the tier held (from_tier == to_tier)."""

    from_tier: str | None  # None for a registration
    to_tier: str
    on: dt.date  # the date the change takes effect
    min_tier: str  # finance.service_list.min_tier in force on `on`


@dataclass(frozen=True)
class Listing:
    tier: str = "sme"
    listed: bool = False
    since: dt.date | None = None  # first day of the current (or the last) period on the list
    removed_on: dt.date | None = None  # first day off the list, when it is off after being on


def step(state: Listing, st: Step) -> Listing:
    """Apply one tier fact. `from_tier` is trusted over our own state: if an earlier fact is still
    missing (a gap in the versions), the event itself says whether the enterprise was on the list."""
    was = at_least(st.from_tier or "sme", st.min_tier)
    now = at_least(st.to_tier, st.min_tier)
    if now:
        if state.listed:
            return replace(state, tier=st.to_tier)
        # Entering the list; when `was` is true an earlier promotion has not arrived yet, and its
        # date is unknown: this fact's date is the best known until it does (the entry is then refolded).
        return Listing(st.to_tier, True, st.on, None)
    if state.listed or was:
        # Leaving the list. If we never saw it listed (gap), the start of that period is unknown.
        return Listing(st.to_tier, False, state.since if state.listed else None, st.on)
    return replace(state, tier=st.to_tier)


def listing(facts: Iterable[Fact], thresholds: list[tuple[dt.date, object]], today: dt.date) -> Listing:
    """The list entry after every known fact, in version order (arrival order is irrelevant; a
    repeated fact changes nothing). Each fact is judged by the threshold in force on its date;
    a threshold change that took effect after a fact (before the next one, or by today) re-judges
    the tier that fact left, from the change's date."""
    by_version = {f.version: f for f in facts}
    ordered = [by_version[v] for v in sorted(by_version)]
    state = Listing()
    for i, f in enumerate(ordered):
        state = step(state, Step(f.from_tier, f.to_tier, f.on, str(value_on(thresholds, f.on))))
        until = ordered[i + 1].on if i + 1 < len(ordered) else today
        for since, value in thresholds:
            if f.on < since <= until:
                state = step(state, Step(f.to_tier, f.to_tier, since, str(value)))
    return state


def tier_on(facts: Iterable[Fact], on: dt.date) -> str:
    """The tier on a date as the known facts say: the newest fact that had taken effect by then."""
    best: Fact | None = None
    for st in facts:
        if st.on <= on and (best is None or st.version > best.version):
            best = st
    return best.to_tier if best else "sme"


# -- first-loan interest subsidy (首贷贴息) --------------------------------------------------------

@dataclass(frozen=True)
class SubsidyTerms:
    rate_bp: int  # share of the first year's interest (2000 = 20 %)
    cap_bp: int  # cap as a share of the amount drawn (100 = 1 %)
    certified_rate_bp: int  # the same for certified enterprises (4000 = 40 %)
    certified_cap_bp: int  # (200 = 2 %)
    certified_min_tier: str  # the tier from which an enterprise counts as certified
    max_loan_yuan: int  # a single loan above this is not eligible


@dataclass(frozen=True)
class Subsidy:
    amount_yuan: int
    eligible: bool
    reason: str | None  # why not, when not eligible
    certified: bool
    rate_bp: int
    cap_bp: int
    by_rate_yuan: int  # interest × rate
    cap_yuan: int  # drawn × cap


def first_loan_subsidy(interest_paid_yuan: int, drawn_yuan: int, tier: str, first_loan: bool,
                       terms: SubsidyTerms) -> Subsidy:
    """min(first-year interest × rate, drawn × cap), each rounded down to whole 元."""
    if interest_paid_yuan < 0 or drawn_yuan <= 0:
        raise ValueError("interest must be ≥ 0 and the amount drawn > 0")
    certified = at_least(tier, terms.certified_min_tier)
    rate, cap = ((terms.certified_rate_bp, terms.certified_cap_bp) if certified
                 else (terms.rate_bp, terms.cap_bp))
    by_rate = interest_paid_yuan * rate // BP
    cap_yuan = drawn_yuan * cap // BP
    reason = None
    if not first_loan:
        reason = "not-first-loan"
    elif drawn_yuan > terms.max_loan_yuan:
        reason = "loan-above-maximum"
    amount = 0 if reason else min(by_rate, cap_yuan)
    return Subsidy(amount, reason is None, reason, certified, rate, cap, by_rate, cap_yuan)


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


def npl_split(outstanding_yuan: int, guaranteed: bool, tier: str, terms: RiskTerms) -> Split:
    """The guarantor's share rounds down, so the bank's is never below its minimum; the shares add
    up to the outstanding principal exactly, and so do the two parts of the compensation."""
    if outstanding_yuan < 0:
        raise ValueError("outstanding principal must be ≥ 0")
    if terms.guarantor_share_bp + terms.bank_share_min_bp > BP:
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

