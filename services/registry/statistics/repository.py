"""Every query of the statistics. The statistics are district-wide: their readers (the district's
departments and the auditor, never a park or a bank) are role-checked at the route, so there is
no per-caller scope here."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from services.registry.tables import Certification, Enterprise, Listing, ServiceRequest
from shared.tiers import LADDER, Tier

GROUPS = {"township": Enterprise.township, "park": Enterprise.park_id, "industry": Enterprise.industry_code}


def present(on: dt.date):
    """Enterprises still in the district on a date: one that moved out or closed on or before it
    (status_on) is no longer counted (README: statistics)."""
    return or_(Enterprise.status_on.is_(None), Enterprise.status_on > on)


def tier_counts(s: Session, on: dt.date) -> tuple[dict[str, int], dict[str, int]]:
    """(enterprises by current tier, holders by title) on a date, aggregated in the database (the
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
