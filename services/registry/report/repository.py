"""Every query of the leadership report. The report is district-wide: its readers (the lead
bureau, the treasury and the auditor, never a park or a bank) are role-checked at the route, so
there is no per-caller scope here."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.registry.tables import Certification, Enterprise, PolicySession, ServiceRequest, SessionAttendance


def certifications(s: Session):
    """Every certification's tier and dates, voided ones left out (they never counted)."""
    return s.execute(select(Certification.uscc, Certification.tier, Certification.recognized_on,
                            Certification.expires_on, Certification.revoked_on)
                     .where(Certification.state != "voided"))


def departures(s: Session) -> dict[str, dt.date]:
    return {u: on for u, on in s.execute(select(Enterprise.uscc, Enterprise.status_on)
                                          .where(Enterprise.status_on.is_not(None)))}


def requests_opened(s: Session, first: dt.date, last: dt.date) -> list[tuple[str, dt.date, dt.date | None]]:
    """(department, due day, closing day) of the requests opened within [first, last]."""
    return [tuple(r) for r in s.execute(
        select(ServiceRequest.department, ServiceRequest.due_on, ServiceRequest.closed_on)
        .where(ServiceRequest.opened_on >= first, ServiceRequest.opened_on <= last))]


def sessions_held(s: Session, first: dt.date, last: dt.date) -> tuple[int, int, int]:
    """(sessions held, enterprise attendances, people attending) within [first, last]."""
    held = (PolicySession.held_on >= first, PolicySession.held_on <= last)
    n = s.scalar(select(func.count()).select_from(PolicySession).where(*held))
    ents, people = s.execute(select(func.count(), func.coalesce(func.sum(SessionAttendance.attendees), 0))
                             .join(PolicySession, PolicySession.id == SessionAttendance.session_id)
                             .where(*held)).one()
    return int(n or 0), int(ents or 0), int(people or 0)
