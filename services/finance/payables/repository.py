"""Every query of payables, and who may read which: a bank only those of the loan cases it is party to."""
from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from services.finance.loans.repository import readable as readable_loans
from services.finance.payables.rules import COUNTS, STANDS
from services.finance.tables import Loan, Payable
from shared.auth import Principal
from shared.db import for_update
from shared.pagination import keyset


def readable(who: Principal) -> Select:
    stmt = select(Payable)
    if who.role == "bank":
        stmt = stmt.where(Payable.loan_id.in_(readable_loans(who).with_only_columns(Loan.id)))
    return stmt


def page(s: Session, who: Principal, after: int | None, limit: int, kind: str | None, state: str | None,
         loan_id: int | None) -> list[Payable]:
    stmt = readable(who)
    for column, value in ((Payable.kind, kind), (Payable.state, state), (Payable.loan_id, loan_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    return list(s.scalars(keyset(stmt, Payable.id, after, limit)))


def visible(s: Session, who: Principal, payable_id: int) -> Payable | None:
    return s.scalars(readable(who).where(Payable.id == payable_id)).first()


def one(s: Session, payable_id: int) -> Payable | None:
    """The payable, locked (an award's events for it take turns)."""
    return s.scalars(for_update(s, select(Payable).where(Payable.id == payable_id))).first()


def standing(s: Session, kind: str, loan_id: int, ref: str) -> Payable | None:
    return s.scalars(select(Payable).where(Payable.kind == kind, Payable.loan_id == loan_id, Payable.ref == ref,
                                           Payable.state.in_(STANDS))).first()


def attempts(s: Session, kind: str, loan_id: int, ref: str) -> int:
    return s.scalar(select(func.count()).select_from(Payable).where(
        Payable.kind == kind, Payable.loan_id == loan_id, Payable.ref == ref)) or 0


def subsidies(s: Session, loan_id: int) -> dict[str, Payable]:
    """A loan's subsidy quarters asked for, owed or paid (refused and clawed-back ones left out)."""
    return {p.ref: p for p in s.scalars(select(Payable).where(
        Payable.kind == "first_loan_subsidy", Payable.loan_id == loan_id, Payable.state.in_(COUNTS)))}


def subsidised(s: Session, loan_ids: list[int]) -> set[int]:
    """The loans among `loan_ids` with a subsidy asked for, owed or paid: the enterprise's first loan."""
    if not loan_ids:
        return set()
    return set(s.scalars(select(Payable.loan_id).where(
        Payable.kind == "first_loan_subsidy", Payable.loan_id.in_(loan_ids), Payable.state.in_(STANDS))))
