"""Every query of the finance summary (district-wide: its readers are role-checked at the route;
never a bank, which sees only its own cases)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.finance.tables import FundInvestment, Loan, Payable, RiskSplit


def loans_touching(s: Session, first: dt.date, last: dt.date) -> list[tuple[dt.date, int, dt.date | None, int | None]]:
    """(applied on, applied 元, drawn on, drawn 元) of the loans applied for or drawn within [first, last]."""
    stmt = select(Loan.applied_on, Loan.applied_yuan, Loan.drawn_on, Loan.drawn_yuan).where(
        ((Loan.applied_on >= first) & (Loan.applied_on <= last)) | ((Loan.drawn_on >= first) & (Loan.drawn_on <= last)))
    return [tuple(r) for r in s.execute(stmt)]


def subsidies(s: Session, first: int, last: int) -> list[tuple[str, int]]:
    """(quarter, 元) of the first-loan subsidies paid (by the treasury) for quarters of the years [first, last]."""
    stmt = select(Payable.ref, Payable.amount_yuan).where(
        Payable.kind == "first_loan_subsidy", Payable.state == "paid",
        Payable.ref >= f"{first}Q1", Payable.ref <= f"{last}Q4")
    return [tuple(r) for r in s.execute(stmt)]


def compensations(s: Session, first: dt.date, last: dt.date) -> list[tuple[dt.date, int]]:
    """(day declared non-performing, the district's compensation 元) within [first, last]."""
    stmt = select(Loan.closed_on, RiskSplit.compensation_yuan).join(Loan, Loan.id == RiskSplit.loan_id).where(
        Loan.closed_on >= first, Loan.closed_on <= last)
    return [tuple(r) for r in s.execute(stmt)]


def investments(s: Session, first: dt.date, last: dt.date) -> list[tuple[dt.date, int]]:
    """(day, 元) of the guidance funds' investments within [first, last]."""
    stmt = select(FundInvestment.invested_on, FundInvestment.amount_yuan).where(
        FundInvestment.invested_on >= first, FundInvestment.invested_on <= last)
    return [tuple(r) for r in s.execute(stmt)]
