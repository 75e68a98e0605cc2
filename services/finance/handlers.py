"""The events finance consumes, each with its handler (the bus calls them inside the transaction
that records the inbox row). Every registry event about an enterprise carries its whole record: finance
keeps the newest (shared.projection.remember) and derives the service list from it, so each of them,
whatever happened, only hands the record on."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.finance import service
from shared.clock import today
from shared.contracts.registry import (CertificationAdded, CertificationRevoked, EnterpriseDemoted, EnterprisePromoted,
                                       EnterpriseRegistered)
from shared.events import Event
from shared.handlers import Handlers

handlers = Handlers()


@handlers.on(EnterpriseRegistered)
def registered(s: Session, event: Event, data: EnterpriseRegistered) -> None:
    service.record_arrived(s, data.record, f"event:{event.id}", today())


@handlers.on(EnterprisePromoted)
def promoted(s: Session, event: Event, data: EnterprisePromoted) -> None:
    service.record_arrived(s, data.record, f"event:{event.id}", today())


@handlers.on(EnterpriseDemoted)
def demoted(s: Session, event: Event, data: EnterpriseDemoted) -> None:
    service.record_arrived(s, data.record, f"event:{event.id}", today())


@handlers.on(CertificationAdded)
def certification_added(s: Session, event: Event, data: CertificationAdded) -> None:
    """A renewal or a lower title beside a higher one: the list may not change today, but the record
    did (the renewal keeps the enterprise on the list past the old title's last day)."""
    service.record_arrived(s, data.record, f"event:{event.id}", today())


@handlers.on(CertificationRevoked)
def certification_revoked(s: Session, event: Event, data: CertificationRevoked) -> None:
    service.record_arrived(s, data.record, f"event:{event.id}", today())
