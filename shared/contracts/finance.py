"""What the finance office publishes that other departments act on."""
from __future__ import annotations

import datetime as dt

from shared.contracts import EventData


class EnterpriseListed(EventData):
    """The financial office recorded the enterprise's listing (上市): the registry's listing target
    counts it and the awards service may pay the listing award against it."""

    SERVICE = "finance"
    NAME = "enterprise.listed.v1"
    uscc: str
    board: str
    listed_on: dt.date
