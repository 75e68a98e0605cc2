"""What awards consumes (registry enterprises, promotions, demotions and revocations; park designations and
incubated enterprises' promotions;
the finance office's listings; outreach's signed scenario and ecosystem contracts) and publishes."""
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


def on_registered(s: Session, event: Event) -> None:
    from services.awards import service
    service.on_registered(s, event.id, event.data)


def on_demoted(s: Session, event: Event) -> None:
    from services.awards import service
    service.on_demoted(s, event.id, event.data)


def on_listed(s: Session, event: Event) -> None:
    from services.awards import service
    service.on_listed(s, event.id, event.data)


def on_contract_signed(s: Session, event: Event) -> None:
    from services.awards import service
    service.on_contract_signed(s, event.id, event.data)


def on_incubatee_promoted(s: Session, event: Event) -> None:
    from services.awards import service
    service.on_incubatee_promoted(s, event.id, event.data)


HANDLERS = {
    "srdi.outreach.contract.signed.v1": on_contract_signed,
    "srdi.registry.enterprise.registered.v1": on_registered,
    "srdi.registry.enterprise.promoted.v1": on_promoted,
    "srdi.registry.enterprise.demoted.v1": on_demoted,
    "srdi.finance.enterprise.listed.v1": on_listed,
    "srdi.registry.certification.revoked.v1": on_revoked,
    "srdi.parks.park.designated.v1": on_designated,
    "srdi.parks.incubatee.promoted.v1": on_incubatee_promoted,
}
