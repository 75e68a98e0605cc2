"""What talent publishes, and the registry events it consumes. Data shapes are in README.md.

No personal data ever goes into an event: a nomination is announced by id, enterprise, year,
category and state only."""
from __future__ import annotations

from sqlalchemy.orm import Session

from shared.events import Event, emit, new_event

SERVICE = "talent"


def quota_granted(s: Session, uscc: str, year: int, count: int, basis: dict) -> None:
    """A year's grant was created or raised; `count` is the year's grant after the change."""
    emit(s, new_event(SERVICE, "quota.granted.v1", uscc, {"uscc": uscc, "year": year, "count": count,
                                                           "basis": basis}))


def quota_cancelled(s: Session, uscc: str, year: int, count: int, cancelled: int, basis: dict) -> None:
    """A year's grant fell (a revocation for cause, or a returned quota of a cancelled
    entitlement); `count` is the year's grant after the change, `cancelled` how many went."""
    emit(s, new_event(SERVICE, "quota.cancelled.v1", uscc, {"uscc": uscc, "year": year, "count": count,
                                                             "cancelled": cancelled, "basis": basis}))


def nomination_changed(s: Session, n) -> None:
    emit(s, new_event(SERVICE, "nomination.changed.v1", n.uscc, {
        "nomination_id": n.id, "uscc": n.uscc, "year": n.year, "category": n.category, "state": n.state}))


def on_promoted(s: Session, event: Event) -> None:
    from services.talent import service
    service.on_promotion(s, event.id, event.data)


def on_revoked(s: Session, event: Event) -> None:
    from services.talent import service
    service.on_revocation(s, event.id, event.data)


# Demotions need nothing here: an expiry keeps the quotas already granted (their years are the
# policy's, not the title's validity), and a revocation arrives as certification.revoked.v1,
# which carries for_cause.
HANDLERS = {
    "srdi.registry.enterprise.promoted.v1": on_promoted,
    "srdi.registry.certification.revoked.v1": on_revoked,
}
