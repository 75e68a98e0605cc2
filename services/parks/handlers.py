"""The events parks consumes, each with its handler (the bus calls them inside the transaction that
records the inbox row). Every registry event carries the enterprise's whole record: parks keeps the
newest (parks.service.learn), so the order events arrive in, and repeats, change nothing."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.parks.incubation import service as incubation
from services.parks.parks import service as parks
from shared import projection
from shared.contracts.registry import RECORD_EVENTS, EnterpriseEvent, EnterprisePromoted
from shared.events import Event
from shared.handlers import Handlers

handlers = Handlers()

# A batch's registry records kept in one statement before its first event (shared.projection.read_ahead).
handlers.before_batch(projection.read_ahead_events)


@handlers.on(EnterprisePromoted)
def promoted(s: Session, event: Event, data: EnterprisePromoted) -> None:
    """The record, and the announcement of an incubatee's promotion (keyed by park, uscc, tier)."""
    incubation.on_promoted(s, event.id, data)


@handlers.on(*(m for m in RECORD_EVENTS if m is not EnterprisePromoted))
def record(s: Session, event: Event, data: EnterpriseEvent) -> None:
    parks.learn(s, data.record)
