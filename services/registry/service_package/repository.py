"""Every query of the service package. Who may read what: each aggregate's `readable(who)` (a park
operator sees its own enterprises' requests, visits and hotline questions; policy sessions are the
district's, not a park's: their readers are role-checked at the route)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from services.registry.enterprises import repository as enterprises
from services.registry.tables import (
    Enterprise,
    HotlineQuestion,
    PolicySession,
    ServiceRequest,
    SessionAttendance,
    Visit,
)
from shared import pagination
from shared.auth import Principal
from shared.db import for_update
from shared.errors import not_found


def _of_readable_enterprises(stmt: Select, who: Principal, uscc) -> Select:
    """Rows whose enterprise the caller may read (the enterprises' `readable(who)`); a caller who
    reads every enterprise reads every row, those of no enterprise (anonymous questions) included."""
    if enterprises.may_read(who, None):
        return stmt
    return stmt.where(uscc.in_(enterprises.readable(who, Enterprise.uscc)))


# -- requests ------------------------------------------------------------------------------------
def requests_readable(who: Principal) -> Select:
    """Requests this caller may read: a park its own enterprises' only."""
    return _of_readable_enterprises(select(ServiceRequest), who, ServiceRequest.uscc)


def request_for_update(s: Session, who: Principal, request_id: int) -> ServiceRequest:
    row = s.scalars(for_update(s, requests_readable(who).where(ServiceRequest.id == request_id))).first()
    if row is None:
        raise not_found("诉求", "Service request", str(request_id))
    return row


def requests_page(s: Session, who: Principal, limit: int, cursor: str | None, *, state: str | None,
                  department: str | None, uscc: str | None, overdue_on: dt.date | None) -> list[ServiceRequest]:
    """Up to limit + 1 requests by id; `overdue_on`: only those still open after their due day then."""
    after = pagination.decode_id(cursor)
    stmt = requests_readable(who).order_by(ServiceRequest.id)
    if after is not None:
        stmt = stmt.where(ServiceRequest.id > after)
    if state:
        stmt = stmt.where(ServiceRequest.state == state)
    if department:
        stmt = stmt.where(ServiceRequest.department == department)
    if uscc:
        stmt = stmt.where(ServiceRequest.uscc == uscc)
    if overdue_on is not None:
        stmt = stmt.where(ServiceRequest.state.in_(("open", "accepted")), ServiceRequest.due_on < overdue_on)
    return list(s.scalars(stmt.limit(limit + 1)))


# -- visits --------------------------------------------------------------------------------------
def visits_readable(who: Principal) -> Select:
    """Visits this caller may read: a park its own enterprises' only."""
    return _of_readable_enterprises(select(Visit), who, Visit.uscc)


def visits_page(s: Session, who: Principal, limit: int, cursor: str | None, *, uscc: str | None,
                start: dt.date | None, end: dt.date | None) -> list[Visit]:
    """Up to limit + 1 visits, newest first."""
    after = pagination.decode_id(cursor)
    stmt = visits_readable(who).order_by(Visit.id.desc())
    if after is not None:
        stmt = stmt.where(Visit.id < after)
    if uscc:
        stmt = stmt.where(Visit.uscc == uscc)
    if start:
        stmt = stmt.where(Visit.visited_on >= start)
    if end:
        stmt = stmt.where(Visit.visited_on <= end)
    return list(s.scalars(stmt.limit(limit + 1)))


# -- hotline questions -----------------------------------------------------------------------------
def questions_readable(who: Principal) -> Select:
    """Hotline questions this caller may read: a park its own enterprises' questions only (not
    anonymous ones); every other reader all."""
    return _of_readable_enterprises(select(HotlineQuestion), who, HotlineQuestion.uscc)


def question(s: Session, who: Principal, question_id: int, lock: bool = False) -> HotlineQuestion:
    stmt = questions_readable(who).where(HotlineQuestion.id == question_id)
    row = s.scalars(for_update(s, stmt) if lock else stmt).first()
    if row is None:
        raise not_found("热线咨询", "Hotline question", str(question_id))
    return row


def questions_page(s: Session, who: Principal, limit: int, cursor: str | None, *, category: str | None,
                   department: str | None, answered: bool | None, uscc: str | None) -> list[HotlineQuestion]:
    """Up to limit + 1 questions, newest first."""
    after = pagination.decode_id(cursor)
    stmt = questions_readable(who).order_by(HotlineQuestion.id.desc())
    if after is not None:
        stmt = stmt.where(HotlineQuestion.id < after)
    if category:
        stmt = stmt.where(HotlineQuestion.category == category)
    if department:
        stmt = stmt.where(HotlineQuestion.department == department)
    if answered is not None:
        stmt = stmt.where(HotlineQuestion.answered_on.is_not(None) if answered else HotlineQuestion.answered_on.is_(None))
    if uscc:
        stmt = stmt.where(HotlineQuestion.uscc == uscc.strip().upper())
    return list(s.scalars(stmt.limit(limit + 1)))


# -- policy sessions -------------------------------------------------------------------------------
def session(s: Session, session_id: int) -> PolicySession:
    row = s.get(PolicySession, session_id)
    if row is None:
        raise not_found("宣讲会", "Policy session", str(session_id))
    return row


def sessions_page(s: Session, limit: int, after: tuple[dt.date, int] | None, *, township: str | None,
                  start: dt.date | None, end: dt.date | None) -> list[PolicySession]:
    """Up to limit + 1 sessions, newest first (by day, then id)."""
    stmt = select(PolicySession).order_by(PolicySession.held_on.desc(), PolicySession.id.desc())
    if after:
        at, last = after
        stmt = stmt.where(or_(PolicySession.held_on < at, and_(PolicySession.held_on == at, PolicySession.id < last)))
    if township:
        stmt = stmt.where(PolicySession.township == township)
    if start:
        stmt = stmt.where(PolicySession.held_on >= start)
    if end:
        stmt = stmt.where(PolicySession.held_on <= end)
    return list(s.scalars(stmt.limit(limit + 1)))


def session_counts(s: Session, ids: list[int]) -> dict[int, tuple[int, int]]:
    """(enterprises, attendees) per session."""
    out = {i: (0, 0) for i in ids}
    for sid, n, people in s.execute(select(SessionAttendance.session_id, func.count(),
                                           func.sum(SessionAttendance.attendees))
                                    .where(SessionAttendance.session_id.in_(ids))
                                    .group_by(SessionAttendance.session_id)):
        out[sid] = (n, int(people or 0))
    return out


def attendance_with_names(s: Session, session_id: int) -> list[tuple[SessionAttendance, str]]:
    return list(s.execute(
        select(SessionAttendance, Enterprise.name).join(Enterprise, Enterprise.uscc == SessionAttendance.uscc)
        .where(SessionAttendance.session_id == session_id).order_by(SessionAttendance.uscc)))


def year_sessions(s: Session, year: int, township: str | None) -> tuple[list[tuple[int, str]], list[tuple[int, str, int]]]:
    """The sessions held in a year, (id, township), and their attendance, (session id, uscc, attendees)."""
    stmt = select(PolicySession.id, PolicySession.township).where(
        PolicySession.held_on >= dt.date(year, 1, 1), PolicySession.held_on <= dt.date(year, 12, 31))
    if township:
        stmt = stmt.where(PolicySession.township == township)
    sessions = [(i, t) for i, t in s.execute(stmt)]
    attendance = [(a, u, n) for a, u, n in s.execute(
        select(SessionAttendance.session_id, SessionAttendance.uscc, SessionAttendance.attendees)
        .where(SessionAttendance.session_id.in_(select(stmt.subquery().c.id))))]
    return sessions, attendance
