"""Every query of matchmaking events (政银企对接) and their attendees."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, String, cast, select
from sqlalchemy.orm import Session

from services.finance.tables import MatchmakingAttendee, MatchmakingEvent
from shared.auth import Principal


def readable(who: Principal | None) -> Select:
    """What a caller may read: every event, but a bank (or guarantor, insurer) only those it attended
    (its org code among the event's `banks`, a JSON list of codes that hold no quote: schemas.OrgCode)."""
    stmt = select(MatchmakingEvent)
    if who is None or who.role != "bank":
        return stmt
    return stmt.where(cast(MatchmakingEvent.banks, String).contains(f'"{who.org}"', autoescape=True))


def get(s: Session, who: Principal | None, event_id: int) -> MatchmakingEvent | None:
    return s.scalars(readable(who).where(MatchmakingEvent.id == event_id)).first()


def page(s: Session, who: Principal, limit: int, after: int | None, year: int | None) -> list[MatchmakingEvent]:
    stmt = readable(who).order_by(MatchmakingEvent.id).limit(limit + 1)
    if after is not None:
        stmt = stmt.where(MatchmakingEvent.id > after)
    if year:
        stmt = stmt.where(MatchmakingEvent.held_on >= dt.date(year, 1, 1),
                          MatchmakingEvent.held_on <= dt.date(year, 12, 31))
    return list(s.scalars(stmt))


def attendees(s: Session, event_id: int) -> list[str]:
    return list(s.scalars(select(MatchmakingAttendee.uscc).where(MatchmakingAttendee.event_id == event_id)
                          .order_by(MatchmakingAttendee.uscc)))
