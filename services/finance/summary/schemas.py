"""The finance summary for the leadership report: loans, subsidies, compensations, guidance funds per year."""
from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, Field

from shared.schemas import Public

YEAR = {"year": 2025, "on": "2025-12-31", "loans_applied": 12, "applied_yuan": 36000000, "loans_drawn": 9,
        "drawn_yuan": 27000000, "subsidy_payments": 6, "subsidy_yuan": 180000, "compensations": 1,
        "compensation_yuan": 400000, "investments": 3, "invested_yuan": 50000000,
        "fund_enterprises": 10, "fund_srdi_enterprises": 4, "fund_share_bp": 4000, "fund_floor_bp": 3000,
        "fund_meets_floor": True}


class FinanceYear(Public):
    year: int = Field(description="年份 / the year")
    on: dt.date = Field(description="基金占比的统计日（年末，当年为今天） / the day the fund share is counted")
    loans_applied: int = Field(description="当年申请的贷款笔数 / loans applied for in the year")
    applied_yuan: int = Field(description="申请金额（元） / amount applied for, 元")
    loans_drawn: int = Field(description="当年放款笔数 / loans drawn in the year")
    drawn_yuan: int = Field(description="放款金额（元） / amount drawn, 元")
    subsidy_payments: int = Field(description="首贷贴息笔数（按所属季度的年份） / first-loan subsidy payments (by the "
                                              "year of the quarter subsidised)")
    subsidy_yuan: int = Field(description="贴息金额（元） / subsidy paid, 元")
    compensations: int = Field(description="不良贷款风险补偿笔数（按认定不良日期） / non-performing-loan compensations")
    compensation_yuan: int = Field(description="风险补偿金额（元） / the district's compensation, 元")
    investments: int = Field(description="引导基金当年投资笔数 / guidance-fund investments made in the year")
    invested_yuan: int = Field(description="当年投资金额（元） / invested, 元")
    fund_enterprises: int = Field(description="截至统计日被投企业数 / enterprises invested in up to the day")
    fund_srdi_enterprises: int = Field(description="其中专精特新企业 / of which SRDI (tier on the investment day)")
    fund_share_bp: int = Field(description="专精特新占比（基点） / their share, basis points")
    fund_floor_bp: int = Field(description="占比下限（基点） / the floor in force, basis points")
    fund_meets_floor: bool = Field(description="是否达到下限 / whether the share meets the floor")


class FinanceSummary(Public):
    model_config = ConfigDict(json_schema_extra={"examples": [{"from_year": 2025, "to_year": 2025, "years": [YEAR]}]})

    from_year: int = Field(description="起始年份 / the first year")
    to_year: int = Field(description="截止年份 / the last year")
    years: list[FinanceYear] = Field(description="逐年 / year by year")
