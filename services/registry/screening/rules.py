"""Pure rules of dynamic management (动态管理): annual updates owed, change-report deadlines, the
renewal notice window. No I/O."""
from __future__ import annotations

import calendar
import datetime as dt


# -- dynamic management ------------------------------------------------------------------------
def add_months(d: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def annual_deadlines(recognized_on: dt.date, expires_on: dt.date, upto: dt.date, mmdd: str) -> list[tuple[int, dt.date]]:
    """(year, deadline) of every annual update a title owes: each deadline after the recognition
    date, up to its expiry and not after `upto`."""
    month, day = (int(x) for x in mmdd.split("-"))
    out = []
    for year in range(recognized_on.year, min(expires_on, upto).year + 1):
        deadline = dt.date(year, month, day)
        if recognized_on < deadline <= min(expires_on, upto):
            out.append((year, deadline))
    return out


def missed_updates(deadlines: list[tuple[int, dt.date]], filed: dict[int, dt.date]) -> list[int]:
    """The years whose update was not filed by its deadline (missing one loses the renewal)."""
    return [year for year, deadline in deadlines if not (year in filed and filed[year] <= deadline)]


def change_due(changed_on: dt.date, months: int) -> dt.date:
    return add_months(changed_on, months)


def renewal_due(expires_on: dt.date, on: dt.date, notice_months: int) -> bool:
    """A title is on the renewal (复核) list from `notice_months` before its last valid day."""
    return on <= expires_on <= add_months(on, notice_months)
