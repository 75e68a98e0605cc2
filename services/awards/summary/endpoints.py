"""The awards summary route (the leadership report's awards part): thin."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.awards.auth import TotalsReader
from services.awards.summary import service
from services.awards.summary.schemas import Summary
from shared.clock import today
from shared.errors import Problem
from shared.sessions import ReadSession

router = APIRouter(tags=["summary 汇总"])
MAX_YEARS = 20


@router.get("/awards/summary", summary="各项目逐年批准、拨付、追回、追回到账 / Per programme per year: approved, "
                                      "paid, clawed back, recovered")
def awards_summary(who: TotalsReader, session: ReadSession,
                   from_year: Annotated[int, Query(ge=2000, le=2100, description="起始年份 / the first year")],
                   to_year: Annotated[int, Query(ge=2000, le=2100, description="截止年份 / the last year")]) -> Summary:
    """区经信局、区财政局、审计读取（园区不能读取全区汇总）。Read by econ, treasury and the auditor."""
    def bad(zh: str, en: str, field: str) -> Problem:
        return Problem(422, "bad-period", zh, en, errors=[{"loc": ["query", field], "msg": en, "type": "value"}])
    if to_year < from_year:
        raise bad("截止年份早于起始年份", "to_year is before from_year", "to_year")
    if to_year > today().year:
        raise bad(f"{to_year} 年尚未开始", f"The year {to_year} has not begun", "to_year")
    if to_year - from_year + 1 > MAX_YEARS:
        raise bad(f"一次最多 {MAX_YEARS} 年", f"At most {MAX_YEARS} years at once", "from_year")
    return service.summary(session, from_year, to_year)
