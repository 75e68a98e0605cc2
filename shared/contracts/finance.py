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


class ServiceListChanged(EventData):
    """An enterprise joined or left the banks' service list, or its tier or name on it changed."""

    SERVICE = "finance"
    NAME = "service_list.changed.v1"
    uscc: str
    name: str
    tier: str
    listed: bool
    since: dt.date | None = None
    removed_on: dt.date | None = None


class LoanChanged(EventData):
    """A loan case changed state (apply, approve, decline, draw, extension, renewal, repay, default)."""

    SERVICE = "finance"
    NAME = "loan.changed.v1"
    loan_id: int
    uscc: str
    bank: str
    action: str
    state: str
    amount_yuan: int | None = None
