"""The events the registry consumes, each with its handler (the bus calls them inside the
transaction that records the inbox row)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.registry.parks_known import service as parks_known
from services.registry.statistics import service as statistics
from services.registry.timeline import rules as timeline_rules
from services.registry.timeline import service as timeline
from shared.contracts import EventData
from shared.contracts.finance import EnterpriseListed
from shared.contracts.parks import ParkRecorded
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
@handlers.on(*timeline_rules.FACT_EVENTS)
def fact_changed(s: Session, event: Event, data: EventData) -> None:
    timeline.remember(s, event, data)


@handlers.before_batch
def read_ahead(s: Session, batch: list[tuple[Event, EventData]]) -> None:
    """A batch's timeline facts kept at once (timeline.read_ahead)."""
    timeline.read_ahead(s, batch)
