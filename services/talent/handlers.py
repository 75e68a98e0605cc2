"""The registry events talent consumes, each with its handler (the bus calls them inside the
transaction that records the inbox row). Every one keeps the newest registry record
(shared.projection) and applies what that record ends (revocations for cause, voided
certifications, a departure: rules.ends); the promotion is also
the trigger of a quota grant, under its natural key (one entitlement per year and certification)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.talent.quotas import service
from shared import projection
from shared.clock import today
from shared.contracts.registry import (RECORD_EVENTS, CertificationRevoked, CertificationVoided, EnterpriseDeparted,
                                      EnterpriseEvent, EnterprisePromoted)
from shared.events import Event
from shared.handlers import Handlers

handlers = Handlers()


# A batch's registry records kept in one statement before its first event (shared.projection.read_ahead).
handlers.before_batch(projection.read_ahead_events)


@handlers.on(EnterprisePromoted)
def promoted(s: Session, event: Event, data: EnterprisePromoted) -> None:
    """Entitlements for the years the tier's parameters give (a first recognition only)."""
    service.on_promotion(s, event.id, data, today())


@handlers.on(CertificationRevoked)
def revoked(s: Session, event: Event, data: CertificationRevoked) -> None:
    """For cause: the certification's unused quotas of later years are cancelled."""
    service.on_revocation(s, event.id, data, today())


@handlers.on(CertificationVoided)
def voided(s: Session, event: Event, data: CertificationVoided) -> None:
    """Entered by mistake: its quotas of the current year and later years are cancelled (not one a
    nomination holds), with the reason."""
    service.on_void(s, event.id, data, today())


@handlers.on(EnterpriseDeparted)
def departed(s: Session, event: Event, data: EnterpriseDeparted) -> None:
    """Moved out or closed: its quotas of the years after it left are cancelled."""
    service.on_departure(s, event.id, data, today())


# The others only bring a newer record: an expiry keeps the quotas already granted (their years are
# the policy's, not the title's validity), a renewal entitles nothing new, and a revocation, void or
# departure shown in the record is applied whichever event carries it first.
SPECIFIC = (EnterprisePromoted, CertificationRevoked, CertificationVoided, EnterpriseDeparted)


@handlers.on(*(m for m in RECORD_EVENTS if m not in SPECIFIC))
def record(s: Session, event: Event, data: EnterpriseEvent) -> None:
    service.on_record(s, event.id, data.record, today())
