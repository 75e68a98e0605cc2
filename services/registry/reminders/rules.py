"""Pure rules of the validity cycle: which reminders fall due for an enterprise on a day. No I/O.

- **Title lapse** (`title_lapse:<certification id>`): a title (not the 培育库 `potential` entry,
  which the district reviews itself) still live on the day, whose last valid day falls within the
  next `lapse_months` months, and not already renewed. *Renewed* means the enterprise holds another
  live certification of the same or a higher tier, recognised after this one and no later than its
  last valid day, that runs past it (a 复核 renewal, or a promotion that supersedes the title):
  such an enterprise loses nothing when the old title lapses, so it is not reminded.
- **Annual update** (`annual_update:<year>`): from `update_months` months before the year's deadline
  (the dated `annual_update.deadline`, 30 April) until the deadline itself, an enterprise holding a
  title of at least `update_floor` (municipal_srdi: the 专精特新 titles the national platform's
  yearly update is filed for, CRITERIA.md) that is live on the day, recognised before the deadline
  and still valid on it (screening.rules.annual_deadlines: only such a title owes that year's
  update), and which has no update recorded for that year.
- Only enterprises still in the district (`status` active) are reminded.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.registry.screening.rules import add_months
from shared.tiers import active_on, at_least, rank

NOT_TITLES = ("sme", "potential")  # no lapse reminder: not a title, or the district's own yearly review
TITLE_LAPSE, ANNUAL_UPDATE = "title_lapse", "annual_update"
KINDS = (TITLE_LAPSE, ANNUAL_UPDATE)


@dataclass(frozen=True)
class Settings:
    """The dated parameters in force on the day of the sweep."""

    lapse_months: int      # reminder.title_lapse.months
    update_months: int     # reminder.annual_update.months
    deadline: str          # annual_update.deadline, "MM-DD"
    update_floor: str      # reminder.annual_update.min_tier


@dataclass(frozen=True)
class Holder:
    """An enterprise as the rule sees it: its status, every certification (objects with id, tier,
    recognized_on, expires_on, revoked_on, state) and the years whose annual update is recorded."""

    uscc: str
    name: str
    certifications: Sequence
    filed: frozenset[int] = frozenset()
    status: str = "active"


@dataclass(frozen=True)
class Due:
    uscc: str
    name: str
    kind: str
    cycle: str
    due_on: dt.date
    tier: str
    certification_id: int | None = None


def live(c, on: dt.date) -> bool:
    """Counts on the day: not revoked or voided (whatever the dates say), and within its window."""
    return c.state not in ("revoked", "voided") and active_on(c, on)


def renewed(c, certs: Iterable) -> bool:
    """Another certification of the same or a higher tier, recognised after `c` and by its last
    valid day, not revoked or voided, carries on past it."""
    return any(d is not c and d.state not in ("revoked", "voided") and rank(d.tier) >= rank(c.tier)
               and c.recognized_on < d.recognized_on <= c.expires_on and d.expires_on > c.expires_on
               for d in certs)


def lapsing(h: Holder, on: dt.date, months: int) -> list[Due]:
    last = add_months(on, months)
    return [Due(h.uscc, h.name, TITLE_LAPSE, f"{TITLE_LAPSE}:{c.id}", c.expires_on, c.tier, c.id)
            for c in h.certifications
            if c.tier not in NOT_TITLES and live(c, on) and on <= c.expires_on <= last
            and not renewed(c, h.certifications)]


def deadlines(on: dt.date, mmdd: str, months: int) -> list[tuple[int, dt.date]]:
    """(year, deadline) of the annual updates whose reminder window holds `on`: from `months`
    months before the deadline to the deadline itself (this year's, or next year's for a window
    longer than the months left)."""
    month, day = (int(x) for x in mmdd.split("-"))
    out = []
    for year in (on.year, on.year + 1):
        deadline = dt.date(year, month, day)
        if add_months(deadline, -months) <= on <= deadline:
            out.append((year, deadline))
    return out


def updates_owed(h: Holder, on: dt.date, s: Settings) -> list[Due]:
    out = []
    for year, deadline in deadlines(on, s.deadline, s.update_months):
        if year in h.filed:
            continue
        owing = [c for c in h.certifications if c.tier not in NOT_TITLES and at_least(c.tier, s.update_floor)
                 and live(c, on) and c.recognized_on < deadline <= c.expires_on]
        if owing:
            top = max(owing, key=lambda c: rank(c.tier))
            out.append(Due(h.uscc, h.name, ANNUAL_UPDATE, f"{ANNUAL_UPDATE}:{year}", deadline, top.tier))
    return out


def due(holders: Iterable[Holder], on: dt.date, s: Settings) -> list[Due]:
    """Every reminder due on `on` (whether already sent is the caller's: one per enterprise and cycle)."""
    out: list[Due] = []
    for h in holders:
        if h.status != "active":
            continue  # moved out or closed: no district measure, no reminder
        out += lapsing(h, on, s.lapse_months)
        out += updates_owed(h, on, s)
    return out
