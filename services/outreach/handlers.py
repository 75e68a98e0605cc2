"""The events outreach consumes, each with its handler (the bus calls them inside the transaction
that records the inbox row). Every registry event carries the enterprise's whole record: outreach
keeps the newest (registry.learn), so the order events arrive in, and repeats, change nothing."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.outreach import registry
from services.outreach.notices import validity
from shared import projection
from shared.contracts.registry import RECORD_EVENTS, EnterpriseEvent, ReminderDue
from shared.events import Event
from shared.handlers import Handlers

handlers = Handlers()

# A batch's registry records kept in one statement before its first event (shared.projection.read_ahead).
handlers.before_batch(projection.read_ahead_events)


@handlers.on(*RECORD_EVENTS)
def record(s: Session, event: Event, data: EnterpriseEvent) -> None:
    registry.learn(s, data.record)


@handlers.on(ReminderDue)
def reminder_due(s: Session, event: Event, data: ReminderDue) -> None:
    """A title lapses soon or an annual update is due: one notice to the enterprise per cycle."""
    validity.on_due(s, data)
