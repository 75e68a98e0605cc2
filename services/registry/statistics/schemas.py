"""Statistics answers: tiers on a date, stock and new per period, the monthly monitoring snapshot,
progress against the yearly targets."""
from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, Field

from shared.schemas import Cited, Public

COUNTS_EXAMPLE = {"sme": 5120, "innovative": 860, "potential": 120, "municipal_srdi": 310,
                  "municipal_little_giant": 12, "national_little_giant": 20, "single_champion": 1}
PERIOD_EXAMPLE = {"stock": 310, "base": 284, "net": 26, "new": 31, "renewed": 4}
TITLE_D = "按称号 / by title: innovative, potential, municipal_srdi, municipal_little_giant, national_little_giant, single_champion"


class TierStats(Public):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"on": "2025-06-30", "counts": COUNTS_EXAMPLE, "holders": {k: v for k, v in COUNTS_EXAMPLE.items() if k != "sme"}}]})

    on: dt.date = Field(description="统计日期 / the day counted")
    counts: dict[str, int] = Field(description="按当前层级的企业数（sme 为无称号） / enterprises per current tier "
                                               "(sme: no title)")
    holders: dict[str, int] = Field(description="各称号持有企业数（一家可持多个） / holders per title (an enterprise "
                                                "may hold several)")


class PeriodCounts(Public):
    stock: int = Field(description="期末存量 / holders on the last day")
    base: int = Field(description="期初存量（起始日前一天） / holders the day before the first day")
    net: int = Field(description="较期初净增 / stock − base")
    new: int = Field(description="期内首次认定 / first recognised at the title within the period")
    renewed: int = Field(description="期内复核（再次认定） / recognised again (复核) within the period")


class GroupCounts(Public):
    key: str | None = Field(description="乡镇、园区或行业（未填为空） / the township, park or industry (null: not given)")
    tiers: dict[str, PeriodCounts] = Field(description=TITLE_D)


class NewStats(Public):
    model_config = ConfigDict(populate_by_name=True, json_schema_extra={"examples": [
        {"from": "2023-01-01", "to": "2023-09-30", "base_on": "2022-12-31", "tiers": {"municipal_srdi": PERIOD_EXAMPLE},
         "text_zh": "截至2023年9月30日，存量专精特新中小企业310家，较2022年新增31家。", "by": "township",
         "groups": [{"key": "窦店镇", "tiers": {"municipal_srdi": PERIOD_EXAMPLE}}]}]})

    from_: dt.date = Field(alias="from", description="起始日期 / the first day")
    to: dt.date = Field(description="截止日期（存量日） / the last day (stock counted on it)")
    base_on: dt.date = Field(description="期初存量日 / the day the base is counted on")
    tiers: dict[str, PeriodCounts] = Field(description=TITLE_D)
    text_zh: str = Field(description="答复口径的文字 / the reply's sentence, in Chinese")
    by: str | None = Field(description="分组：township、park、industry / grouped by")
    groups: list[GroupCounts] | None = Field(None, description="各组（仅分组时） / per group (when grouped)")


class MonthTier(Public):
    stock: int = Field(description="月末存量 / holders at the month's end")
    new_in_month: int = Field(description="当月新增 / new in the month")
    renewed_in_month: int = Field(description="当月复核 / renewed in the month")
    new_year_to_date: int = Field(description="年初至今新增 / new in the year to date")


class RequestCounts(Public):
    open: int = Field(description="未办结诉求 / requests open on the day")
    overdue: int = Field(description="逾期未办结 / of which overdue")


class Monitoring(Public):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"month": "2023-07", "as_of": "2023-07-31",
         "tiers": {"municipal_srdi": {"stock": 310, "new_in_month": 31, "renewed_in_month": 0, "new_year_to_date": 31}},
         "current_tiers": COUNTS_EXAMPLE, "renewals_due": 12, "renewals_blocked": 2,
         "service_requests": {"open": 9, "overdue": 1}}]})

    month: str = Field(description="月份 YYYY-MM / the month")
    as_of: dt.date = Field(description="统计日（月末，当月为今天） / the day counted (the month's end; today within it)")
    tiers: dict[str, MonthTier] = Field(description=TITLE_D)
    current_tiers: dict[str, int] = Field(description="按当前层级的企业数 / enterprises per current tier")
    renewals_due: int = Field(description="复核提示期内的称号数 / titles in the renewal notice window")
    renewals_blocked: int = Field(description="其中因漏报年度更新不能复核的 / of which blocked by a missed update")
    service_requests: RequestCounts = Field(description="服务包诉求 / the service package's requests")


class TargetProgress(Public):
    key: str = Field(description="目标 / the target")
    zh: str = Field(description="目标的中文名称 / the target's Chinese name")
    target: int = Field(description="年度目标 / the year's target")
    actual: int | None = Field(description="实际（未知为空） / the actual (null: unknown)")
    met: bool | None = Field(description="是否完成 / whether it is met")
    shortfall: int | None = Field(description="差额 / how many short")


class Targets(Public):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"year": 2025, "on": "2025-06-30", "basis": Cited.model_config["json_schema_extra"]["examples"][0] | {
            "key": "targets.yearly", "value": {"municipal_srdi": 40}},
         "targets": [{"key": "municipal_srdi", "zh": "新增市级专精特新中小企业", "target": 40, "actual": 31,
                      "met": False, "shortfall": 9}],
         "note": "上市：区金融服务办上市培育登记的当年上市企业数 / listing: enterprises listed in the year"}]})

    year: int = Field(description="年份 / the year")
    on: dt.date = Field(description="统计至 / counted up to this day")
    basis: Cited = Field(description="年度目标参数 / the yearly targets parameter")
    targets: list[TargetProgress] = Field(description="各目标进度 / progress per target")
    note: str = Field(description="口径说明 / how the figures are counted")
