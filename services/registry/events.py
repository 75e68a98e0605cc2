"""What the registry publishes, and what it consumes (the finance office's listings, for the
listing target). Data shapes are in EVENTS.md."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.registry.models import Certification, Enterprise
from services.registry.rules import Change
from shared.events import Event, emit, new_event

SERVICE = "registry"


def _enterprise_facts(e: Enterprise) -> dict:
    return {"uscc": e.uscc, "name": e.name, "township": e.township, "park_id": e.park_id,
            "industry_code": e.industry_code,
            "relocated_on": e.relocated_on and e.relocated_on.isoformat(),
            "relocated_from": e.relocated_from, "introducer": e.introducer}


def registered(s: Session, e: Enterprise) -> None:
    emit(s, new_event(SERVICE, "enterprise.registered.v1", e.uscc,
                      {**_enterprise_facts(e), "enterprise_version": e.version}))


def promoted(s: Session, e: Enterprise, change: Change, cert: Certification, first_time: bool) -> None:
    # The enterprise's facts ride along, so a consumer needs no earlier event to act on this one.
    emit(s, new_event(SERVICE, "enterprise.promoted.v1", e.uscc, {
        **_enterprise_facts(e), "from_tier": change.from_tier, "to_tier": change.to_tier,
        "certification_id": cert.id, "recognized_on": cert.recognized_on.isoformat(),
        "expires_on": cert.expires_on.isoformat(), "first_time_at_tier": first_time,
        "enterprise_version": e.version}))


def demoted(s: Session, e: Enterprise, change: Change, cert: Certification, reason: str) -> None:
    emit(s, new_event(SERVICE, "enterprise.demoted.v1", e.uscc, {
        "uscc": e.uscc, "name": e.name, "park_id": e.park_id, "from_tier": change.from_tier,
        "to_tier": change.to_tier, "reason": reason, "certification_id": cert.id,
        "on": change.on.isoformat(), "enterprise_version": e.version}))


def revoked(s: Session, cert: Certification) -> None:
    emit(s, new_event(SERVICE, "certification.revoked.v1", cert.uscc, {
        "uscc": cert.uscc, "certification_id": cert.id, "tier": cert.tier,
        "reason": cert.revoke_reason, "for_cause": bool(cert.for_cause),
        "revoked_on": cert.revoked_on.isoformat()}))


def on_listed(s: Session, event: Event) -> None:
    """srdi.finance.enterprise.listed.v1 → the listing projection (service.on_listed; imported late:
    service.py imports this module to publish)."""
    from services.registry import service
    service.on_listed(s, event.id, event.data)


HANDLERS = {
    "srdi.finance.enterprise.listed.v1": on_listed,
}
