"""Every query of loan cases and what hangs off them (decisions, changes, repayments, splits); what
finance asked the treasury to pay is payables/repository.py."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from services.finance.tables import (
    Loan,
    LoanChange,
    LoanRepayment,
    Product,
    ProviderDecision,
    RiskSplit,
)
from shared.auth import Principal
from shared.db import for_update


def readable(who: Principal) -> Select:
    """The one place loan scoping lives. A financial institution (role `bank`, org = its code: a
    bank, the government financing guarantor or an insurer) sees the loan cases it is party to:
    those it lends on (`loan.bank`) and those on a product it provides (`product.provider_org`, e.g.
    the guarantor of a 专精特新保 case, the insurer of a 专精特新险 case). Any other case is not found."""
    stmt = select(Loan)
    if who.role != "bank":
        return stmt
    provided = select(Product.id).where(Product.provider_org == who.org)
    return stmt.where(or_(Loan.bank == who.org, Loan.product_id.in_(provided)))


def get(s: Session, who: Principal, loan_id: int, lock: bool = False) -> Loan | None:
    stmt = readable(who).where(Loan.id == loan_id)
    return s.scalars(for_update(s, stmt) if lock else stmt).first()


def page(s: Session, who: Principal, limit: int, after: int | None, uscc: str | None,
         state: str | None) -> list[Loan]:
    stmt = readable(who).order_by(Loan.id).limit(limit + 1)
    if after is not None:
        stmt = stmt.where(Loan.id > after)
    if uscc:
        stmt = stmt.where(Loan.uscc == uscc.upper())
    if state:
        stmt = stmt.where(Loan.state == state)
    return list(s.scalars(stmt))


def of_enterprise(s: Session, uscc: str, lock: bool = False) -> list[Loan]:
    """Every bank's cases of an enterprise by id; `lock`: locked in id order and read afresh."""
    stmt = select(Loan).where(Loan.uscc == uscc).order_by(Loan.id)
    if lock:
        stmt = for_update(s, stmt).execution_options(populate_existing=True)
    return list(s.scalars(stmt).all())


def of_event(s: Session, event_id: int, bank: str | None) -> list[Loan]:
    """The cases that came from a matchmaking event (of one bank, when given)."""
    stmt = select(Loan).where(Loan.matchmaking_event_id == event_id).order_by(Loan.id)
    if bank is not None:
        stmt = stmt.where(Loan.bank == bank)
    return list(s.scalars(stmt))


def product(s: Session, product_id: int | None) -> Product | None:
    return s.get(Product, product_id) if product_id is not None else None


def provider_decisions(s: Session, loan_id: int) -> list[ProviderDecision]:
    return list(s.scalars(select(ProviderDecision).where(ProviderDecision.loan_id == loan_id)
                          .order_by(ProviderDecision.id)))


def provider_decision(s: Session, loan_id: int, org: str) -> ProviderDecision | None:
    return s.scalars(select(ProviderDecision).where(ProviderDecision.loan_id == loan_id,
                                                    ProviderDecision.org == org)).first()


def changes(s: Session, loan_id: int) -> list[LoanChange]:
    return list(s.scalars(select(LoanChange).where(LoanChange.loan_id == loan_id).order_by(LoanChange.id)))


def repayments(s: Session, loan_id: int) -> list[LoanRepayment]:
    return list(s.scalars(select(LoanRepayment).where(LoanRepayment.loan_id == loan_id)
                          .order_by(LoanRepayment.paid_on, LoanRepayment.id)))


def principal_repaid(s: Session, loan_id: int) -> int:
    """Principal repaid so far, by the repayment records."""
    return sum(s.scalars(select(LoanRepayment.principal_yuan).where(LoanRepayment.loan_id == loan_id)))


def interest_clash(s: Session, loan_id: int, start: dt.date, end: dt.date) -> LoanRepayment | None:
    """The earliest record of interest paid for a day in start..end."""
    return s.scalars(select(LoanRepayment).where(
        LoanRepayment.loan_id == loan_id, LoanRepayment.interest_yuan > 0,
        LoanRepayment.period_from <= end, LoanRepayment.period_to >= start)
        .order_by(LoanRepayment.period_from).limit(1)).first()


def risk_split(s: Session, loan_id: int) -> RiskSplit | None:
    return s.scalars(select(RiskSplit).where(RiskSplit.loan_id == loan_id)).first()
