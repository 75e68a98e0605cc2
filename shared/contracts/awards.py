"""What awards publishes."""
from __future__ import annotations

from shared.contracts import EventData


class AwardChanged(EventData):
    """An award was computed or changed state (the registry's timeline, the portal)."""

    SERVICE = "awards"
    NAME = "award.changed.v1"
    award_id: int
    uscc: str | None = None
    program: str
    tier: str | None = None
    payee: str | None = None
    amount_yuan: int
    state: str
