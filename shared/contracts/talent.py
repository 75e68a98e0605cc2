"""What talent publishes. No personal data ever goes into an event."""
from __future__ import annotations

from shared.contracts import EventData


class QuotaGranted(EventData):
    """A year's grant was created or raised; `count` is the year's grant after the change."""

    SERVICE = "talent"
    NAME = "quota.granted.v1"
    uscc: str
    year: int
    count: int
    basis: dict


class QuotaCancelled(EventData):
    """A year's grant fell; `count` is the grant after the change, `cancelled` how many went."""

    SERVICE = "talent"
    NAME = "quota.cancelled.v1"
    uscc: str
    year: int
    count: int
    cancelled: int
    basis: dict


class NominationChanged(EventData):
    SERVICE = "talent"
    NAME = "nomination.changed.v1"
    nomination_id: int
    uscc: str
    year: int
    category: str
    state: str
