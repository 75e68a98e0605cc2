"""What parks publishes that other departments act on."""
from __future__ import annotations

import datetime as dt

from shared.contracts import EventData
from shared.tiers import Tier


class ParkDesignated(EventData):
    """A park received a designation (featured park, 特色园区): the featured-park award follows."""

    SERVICE = "parks"
    NAME = "park.designated.v1"
    park_id: str
    park_name: str
    designation: str
    designated_on: dt.date
    designation_id: int


class IncubateePromoted(EventData):
    """An enterprise the park incubated reached a higher title (once per park, enterprise and tier)."""

    SERVICE = "parks"
    NAME = "incubatee.promoted.v1"
    park_id: str
    uscc: str
    to_tier: Tier
    recognized_on: dt.date
    incubation_id: int
