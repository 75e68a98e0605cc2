"""The finance summary route (the leadership report's finance part): thin."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.finance.summary import service
from services.finance.summary.schemas import FinanceSummary
from shared.auth import Caller
from shared.clock import today
from shared.errors import Problem
from shared.sessions import ReadSession

router = APIRouter(tags=["summary 汇总"])
SummaryReader = Caller("finance", "econ", "treasury", "auditor")  # district-wide: never a bank
MAX_YEARS = 20


@router.get("/summary", summary="逐年贷款、贴息、风险补偿、引导基金投向专精特新占比 / Per year: loans, subsidies, "
                                "compensations, guidance funds and their SRDI share")
def finance_summary(who: SummaryReader, session: ReadSession,
                    from_year: Annotated[int, Query(ge=2000, le=2100, description="起始年份 / the first year")],
                    to_year: Annotated[int, Query(ge=2000, le=2100, description="截止年份 / the last year")]
                    ) -> FinanceSummary:
    """区金融服务办、区经信局、区财政局、审计读取全区汇总（银行不能读取）；基金占比按年末（当年为今天）统计。
    District-wide, read by finance, econ, treasury and the auditor (never a bank); the fund share is
    counted at each year's end (today in the running year)."""
    def bad(zh: str, en: str, field: str) -> Problem:
        return Problem(422, "bad-period", zh, en, errors=[{"loc": ["query", field], "msg": en, "type": "value"}])
    if to_year < from_year:
        raise bad("截止年份早于起始年份", "to_year is before from_year", "to_year")
    if to_year > today().year:
        raise bad(f"{to_year} 年尚未开始", f"The year {to_year} has not begun", "to_year")
    if to_year - from_year + 1 > MAX_YEARS:
        raise bad(f"一次最多 {MAX_YEARS} 年", f"At most {MAX_YEARS} years at once", "from_year")
    return service.summary(session, from_year, to_year, today())
