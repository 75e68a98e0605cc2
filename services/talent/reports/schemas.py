"""Report answers: aggregates and USCCs only, no personal data."""
from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, Field

from shared.schemas import Public

QUOTA_ROW = {"year": 2026, "tier": "national_little_giant", "enterprises": 12, "granted": 12, "used": 7,
             "available": 5, "lapsed": 0}
YEAR_TOTAL = {k: v for k, v in QUOTA_ROW.items() if k != "tier"}
BY_STATE = {"submitted": 2, "district_reviewed": 1, "recommended": 1, "approved": 3, "rejected": 1, "withdrawn": 0}
NOMINATION_ROW = {"year": 2026, "category": "领军人才", "by_state": BY_STATE, "total": 8}
STATES = list(BY_STATE)
CATEGORIES = ["战略人才", "领军人才", "骨干人才", "优秀人才"]


class _Counts(Public):
    enterprises: int = Field(description="企业数 / enterprises")
    granted: int = Field(description="授予数 / quotas granted")
    used: int = Field(description="已使用数 / quotas used")
    available: int = Field(description="可用数（年度未结束） / quotas left while the year runs")
    lapsed: int = Field(description="已失效数（年度已结束而未使用） / quotas unused when the year ended")


class _Year(Public):
    year: int = Field(description="年度 / the year")


class _YearTier(_Year):
    tier: str = Field(description="授予所依据的层级；cancelled 表示认定已撤销、因被占用而保留 / "
                                  "the tier the grants rest on; cancelled: kept only because in use after a revocation")


# Pydantic orders the fields of bases from the last base to the first: year (and tier) come first.
class QuotaYearTotal(_Counts, _Year):
    """某年度的指标合计 / The quotas of one year, all tiers together."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [YEAR_TOTAL]})


class QuotaReportRow(_Counts, _YearTier):
    """某年度某层级的指标 / The quotas of one year and tier."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [QUOTA_ROW]})


class QuotaReport(Public):
    """按年度与层级的落户指标统计 / Quotas granted, used, available and lapsed per year and tier."""

    on: dt.date = Field(description="统计日期 / the date of the report")
    items: list[QuotaReportRow] = Field(description="按（年度, 层级） / per (year, tier)")
    by_year: list[QuotaYearTotal] = Field(description="按年度合计 / per year")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"on": "2026-12-02", "items": [QUOTA_ROW], "by_year": [YEAR_TOTAL]}]})


class NominationReportRow(Public):
    """某年度某人才类别的提名数 / The nominations of one year and talent category."""

    year: int = Field(description="年度 / the year")
    category: str = Field(description="人才类别 / the talent category")
    by_state: dict[str, int] = Field(description="各状态的提名数（含 0） / nominations per state, zeros included")
    total: int = Field(description="合计 / in all")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [NOMINATION_ROW]})


class NominationReport(Public):
    """按年度、人才类别与状态的提名统计 / Nominations per year, talent category and state."""

    items: list[NominationReportRow] = Field(description="按（年度, 人才类别） / per (year, category)")
    states: list[str] = Field(description="全部状态 / every state")
    categories: list[str] = Field(description="全部人才类别 / every talent category")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"items": [NOMINATION_ROW], "states": STATES, "categories": CATEGORIES}]})
