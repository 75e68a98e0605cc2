"""The finance summary for the leadership report. Never commits."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.finance.funds.service import fund_report
from services.finance.summary import repository, rules
from services.finance.summary.schemas import FinanceSummary


def summary(s: Session, first: int, last: int, today: dt.date) -> FinanceSummary:
    start, end = dt.date(first, 1, 1), min(dt.date(last, 12, 31), today)
    years = rules.per_year(first, last, repository.loans_touching(s, start, end),
                           repository.subsidies(s, first, last), repository.compensations(s, start, end),
                           repository.investments(s, start, end))
    out = []
    for year, figures in years.items():
        on = min(dt.date(year, 12, 31), today)
        fund = fund_report(s, None, on)  # all funds, investments up to the day, the floor then in force
        out.append({"year": year, "on": on, **figures, "fund_enterprises": fund["enterprises"],
                    "fund_srdi_enterprises": fund["srdi_enterprises"], "fund_share_bp": fund["share_bp"],
                    "fund_floor_bp": fund["floor_bp"], "fund_meets_floor": fund["meets_floor"]})
    return FinanceSummary.model_validate({"from_year": first, "to_year": last, "years": out})
