"""Every query of the statistics. The statistics are district-wide: their readers (the district's
departments and the auditor, never a park or a bank) are role-checked at the route, so there is
no per-caller scope here."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from services.registry.statistics import counts as _counts  # (importing it installs the counts' upkeep)
from services.registry.statistics.rules import EVER, TITLED
from services.registry.tables import Certification, Enterprise, Listing, ServiceRequest, TierCountDelta, TierCountTotal
from shared.tiers import LADDER, Tier

GROUPS = {"township": Enterprise.township, "park": Enterprise.park_id, "industry": Enterprise.industry_code}


def present(on: dt.date):
    """Enterprises still in the district on a date: one that moved out or closed on or before it
    (status_on) is no longer counted (README: statistics)."""
    return or_(Enterprise.status_on.is_(None), Enterprise.status_on > on)


def tier_counts(s: Session, on: dt.date) -> tuple[dict[str, int], dict[str, int]]:
    """(enterprises by current tier, holders by title) on a date, over the enterprises present on
    the date: the sums of the maintained deltas with day ≤ date (counts.py; the same rule as
    shared.tiers.tier_on, tests/statistics/test_counts.py compares them with the scan below).
    100,000 enterprises: see docs/benchmarks.md."""
    _counts.settle(s)
    counts = {t.value: 0 for t in LADDER}
    holders = {t.value: 0 for t in LADDER if t != Tier.sme}
    present = 0
    d = TierCountTotal
    for kind, tier, n in s.execute(select(d.kind, d.tier, func.sum(d.delta)).where(d.day <= on)
                                   .group_by(d.kind, d.tier)):
        n = int(n or 0)
        if kind == "present":
            present += n
        elif kind == "current":
            counts[tier] = n
        else:
            holders[tier] = n
    counts["sme"] = present - sum(n for tier, n in counts.items() if tier != "sme")
    return counts, holders


GROUP_COLUMNS = {"township": TierCountDelta.township, "park": TierCountDelta.park_id,
                 "industry": TierCountDelta.industry_code}


def holders_by_group(s: Session, on: dt.date, by: str | None) -> dict[str, dict[str, int]]:
    """Holders per title on a date per group key ('' when not filled in; '' for all when ungrouped),
    from the maintained deltas."""
    _counts.settle(s)
    d = TierCountDelta if by else TierCountTotal
    keys = [GROUP_COLUMNS[by]] if by else [literal("").label("k")]
    group = [GROUP_COLUMNS[by]] if by else []
    out: dict[str, dict[str, int]] = {}
    for k, tier, n in s.execute(select(*keys, d.tier, func.sum(d.delta)).where(d.kind == "title", d.day <= on)
                                .group_by(*group, d.tier)):
        if n:
            out.setdefault(k or "", {})[tier] = int(n)
    return out


def group_keys(s: Session, by: str) -> list[str]:
    """Every group key some enterprise has ('' when not filled in): each enterprise's presence
    starts with +1 on EVER in its group."""
    d = TierCountDelta
    key = GROUP_COLUMNS[by]
    return [k or "" for k in s.scalars(select(key).where(d.kind == "present", d.day == EVER)
                                       .group_by(key).having(func.sum(d.delta) > 0))]


def new_and_renewed(s: Session, start: dt.date, end: dt.date, by: str | None) -> dict[str, dict[str, list[int]]]:
    """Per group key and title: [new, renewed] — enterprises recognised at the title within
    [start, end], for the first time or having held it before (voided certifications never count)."""
    c, earlier = Certification.__table__.alias("c"), Certification.__table__.alias("earlier")
    pairs = (select(c.c.uscc, c.c.tier).where(c.c.state != "voided", c.c.recognized_on >= start,
                                              c.c.recognized_on <= end, c.c.tier.in_(TITLED))
             .group_by(c.c.uscc, c.c.tier).subquery())
    before = exists().where(earlier.c.uscc == pairs.c.uscc, earlier.c.tier == pairs.c.tier,
                            earlier.c.state != "voided", earlier.c.recognized_on < start)
    group = {"township": Enterprise.township, "park": Enterprise.park_id, "industry": Enterprise.industry_code}
    keys = [group[by]] if by else [literal("").label("k")]
    renewed = case((before, 1), else_=0)
    q = (select(*keys, pairs.c.tier, func.count(), func.sum(renewed))
         .select_from(pairs.join(Enterprise, Enterprise.uscc == pairs.c.uscc))
         .group_by(*([group[by]] if by else []), pairs.c.tier))
    out: dict[str, dict[str, list[int]]] = {}
    for k, tier, n, again in s.execute(q):
        out.setdefault(k or "", {})[tier] = [int(n) - int(again or 0), int(again or 0)]
    return out


def tier_counts_scan(s: Session, on: dt.date) -> tuple[dict[str, int], dict[str, int]]:
    """The reference scan the maintained counts replaced (tests compare the two): (enterprises by
    current tier, holders by title) on a date, aggregated in the database (the
    same rule as shared.tiers.tier_on: recognised ≤ date ≤ last valid day, not revoked on or before
    the date, never voided; tests/… compare the two), over the enterprises present on the date.
    100,000 enterprises: see docs/benchmarks.md."""
    active = and_(Certification.recognized_on <= on, Certification.expires_on >= on,
                  or_(Certification.revoked_on.is_(None), Certification.revoked_on > on),
                  Certification.state != "voided",
                  Certification.uscc.not_in(select(Enterprise.uscc).where(Enterprise.status_on <= on)))
    rank_of = case({t.value: i for i, t in enumerate(LADDER)}, value=Certification.tier, else_=0)
    best = select(func.max(rank_of).label("rank")).where(active).group_by(Certification.uscc).subquery()
    counts = {t.value: 0 for t in LADDER}
    for rank_, n in s.execute(select(best.c.rank, func.count()).group_by(best.c.rank)):
        counts[LADDER[rank_].value] = n
    total = s.scalar(select(func.count()).select_from(Enterprise).where(present(on)))
    counts["sme"] = total - sum(n for tier, n in counts.items() if tier != "sme")
    holders = {t.value: 0 for t in LADDER if t != Tier.sme}
    for tier, n in s.execute(select(Certification.tier, func.count(func.distinct(Certification.uscc)))
                             .where(active).group_by(Certification.tier)):
        holders[tier] = n
    return counts, holders


def enterprise_groups(s: Session, by: str | None) -> dict[str, str | None]:
    """Every enterprise's group key (its township, park or industry; its USCC when ungrouped)."""
    column = GROUPS[by] if by else Enterprise.uscc
    return {uscc: key for uscc, key in s.execute(select(Enterprise.uscc, column))}


