"""The finance summary route (the leadership report's finance part): thin."""
from __future__ import annotations

from fastapi import APIRouter

from services.finance.summary import service
from services.finance.summary.schemas import FinanceSummary
from shared import years
from shared.auth import Caller
from shared.clock import today
from shared.sessions import ReadSession

router = APIRouter(tags=["summary 汇总"])
SummaryReader = Caller("finance", "econ", "treasury", "auditor")  # district-wide: never a bank


@router.get("/summary", summary="逐年贷款、贴息、风险补偿、引导基金投向专精特新占比 / Per year: loans, subsidies, "
                                "compensations, guidance funds and their SRDI share")
def finance_summary(who: SummaryReader, session: ReadSession,
                    from_year: years.FromYear, to_year: years.ToYear) -> FinanceSummary:
    """区金融服务办、区经信局、区财政局、审计读取全区汇总（银行不能读取）；基金占比按年末（当年为今天）统计。
    District-wide, read by finance, econ, treasury and the auditor (never a bank); the fund share is
    counted at each year's end (today in the running year)."""
    years.check(from_year, to_year, today())
    return service.summary(session, from_year, to_year, today())
