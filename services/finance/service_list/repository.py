"""Every query of the service list's cache (service_list_entry)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from services.finance.tables import ServiceListEntry
from shared.auth import Principal
from shared.db import for_update

PAGE_SCAN = 200  # candidates judged per round while filling a page


def readable(who: Principal | None = None) -> Select:
    """What a caller may read: the whole list (any bank reads it; it is the list of enterprises banks
    may offer SRDI products to)."""
    return select(ServiceListEntry)


def candidates(s: Session, who: Principal | None, floor: int, after: str | None) -> list:
    """The next PAGE_SCAN entries by USCC that can be on the list at all (peak rank ≥ floor): each
    (uscc, changed_on: the date finance recorded its last change, and what was last announced)."""
    stmt = (readable(who).with_only_columns(ServiceListEntry.uscc, ServiceListEntry.changed_on,
                                            ServiceListEntry.listed, ServiceListEntry.removed_on,
                                            ServiceListEntry.removed_reason)
            .where(ServiceListEntry.peak_rank >= floor).order_by(ServiceListEntry.uscc).limit(PAGE_SCAN))
    if after:
        stmt = stmt.where(ServiceListEntry.uscc > after)
    return list(s.execute(stmt))


_AHEAD = "service_list_entries_ahead"  # Session.info: a consumer batch's entries, by USCC (read_ahead)


def read_ahead(s: Session, usccs: set[str]) -> None:
    """A consumer batch's entries, read and locked (PostgreSQL, by USCC) in one statement before its
    first event, so `locked` answers from them (issue 15: one SELECT an event was a seventh of
    finance's handling). Only for a batch undone whole on any error (shared.handlers.before_batch)."""
    if not usccs:
        return
    found = {e.uscc: e for e in s.scalars(for_update(s, select(ServiceListEntry).where(
        ServiceListEntry.uscc.in_(sorted(usccs))).order_by(ServiceListEntry.uscc)))}
    s.info[_AHEAD] = {u: found.get(u) for u in usccs}


def locked(s: Session, uscc: str) -> ServiceListEntry | None:
    ahead = s.info.get(_AHEAD)
    if ahead is not None and uscc in ahead:
        return ahead[uscc]
    return s.scalars(for_update(s, select(ServiceListEntry).where(ServiceListEntry.uscc == uscc))).first()


def add(s: Session, entry: ServiceListEntry) -> None:
    """A new entry (its enterprise's first record), seen by the rest of a batch read ahead."""
    s.add(entry)
    ahead = s.info.get(_AHEAD)
    if ahead is not None and entry.uscc in ahead:
        ahead[entry.uscc] = entry


def to_judge(s: Session, floor: int, judged_before: dt.date | None) -> list[ServiceListEntry]:
    """The entries that can be on the list (locked, by USCC); `judged_before`: only those judged before it."""
    stmt = select(ServiceListEntry).where(ServiceListEntry.peak_rank >= floor).order_by(ServiceListEntry.uscc)
    if judged_before is not None:
        stmt = stmt.where(ServiceListEntry.judged_on < judged_before)
    return list(s.scalars(for_update(s, stmt)).all())
