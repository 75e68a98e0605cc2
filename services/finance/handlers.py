"""The events finance consumes, each with its handler (the bus calls them inside the transaction
that records the inbox row). Every registry event about an enterprise carries its whole record:
finance keeps the newest (shared.projection.remember) and derives the service list from it, so each
of them, whatever happened (a renewal that keeps the enterprise listed past the old title's last
day, a revocation, a re-announcement), only hands the record on."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.finance.payables import service as payables
from services.finance.service_list import service
from shared.clock import today
from shared.contracts.awards import AwardChanged
from shared import projection
from shared.contracts.registry import RECORD_EVENTS, EnterpriseEvent
from shared.events import Event
from shared.handlers import Handlers

handlers = Handlers()

# A batch's registry records kept in one statement before its first event (shared.projection.read_ahead).
handlers.before_batch(projection.read_ahead_events)
handlers.before_batch(service.read_ahead)  # and the service list's entries of the same enterprises


@handlers.on(*RECORD_EVENTS)
def record(s: Session, event: Event, data: EnterpriseEvent) -> None:
    service.record_arrived(s, data.record, f"event:{event.id}", today())


@handlers.on(AwardChanged)
def award_changed(s: Session, event: Event, data: AwardChanged) -> None:
    """The treasury's decision on a subsidy or compensation finance asked for (its award approved, paid,
    refused or clawed back); awards of other programmes are not finance's."""
    payables.on_award_changed(s, event.id, data, today())
