"""The events the registry consumes, each with its handler (the bus calls them inside the
transaction that records the inbox row)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.registry.statistics import service as statistics
from shared.contracts.finance import EnterpriseListed
from shared.events import Event
from shared.handlers import Handlers

handlers = Handlers()


@handlers.on(EnterpriseListed)
def listed(s: Session, event: Event, data: EnterpriseListed) -> None:
    """The listing target counts the finance office's listings."""
    statistics.on_listed(s, event.id, data)
