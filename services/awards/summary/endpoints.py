"""The awards summary route (the leadership report's awards part): thin."""
from __future__ import annotations

from fastapi import APIRouter

from services.awards.auth import TotalsReader
from services.awards.summary import service
from services.awards.summary.schemas import Summary
from shared import years
from shared.clock import today
from shared.sessions import ReadSession

router = APIRouter(tags=["summary 汇总"])


@router.get("/awards/summary", summary="各项目逐年批准、拨付、追回、追回到账 / Per programme per year: approved, "
                                      "paid, clawed back, recovered")
def awards_summary(who: TotalsReader, session: ReadSession,
                   from_year: years.FromYear, to_year: years.ToYear) -> Summary:
    """区经信局、区财政局、审计读取（园区不能读取全区汇总）。Read by econ, treasury and the auditor."""
    years.check(from_year, to_year, today())
    return service.summary(session, from_year, to_year)
