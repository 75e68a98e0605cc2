"""Matchmaking-event (政银企对接) use cases. No commit."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.finance.loans import repository as loans
from services.finance.matchmaking import repository
from services.finance.matchmaking.schemas import MatchmakingIn, MatchmakingPublic
from services.finance.records import known_enterprise
from services.finance.tables import MatchmakingAttendee, MatchmakingEvent
from shared import audit
from shared.auth import Principal
from shared.errors import not_found


def _bank_of(who: Principal | None) -> str | None:
    return who.org if who is not None and who.role == "bank" else None


def public(s: Session, m: MatchmakingEvent, who: Principal | None = None) -> MatchmakingPublic:
    """The event with its attendees and the loan cases that came from it (a bank: only its own cases)."""
    cases = loans.of_event(s, m.id, _bank_of(who))
    return MatchmakingPublic.model_validate({
        "id": m.id, "title": m.title, "held_on": m.held_on, "venue": m.venue, "banks": m.banks,
        "enterprises": repository.attendees(s, m.id), "cases": cases, "cases_count": len(cases),
        "drawn_yuan": sum(c.drawn_yuan or 0 for c in cases)})


def get(s: Session, who: Principal, event_id: int) -> MatchmakingEvent:
    m = repository.get(s, who, event_id)
    if m is None:
        raise not_found("对接活动", "Matchmaking event", str(event_id))
    return m


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
    audit.record(s, actor, "matchmaking.create", "matchmaking_event", str(m.id), None,
                 public(s, m).model_dump(mode="json"))
    return m


def add_attendees(s: Session, actor: str, m: MatchmakingEvent, usccs: list[str]) -> MatchmakingEvent:
    have = set(repository.attendees(s, m.id))
    for uscc in sorted(set(usccs) - have):
        known_enterprise(s, uscc)
        s.add(MatchmakingAttendee(event_id=m.id, uscc=uscc))
    s.flush()
    audit.record(s, actor, "matchmaking.attendees", "matchmaking_event", str(m.id), None, {"added": usccs})
    return m
