"""Every query of the validity reminders: the enterprises a sweep looks at, the cycles already
announced, and the list of what was sent."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.registry.certifications import repository as certifications
from services.registry.reminders import rules
from services.registry.tables import (
    AnnualUpdate,
    Certification,
    Enterprise,
    ReminderSent,
)
from shared import pagination
from shared.tiers import LADDER, at_least

GONE = ("revoked", "voided")


def candidates(s: Session, on: dt.date, settings: rules.Settings) -> list[str]:
    """Enterprises with a title that may call for a reminder on `on`: one lapsing within the
    window, or (inside an annual update's window) one that owes that year's update. The rule
    decides; this only narrows the read."""
    lapse = (Certification.expires_on >= on) & (Certification.expires_on <= rules.add_months(on, settings.lapse_months))
    owed = [(Certification.recognized_on < deadline) & (Certification.expires_on >= deadline)
            & Certification.tier.in_([t.value for t in LADDER if at_least(t, settings.update_floor)])
            for _, deadline in rules.deadlines(on, settings.deadline, settings.update_months)]
    stmt = (select(Certification.uscc).distinct()
            .where(Certification.state.not_in(GONE), Certification.tier.not_in(rules.NOT_TITLES),
                   Certification.recognized_on <= on, or_(lapse, *owed)))
    return sorted(s.scalars(stmt))


def holders(s: Session, usccs: list[str], years: list[int]) -> list[rules.Holder]:
    """The enterprises as the rule reads them, with their certifications and the annual updates
    recorded for `years`. `status` is read where the record has it (moved out / closed)."""
    if not usccs:
        return []
    certs = certifications.by_enterprise(s, usccs)
    filed: dict[str, set[int]] = defaultdict(set)
    if years:
        for uscc, year in s.execute(select(AnnualUpdate.uscc, AnnualUpdate.year)
                                    .where(AnnualUpdate.uscc.in_(usccs), AnnualUpdate.year.in_(years))):
            filed[uscc].add(year)
    return [rules.Holder(uscc=e.uscc, name=e.name, certifications=tuple(certs[e.uscc]),
                         filed=frozenset(filed[e.uscc]), status=getattr(e, "status", None) or "active")
            for e in s.scalars(select(Enterprise).where(Enterprise.uscc.in_(usccs)).order_by(Enterprise.uscc))]


def sent_cycles(s: Session, usccs: list[str]) -> set[tuple[str, str]]:
    if not usccs:
        return set()
    return set(s.execute(select(ReminderSent.uscc, ReminderSent.cycle).where(ReminderSent.uscc.in_(usccs))).all())


def sent(s: Session, uscc: str | None, kind: str | None, after: int | None, limit: int) -> list[ReminderSent]:
    """The reminders announced, oldest first (keyset by id)."""
    stmt = select(ReminderSent)
    if uscc:
        stmt = stmt.where(ReminderSent.uscc == uscc)
    if kind:
        stmt = stmt.where(ReminderSent.kind == kind)
    return list(s.scalars(pagination.keyset(stmt, ReminderSent.id, after, limit)))
