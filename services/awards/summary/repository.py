"""Every query of the awards summary: ledger entries summed per programme, year and kind. The
summary is district-wide: its readers (lead bureau, treasury, auditor; never a park) are
role-checked at the route."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from services.awards.tables import LedgerEntry

KINDS = ("reserved", "released", "disbursed", "clawed_back", "recovered")


def sums(s: Session, first: int, last: int) -> list[tuple[str, int, str, int, int]]:
    """(programme, year booked, kind, entries, sum in 元) of the entries booked in [first, last]."""
    year = extract("year", LedgerEntry.booked_on)
    stmt = (select(LedgerEntry.program, year, LedgerEntry.kind, func.count(), func.sum(LedgerEntry.amount_yuan))
            .where(LedgerEntry.kind.in_(KINDS), LedgerEntry.booked_on >= dt.date(first, 1, 1),
                   LedgerEntry.booked_on <= dt.date(last, 12, 31))
            .group_by(LedgerEntry.program, year, LedgerEntry.kind))
    return [(p, int(y), k, int(n), int(total or 0)) for p, y, k, n, total in s.execute(stmt)]
