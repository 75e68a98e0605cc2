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


def _to(use_case: str):
    """A handler that passes the event to a use case in service.py (imported late: service.py
    imports this module to publish)."""
    def handle(s: Session, event: Event) -> None:
        from services.awards import service
        getattr(service, use_case)(s, event.id, event.data)
    handle.__name__ = use_case
    return handle


HANDLERS = {
    "srdi.registry.enterprise.registered.v1": _to("on_registered"),
    "srdi.registry.enterprise.promoted.v1": _to("on_promotion"),
    "srdi.registry.enterprise.demoted.v1": _to("on_demoted"),
    "srdi.registry.certification.revoked.v1": _to("on_revocation"),
    "srdi.finance.enterprise.listed.v1": _to("on_listed"),
    "srdi.outreach.contract.signed.v1": _to("on_contract_signed"),
    "srdi.parks.park.designated.v1": _to("on_designation"),
    "srdi.parks.incubatee.promoted.v1": _to("on_incubatee_promoted"),
}
