"""Every query of the ledger and the budgets. `readable(who)` is where every read of ledger entries
starts: a park operator finds only the entries of awards paid to its park."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import Session

from services.awards.tables import Budget, LedgerEntry
from shared.auth import Principal
from shared.db import for_update, utcnow


_ADD = insert(LedgerEntry.__table__)


def add_entry(s: Session, **columns) -> None:
    """Append a ledger entry (a Core INSERT, issue 15: every award written books one)."""
    s.execute(_ADD, {"budget_year": None, "voucher": None, "note": None, **columns, "at": utcnow()})


def readable(who: Principal) -> Select:
    """The ledger entries `who` may see."""
    return scope(select(LedgerEntry), who)


def scope(stmt: Select, who: Principal) -> Select:
    """Any statement over ledger entries (a join) narrowed as `readable` narrows."""
    if who.role == "park":
        stmt = stmt.where(LedgerEntry.payee_type == "park", LedgerEntry.payee == who.org)
    return stmt


def booked_between(who: Principal, first: dt.date, last: dt.date) -> Select:
    return readable(who).where(LedgerEntry.booked_on.between(first, last)).order_by(LedgerEntry.id)


def page(s: Session, who: Principal, first: dt.date, last: dt.date, after: int | None, limit: int,
         uscc: str | None = None) -> list[LedgerEntry]:
    stmt = booked_between(who, first, last)
    if after is not None:
        stmt = stmt.where(LedgerEntry.id > after)
    if uscc:
        stmt = stmt.where(LedgerEntry.uscc == uscc)
    return list(s.scalars(stmt.limit(limit)))


def locked_budget(s: Session, year: int, program: str) -> Budget | None:
    return s.scalars(for_update(s, select(Budget).where(Budget.year == year, Budget.program == program))).first()


def budgets(s: Session, year: int, program: str | None = None) -> list[Budget]:
    stmt = select(Budget).where(Budget.year == year)
    if program:
        stmt = stmt.where(Budget.program == program)
    return list(s.scalars(stmt.order_by(Budget.program)))


def moved(s: Session, year: int, program: str | None = None) -> dict[str, dict[str, int]]:
    """Per program, the sum of each kind of entry booked against the year's budget."""
    sums = select(LedgerEntry.program, LedgerEntry.kind, func.sum(LedgerEntry.amount_yuan)).where(
        LedgerEntry.budget_year == year).group_by(LedgerEntry.program, LedgerEntry.kind)
    if program:
        sums = sums.where(LedgerEntry.program == program)
    out: dict[str, dict[str, int]] = {}
    for prog, kind, total in s.execute(sums):
        out.setdefault(prog, {})[kind] = int(total or 0)
    return out
