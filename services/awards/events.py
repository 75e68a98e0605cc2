"""What awards consumes (registry promotions and revocations, park designations) and publishes."""
from __future__ import annotations

from sqlalchemy.orm import Session

from shared.events import Event, emit, new_event

SERVICE = "awards"


def changed(s: Session, award) -> None:
    emit(s, new_event(SERVICE, "award.changed.v1", award.uscc or award.payee, {
        "award_id": award.id, "uscc": award.uscc, "program": award.program, "tier": award.tier,
        "payee": award.payee, "amount_yuan": award.amount_yuan, "state": award.state}))


def on_promoted(s: Session, event: Event) -> None:
    from services.awards import service
    service.on_promotion(s, event.id, event.data)


def on_revoked(s: Session, event: Event) -> None:
    from services.awards import service
    service.on_revocation(s, event.id, event.data)


def on_designated(s: Session, event: Event) -> None:
    from services.awards import service
    service.on_designation(s, event.id, event.data)


HANDLERS = {
    "srdi.registry.enterprise.promoted.v1": on_promoted,
    "srdi.registry.certification.revoked.v1": on_revoked,
    "srdi.parks.park.designated.v1": on_designated,
}
