"""The awards summary: per programme per year, approved, paid, clawed back and recovered."""
from __future__ import annotations

from pydantic import ConfigDict, Field

from shared.schemas import Public

FIGS = {"approved_count": 3, "approved_yuan": 900000, "paid_count": 2, "paid_yuan": 600000, "clawed_back_count": 0,
        "clawed_back_yuan": 0, "recovered_count": 0, "recovered_yuan": 0}


class Figures(Public):
    approved_count: int = Field(description="批准笔数 / awards approved")
    approved_yuan: int = Field(description="批准金额（元） / approved, 元")
    paid_count: int = Field(description="拨付笔数 / awards paid")
    paid_yuan: int = Field(description="拨付金额（元） / paid, 元")
    clawed_back_count: int = Field(description="追回笔数 / awards clawed back")
    clawed_back_yuan: int = Field(description="追回（应收）金额（元） / clawed back (owed back), 元")
    recovered_count: int = Field(description="追回到账笔数 / repayments received")
    recovered_yuan: int = Field(description="追回到账金额（元） / recovered, 元")


class YearFigures(Figures):
    year: int = Field(description="记账年份 / the year booked")


class ProgramSummary(Public):
    program: str = Field(description="奖励项目 / the programme")
    program_zh: str = Field(description="项目名称 / its Chinese name")
    years: list[YearFigures] = Field(description="逐年 / year by year")
    total: Figures = Field(description="合计 / over the years")


class Summary(Public):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "from_year": 2024, "to_year": 2025, "basis": "按记账日期所在年份 / by the year each ledger entry was booked",
        "programs": [{"program": "tier", "program_zh": "层级奖励", "years": [{"year": 2025, **FIGS}], "total": FIGS}],
        "total": [{"year": 2025, **FIGS}]}]})

    from_year: int = Field(description="起始年份 / the first year")
    to_year: int = Field(description="截止年份 / the last year")
    basis: str = Field(description="口径 / how the figures are counted")
    programs: list[ProgramSummary] = Field(description="各项目 / per programme")
    total: list[YearFigures] = Field(description="各年所有项目合计 / all programmes per year")
