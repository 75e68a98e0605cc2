"""What outreach publishes (contract.signed.v1) and consumes (the registry's enterprise events,
kept as a projection of the district's enterprises). Data shapes are in README.md."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.outreach.models import Contract, Enterprise
from shared.db import for_update
from shared.events import Event, emit, new_event
from shared.tiers import Tier

SERVICE = "outreach"


def contract_signed(s: Session, c: Contract) -> Event:
    """Raises the scenario or ecosystem claim in awards; the consumer keys it by contract_id."""
    return emit(s, new_event(SERVICE, "contract.signed.v1", c.uscc, {
        "contract_id": c.id, "kind": c.kind, "uscc": c.uscc, "buyer_uscc": c.buyer_uscc,
        "scenario_id": c.scenario_id, "contract_yuan": c.contract_yuan,
        "signed_on": c.signed_on.isoformat(), "evidence": c.evidence}))


# -- consumed -------------------------------------------------------------------------------------
# Handlers run inside the bus's transaction with the inbox row: they never commit; applying one
# twice, or out of order, leaves the same state (enterprise_version decides what is newer).

def _apply(s: Session, data: dict, tier: str | None) -> None:
    version = int(data["enterprise_version"])
    row = s.scalars(for_update(s, select(Enterprise).where(Enterprise.uscc == data["uscc"]))).first()
    if row is None:
        s.add(Enterprise(uscc=data["uscc"], name=data["name"], township=data.get("township"),
                         park_id=data.get("park_id"), industry_code=data.get("industry_code"),
                         tier=tier or Tier.sme.value, enterprise_version=version))
    elif version > row.enterprise_version:
        row.name, row.park_id, row.enterprise_version = data["name"], data.get("park_id"), version
        if "township" in data:
            row.township = data["township"]
        if "industry_code" in data:  # demoted.v1 and older events do not carry it
            row.industry_code = data["industry_code"]
        if tier:
            row.tier = tier


def on_registered(s: Session, event: Event) -> None:
    _apply(s, event.data, Tier.sme.value)


def on_tier_change(s: Session, event: Event) -> None:
    _apply(s, event.data, Tier(event.data["to_tier"]).value)


HANDLERS = {
    "srdi.registry.enterprise.registered.v1": on_registered,
    "srdi.registry.enterprise.promoted.v1": on_tier_change,
    "srdi.registry.enterprise.demoted.v1": on_tier_change,
}
