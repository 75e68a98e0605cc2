"""Every query of receivables and their repayments. `readable(who)` is where every read starts: a park
finds only the receivables of awards paid to its park (another's is simply not found, 404)."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from services.awards.tables import Receivable, Repayment
from shared.auth import Principal
from shared.db import for_update


def readable(who: Principal) -> Select:
    stmt = select(Receivable)
    if who.role == "park":
        stmt = stmt.where(Receivable.payee_type == "park", Receivable.payee == who.org)
    return stmt


def page(s: Session, who: Principal, after: int | None, limit: int, states: list[str] | None = None,
         year: int | None = None, uscc: str | None = None) -> list[Receivable]:
    stmt = readable(who)
    if states:
        stmt = stmt.where(Receivable.state.in_(states))
    if year is not None:
        stmt = stmt.where(Receivable.budget_year == year)
    if uscc:
        stmt = stmt.where(Receivable.uscc == uscc)
    if after is not None:
        stmt = stmt.where(Receivable.id > after)
    return list(s.scalars(stmt.order_by(Receivable.id).limit(limit)))


def one(s: Session, who: Principal, receivable_id: int, lock: bool = False) -> Receivable | None:
    stmt = readable(who).where(Receivable.id == receivable_id)
    return s.scalars(for_update(s, stmt) if lock else stmt).first()


def of_award(s: Session, award_id: int) -> Receivable | None:
    return s.scalars(select(Receivable).where(Receivable.award_id == award_id)).first()


def repayments_of(s: Session, receivable_id: int) -> list[Repayment]:
    return list(s.scalars(select(Repayment).where(Repayment.receivable_id == receivable_id).order_by(Repayment.id)))


def repayment_by_voucher(s: Session, key: str) -> Repayment | None:
    return s.scalars(select(Repayment).where(Repayment.voucher_key == key)).first()
