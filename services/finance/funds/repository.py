"""Every query of guidance funds (政府引导基金) and their investments."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from services.finance.tables import FundInvestment, GuidanceFund
from shared.auth import Principal


def readable(who: Principal | None = None) -> Select:
    """Every programme reader sees every fund: select(GuidanceFund)."""
    return select(GuidanceFund)


def all_funds(s: Session, who: Principal) -> list[GuidanceFund]:
    return list(s.scalars(readable(who).order_by(GuidanceFund.id)))


def get(s: Session, who: Principal | None, fund_id: int) -> GuidanceFund | None:
    return s.scalars(readable(who).where(GuidanceFund.id == fund_id)).first()


def named(s: Session, name: str) -> GuidanceFund | None:
    return s.scalars(select(GuidanceFund).where(GuidanceFund.name == name)).first()


def investments(s: Session, fund_id: int | None, on: dt.date | None = None) -> list[FundInvestment]:
    """A fund's investments (all funds' when None) by id; `on`: made on or before it."""
    stmt = select(FundInvestment).order_by(FundInvestment.id)
    if fund_id is not None:
        stmt = stmt.where(FundInvestment.fund_id == fund_id)
    if on is not None:
        stmt = stmt.where(FundInvestment.invested_on <= on)
    return list(s.scalars(stmt))
