"""What finance consumes (registry tier events, for the service list) and what it publishes."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.finance.rules import Fact
from shared.clock import SHANGHAI, today
from shared.events import Event, emit, new_event
from shared.tiers import Tier

SERVICE = "finance"


# -- published -------------------------------------------------------------------------------------

def service_list_changed(s: Session, entry) -> None:
    """srdi.finance.service_list.changed.v1: an enterprise joined or left the list, or its tier or
    name on it changed."""
    emit(s, new_event(SERVICE, "service_list.changed.v1", entry.uscc, {
        "uscc": entry.uscc, "name": entry.name, "tier": entry.tier, "listed": entry.listed,
        "since": entry.since and entry.since.isoformat(),
        "removed_on": entry.removed_on and entry.removed_on.isoformat()}))


def loan_changed(s: Session, loan, action: str) -> None:
    """srdi.finance.loan.changed.v1: a loan case changed state (apply, approve, decline, draw,
    extension, renewal, adjusted_plan, repay, default)."""
    emit(s, new_event(SERVICE, "loan.changed.v1", loan.uscc, {
        "loan_id": loan.id, "uscc": loan.uscc, "bank": loan.bank, "action": action, "state": loan.state,
        "amount_yuan": loan.drawn_yuan if loan.drawn_yuan is not None else loan.applied_yuan}))


# -- consumed ----------------------------------------------------------------------------------------

def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _event_day(event: Event) -> dt.date:
    """The Asia/Shanghai date of the event's time (a registration carries no date of its own)."""
    try:
        return dt.datetime.fromisoformat(event.time.replace("Z", "+00:00")).astimezone(SHANGHAI).date()
    except ValueError:
        return today()


def _fact(event: Event, kind: str, from_tier: str | None, to_tier: str, on: dt.date) -> Fact:
    d = event.data
    for tier in (from_tier, to_tier):
        if tier is not None and tier not in Tier.__members__:
            raise ValueError(f"unknown tier {tier!r} in event {event.id}")
    return Fact(uscc=d["uscc"], version=int(d["enterprise_version"]), kind=kind, from_tier=from_tier,
                to_tier=to_tier, on=on, name=d["name"], event_id=event.id)


def on_registered(s: Session, event: Event) -> None:
    from services.finance import service  # service imports this module to publish

    service.record_tier_fact(s, _fact(event, "registered", None, "sme", _event_day(event)), today())


def on_promoted(s: Session, event: Event) -> None:
    from services.finance import service  # service imports this module to publish

    d = event.data
    service.record_tier_fact(s, _fact(event, "promoted", d["from_tier"], d["to_tier"], _day(d["recognized_on"])),
                             today())


def on_demoted(s: Session, event: Event) -> None:
    from services.finance import service  # service imports this module to publish

    d = event.data
    service.record_tier_fact(s, _fact(event, "demoted", d["from_tier"], d["to_tier"], _day(d["on"])), today())


HANDLERS = {
    "srdi.registry.enterprise.registered.v1": on_registered,
    "srdi.registry.enterprise.promoted.v1": on_promoted,
    "srdi.registry.enterprise.demoted.v1": on_demoted,
}


def enterprise_listed(s: Session, uscc: str, board: str, listed_on: dt.date) -> None:
    """srdi.finance.enterprise.listed.v1: the enterprise listed (上市); the awards service makes the
    listing award claimable from it."""
    emit(s, new_event(SERVICE, "enterprise.listed.v1", uscc,
                      {"uscc": uscc, "board": board, "listed_on": listed_on.isoformat()}))
