"""The events outreach consumes, each with its handler (the bus calls them inside the transaction
that records the inbox row). Every registry event carries the enterprise's whole record: outreach
keeps the newest (service.learn), so the order events arrive in, and repeats, change nothing."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.outreach import service
from shared.contracts.registry import (CertificationAdded, CertificationRevoked, EnterpriseDemoted,
                                       EnterprisePromoted, EnterpriseRegistered)
from shared.events import Event
from shared.handlers import Handlers

handlers = Handlers()


@handlers.on(EnterpriseRegistered)
def registered(s: Session, event: Event, data: EnterpriseRegistered) -> None:
    service.learn(s, data.record)


@handlers.on(EnterprisePromoted)
def promoted(s: Session, event: Event, data: EnterprisePromoted) -> None:
    service.learn(s, data.record)


@handlers.on(EnterpriseDemoted)
def demoted(s: Session, event: Event, data: EnterpriseDemoted) -> None:
    service.learn(s, data.record)


@handlers.on(CertificationAdded)
def certification_added(s: Session, event: Event, data: CertificationAdded) -> None:
    service.learn(s, data.record)


@handlers.on(CertificationRevoked)
def certification_revoked(s: Session, event: Event, data: CertificationRevoked) -> None:
    service.learn(s, data.record)
