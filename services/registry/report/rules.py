"""Pure rules of the leadership report: which years a request asks for, the day each year is
counted on, titles that lapsed in a year, and the timeliness of service requests. No I/O."""
from __future__ import annotations

import datetime as dt

from shared.tiers import held_on

MAX_YEARS = 20


def year_ends(first: int, last: int, on: dt.date) -> list[tuple[int, dt.date, dt.date]]:
    """(year, first day, day counted) per year: the year's end, or `on` for the year it falls in."""
    return [(y, dt.date(y, 1, 1), min(dt.date(y, 12, 31), on)) for y in range(first, last + 1)]


def lapsed(by_enterprise: dict[str, list], start: dt.date, end: dt.date, gone: dict[str, dt.date],
           titles: tuple[str, ...]) -> dict[str, int]:
    """Per title: enterprises holding it the day before `start` that no longer hold it on `end`
    (expired, revoked, or the enterprise moved out or closed)."""
    base_on = start - dt.timedelta(days=1)
    out = {t: 0 for t in titles}
    for uscc, certs in by_enterprise.items():
        left = gone.get(uscc)
        before = set() if left and left <= base_on else set(held_on(certs, base_on))
        after = set() if left and left <= end else set(held_on(certs, end))
        for t in before - after:
            if t in out:
                out[t] += 1
    return out


def timeliness(rows, end: dt.date) -> dict[str, dict[str, int]]:
    """Per owning department, the requests opened in the year as they stood on `end`: total,
    closed on time (by the due day), closed late, still open, and of those open the overdue ones.
    `rows`: (department, due_on, closed_on)."""
    out: dict[str, dict[str, int]] = {}
    for dept, due_on, closed_on in rows:
        c = out.setdefault(dept, {"total": 0, "on_time": 0, "late": 0, "open": 0, "open_overdue": 0})
        c["total"] += 1
        if closed_on is not None and closed_on <= end:
            c["on_time" if closed_on <= due_on else "late"] += 1
        else:
            c["open"] += 1
            if due_on < end:
                c["open_overdue"] += 1
    return dict(sorted(out.items()))