def certification_dates(s: Session):
    """Every certification's tier and dates (rows with .uscc, .tier, .recognized_on, .expires_on,
    .revoked_on), voided ones left out (entered by mistake: they never counted)."""
    return s.execute(select(Certification.id, Certification.uscc, Certification.tier, Certification.recognized_on,
                            Certification.expires_on, Certification.revoked_on)
                     .where(Certification.state != "voided"))


def departures(s: Session) -> dict[str, dt.date]:
    """The day each departed enterprise moved out or closed."""
    return {u: on for u, on in s.execute(select(Enterprise.uscc, Enterprise.status_on)
                                          .where(Enterprise.status_on.is_not(None)))}


def listings(s: Session, start: dt.date, end: dt.date) -> int:
    """Enterprises listed within [start, end] (the finance office's listings)."""
    return s.scalar(select(func.count()).select_from(Listing).where(Listing.listed_on >= start,
                                                                    Listing.listed_on <= end))


def requests_open(s: Session, on: dt.date) -> tuple[int, int]:
    """(requests open on a day, of which overdue then)."""
    open_q = select(func.count()).select_from(ServiceRequest).where(
        ServiceRequest.opened_on <= on, or_(ServiceRequest.closed_on.is_(None), ServiceRequest.closed_on > on))
    return s.scalar(open_q), s.scalar(open_q.where(ServiceRequest.due_on < on))
