"""The events the registry consumes, each with its handler (the bus calls them inside the
transaction that records the inbox row)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.registry.parks_known import service as parks_known
from services.registry.statistics import service as statistics
from services.registry.timeline import service as timeline
from shared.contracts.awards import AwardChanged
from shared.contracts.finance import EnterpriseListed, ServiceListChanged
from shared.contracts.parks import ParkRecorded
from shared.contracts.talent import QuotaCancelled, QuotaGranted
from shared.events import Event
from shared.handlers import Handlers

handlers = Handlers()


@handlers.on(EnterpriseListed)
def listed(s: Session, event: Event, data: EnterpriseListed) -> None:
    """The listing target counts the finance office's listings."""
    statistics.on_listed(s, event.id, data)


@handlers.on(ParkRecorded)
def park_recorded(s: Session, event: Event, data: ParkRecorded) -> None:
    """The parks an enterprise may be placed in (a correction names one of them)."""
    parks_known.on_recorded(s, data)


# The timeline keeps each award's, quota year's and list entry's latest whole record (never folds).
@handlers.on(AwardChanged)
def award_changed(s: Session, event: Event, data: AwardChanged) -> None:
    timeline.remember(s, event, "award", str(data.award_id), data.uscc, data)


@handlers.on(QuotaGranted, QuotaCancelled)
def quota_changed(s: Session, event: Event, data: QuotaGranted | QuotaCancelled) -> None:
    timeline.remember(s, event, "quota", str(data.year), data.uscc, data)


@handlers.on(ServiceListChanged)
def service_list_changed(s: Session, event: Event, data: ServiceListChanged) -> None:
    timeline.remember(s, event, "service_list", "entry", data.uscc, data)
