"""What parks publishes (park.designated.v1, incubatee.promoted.v1) and consumes (the registry's enterprise events, kept
as a projection of who is in which park at which tier). Data shapes are in EVENTS.md."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.parks import rules
from services.parks.models import Designation, Enterprise, IncubateePromotion, Incubation, Park, TierChange
from shared.db import for_update
from shared.events import Event, emit, new_event
from shared.tiers import Tier, rank

SERVICE = "parks"


def designated(s: Session, park: Park, d: Designation) -> None:
    emit(s, new_event(SERVICE, "park.designated.v1", park.id, {
        "park_id": park.id, "park_name": park.name, "designation": d.designation,
        "designated_on": d.designated_on.isoformat(), "designation_id": d.id}))


def _incubatee_promoted(s: Session, event: Event) -> None:
    """Announce a promotion of an enterprise a park incubated (the summary's rule: a promotion on or
    after its first entry into the park), once per (park, uscc, to_tier): the incubatee_promotion row
    with its unique key is the guard, so a redelivered, replayed or re-published promotion, or a later
    renewal at the same tier, announces nothing again. Incubations recorded after the promotion has
    arrived are not announced retroactively."""
    data = event.data
    if rank(Tier(data["to_tier"]).value) <= rank(Tier(data["from_tier"]).value):
        return
    on = dt.date.fromisoformat(data["recognized_on"])
    by_park: dict[str, list[tuple[rules.Stay, int]]] = {}
    for i in s.scalars(select(Incubation).where(Incubation.uscc == data["uscc"]).order_by(Incubation.id)):
        by_park.setdefault(i.park_id, []).append((rules.Stay(i.uscc, i.entered_on, i.graduated_on), i.id))
    to_tier = Tier(data["to_tier"]).value
    for park_id, stays in sorted(by_park.items()):
        stay = rules.crediting_stay([st for st, _ in stays], on)
        if stay is None:
            continue
        if s.scalars(select(IncubateePromotion.id).where(
                IncubateePromotion.park_id == park_id, IncubateePromotion.uscc == data["uscc"],
                IncubateePromotion.to_tier == to_tier)).first() is not None:
            continue
        incubation_id = next(i for st, i in stays if st == stay)
        s.add(IncubateePromotion(park_id=park_id, uscc=data["uscc"], to_tier=to_tier, recognized_on=on,
                                 incubation_id=incubation_id, event_id=event.id))
        s.flush()
        emit(s, new_event(SERVICE, "incubatee.promoted.v1", park_id, {
            "park_id": park_id, "uscc": data["uscc"], "to_tier": to_tier, "recognized_on": on.isoformat(),
            "incubation_id": incubation_id}))


# -- consumed -------------------------------------------------------------------------------------
# Handlers run inside the bus's transaction with the inbox row: they never commit, and applying
# one twice, or out of order, leaves the same state (enterprise_version decides what is newer).

def _relocation(data: dict, row: Enterprise | None) -> dict:
    """The relocation facts an event carries (registered and promoted do; demoted does not, so
    those already held are kept)."""
    out = {"relocated_on": row and row.relocated_on, "introducer": row and row.introducer}
    if "relocated_on" in data:
        out["relocated_on"] = data["relocated_on"] and dt.date.fromisoformat(data["relocated_on"])
    if "introducer" in data:
        out["introducer"] = (data["introducer"] or None) and str(data["introducer"])[:200]
    return out


def _apply(s: Session, data: dict, tier: str) -> None:
    version = int(data["enterprise_version"])
    row = s.scalars(for_update(s, select(Enterprise).where(Enterprise.uscc == data["uscc"]))).first()
    if row is None:
        s.add(Enterprise(uscc=data["uscc"], name=data["name"], park_id=data.get("park_id"), tier=tier,
                         enterprise_version=version, **_relocation(data, None)))
    elif version > row.enterprise_version:
        row.name, row.park_id, row.tier, row.enterprise_version = data["name"], data.get("park_id"), tier, version
        for k, v in _relocation(data, row).items():
            setattr(row, k, v)


def _history(s: Session, event: Event, on: str, first_time: bool | None) -> None:
    data = event.data
    version = int(data["enterprise_version"])
    known = s.scalars(select(TierChange.id).where(TierChange.uscc == data["uscc"],
                                                  TierChange.enterprise_version == version)).first()
    if known is None:
        s.add(TierChange(uscc=data["uscc"], enterprise_version=version, changed_on=dt.date.fromisoformat(on),
                         from_tier=Tier(data["from_tier"]).value, to_tier=Tier(data["to_tier"]).value,
                         first_time=first_time, event_id=event.id))


def on_registered(s: Session, event: Event) -> None:
    _apply(s, event.data, Tier.sme.value)


def on_promoted(s: Session, event: Event) -> None:
    _apply(s, event.data, Tier(event.data["to_tier"]).value)
    _history(s, event, event.data["recognized_on"], event.data.get("first_time_at_tier"))
    _incubatee_promoted(s, event)


def on_demoted(s: Session, event: Event) -> None:
    _apply(s, event.data, Tier(event.data["to_tier"]).value)
    _history(s, event, event.data["on"], None)


HANDLERS = {
    "srdi.registry.enterprise.registered.v1": on_registered,
    "srdi.registry.enterprise.promoted.v1": on_promoted,
    "srdi.registry.enterprise.demoted.v1": on_demoted,
}
