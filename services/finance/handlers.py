"""The events finance consumes, each with its handler (the bus calls them inside the transaction
that records the inbox row). Every registry event about an enterprise carries its whole record:
finance keeps the newest (shared.projection.remember) and derives the service list from it, so each
of them, whatever happened (a renewal that keeps the enterprise listed past the old title's last
day, a revocation, a re-announcement), only hands the record on."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.finance.service_list import service
from shared.clock import today
from shared.contracts.registry import RECORD_EVENTS, EnterpriseEvent
from shared.events import Event
from shared.handlers import Handlers

handlers = Handlers()


@handlers.on(*RECORD_EVENTS)
def record(s: Session, event: Event, data: EnterpriseEvent) -> None:
    service.record_arrived(s, data.record, f"event:{event.id}", today())
