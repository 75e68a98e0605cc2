"""Monthly monitoring bodies and answers: a month's operating data, an enterprise's months, the
import report and the month's monitoring list."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import ConfigDict, Field

from shared.schemas import Body, Cited, Public, UtcTime

Yuan = Annotated[int, Field(ge=0, le=10**13)]
Count = Annotated[int, Field(ge=0, le=10**7)]
EXAMPLE = {"revenue_yuan": 3_200_000, "rd_spend_yuan": 150_000, "employees": 86, "new_patents": 1}


class OperatingIn(Body):
    """企业某月的经营数据 / An enterprise's operating data for one month."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})
    revenue_yuan: Yuan = Field(description="营业收入（元） / revenue, whole 元")
    rd_spend_yuan: Yuan = Field(description="研发费用（元） / R&D spending, whole 元")
    employees: Count = Field(description="从业人数 / employees")
    new_patents: Count = Field(description="新增专利 / new patents this month")


class OperatingPublic(Public):
    """企业某月的经营数据 / An enterprise's operating data for one month."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"uscc": "91110111MA01ABCD2U", "month": "2026-10", **EXAMPLE, "updated_by": "econ:wang",
         "updated_at": "2026-11-05T02:00:00Z"}]})
    uscc: str = Field(description="统一社会信用代码 / unified social credit code")
    month: str = Field(description="月份（YYYY-MM） / the month")
    revenue_yuan: int = Field(description="营业收入（元） / revenue, whole 元")
    rd_spend_yuan: int = Field(description="研发费用（元） / R&D spending, whole 元")
    employees: int = Field(description="从业人数 / employees")
    new_patents: int = Field(description="新增专利 / new patents")
    updated_by: str = Field(description="最后登记人 / who recorded it last")
    updated_at: UtcTime = Field(description="最后登记时间 / when it was recorded last")


class OperatingList(Public):
    """企业各月的经营数据 / An enterprise's operating data, month by month."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"uscc": "91110111MA01ABCD2U", "items": []}]})
    uscc: str = Field(description="统一社会信用代码 / unified social credit code")
    items: list[OperatingPublic] = Field(description="按月份排序 / by month")


class RowProblem(Public):
    """导入文件中一行的问题 / What is wrong with one row of an import file."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"row": 3, "uscc": "91110111MA01ABCD2U", "month": "2026-10", "reasons_zh": ["营业收入须为非负整数"],
         "reasons_en": ["revenue must be a whole number ≥ 0"]}]})
    row: int = Field(description="表格中的行号 / the row number as the spreadsheet shows it")
    uscc: str | None = Field(None, description="该行的统一社会信用代码 / the row's USCC")
    month: str | None = Field(None, description="该行的月份 / the row's month")
    reasons_zh: list[str] = Field(description="原因（中文） / the reasons in Chinese")
    reasons_en: list[str] = Field(description="原因（英文） / the reasons in English")


class ImportRow(Public):
    """预览或导入的一行 / One row as previewed or imported."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"row": 2, "uscc": "91110111MA01ABCD2U", "month": "2026-10", **EXAMPLE, "action": "create"}]})
    row: int = Field(description="行号 / row number")
    uscc: str = Field(description="统一社会信用代码 / USCC")
    month: str = Field(description="月份 / month")
    revenue_yuan: int = Field(description="营业收入（元） / revenue")
    rd_spend_yuan: int = Field(description="研发费用（元） / R&D spending")
    employees: int = Field(description="从业人数 / employees")
    new_patents: int = Field(description="新增专利 / new patents")
    action: str = Field(description="create 新增 / update 替换 / unchanged 不变 / what the import does with it")


class ImportReport(Public):
    """导入结果（或预览） / The import's result, or its preview."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"dry_run": True, "rows": 1, "created": 1, "updated": 0, "unchanged": 0, "items": [], "errors": []}]})
    dry_run: bool = Field(description="仅预览，未登记 / a preview: nothing was recorded")
    rows: int = Field(description="数据行数 / data rows read")
    created: int = Field(description="新增的月份数据 / months created")
    updated: int = Field(description="替换的月份数据 / months replaced")
    unchanged: int = Field(description="已登记且相同 / months already recorded as they are")
    items: list[ImportRow] = Field(description="各行 / the rows")
    errors: list[RowProblem] = Field(description="错误行（预览时列出；导入时有错误则 422、不登记） / bad rows")


class Trend(Public):
    """趋势 / Trends of the month."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"revenue_mom_pct": 4.5, "revenue_yoy_pct": -25.0, "employees_mom": -2, "ytd_months": 10,
         "ytd_revenue_yuan": 30_000_000, "ytd_rd_spend_yuan": 900_000, "ytd_rd_ratio_pct": 3.0}]})
    revenue_mom_pct: float | None = Field(description="营业收入环比（%） / revenue, month on month, percent")
    revenue_yoy_pct: float | None = Field(description="营业收入同比（%） / revenue against the same month last year")
    employees_mom: int | None = Field(description="从业人数环比增减 / employees against last month")
    ytd_months: int = Field(description="年初至今已报送月数 / months recorded this year to date")
    ytd_revenue_yuan: int | None = Field(description="年初至今营业收入（元） / revenue, year to date")
    ytd_rd_spend_yuan: int | None = Field(description="年初至今研发费用（元） / R&D spend, year to date")
    ytd_rd_ratio_pct: float | None = Field(description="年初至今研发费用占比（%） / year-to-date R&D ratio")


class FlagOut(Public):
    """预警 / A flag: why the enterprise falls behind."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"code": "missing", "zh": "2026-10 未报送经营数据", "en": "No operating data for 2026-10"}]})
    code: str = Field(description="预警代码：未报送、营收同比下降、研发占比偏低、人数低于门槛 / the flag: missing, "
                                  "revenue_down_yoy, rd_ratio_low, employees_below")
    zh: str = Field(description="原因（中文） / the reason in Chinese")
    en: str = Field(description="原因（英文） / the reason in English")


class MonitoredFirm(Public):
    """一家重点企业的当月监测 / One key enterprise's month."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"uscc": "91110111MA01ABCD2U", "name": "某科技有限公司", "park_id": None, "tier": "municipal_srdi",
         "status": "missing", "data": None, "trend": Trend.model_config["json_schema_extra"]["examples"][0],
         "thresholds": {"rd_ratio_min_pct": 3.0, "rd_ratio_source": "criteria", "min_employees": 10,
                        "employees_source": "parameter"},
         "flags": [FlagOut.model_config["json_schema_extra"]["examples"][0]]}]})
    uscc: str = Field(description="统一社会信用代码 / USCC")
    name: str = Field(description="企业名称 / name")
    park_id: str | None = Field(description="所属园区 / park")
    tier: str = Field(description="当月末的最高称号 / the highest title at the month's end")
    status: str = Field(description="reported 已报送 / missing 未报送")
    data: OperatingIn | None = Field(description="当月数据 / the month's data")
    trend: Trend = Field(description="趋势 / trends")
    thresholds: dict = Field(description="所用阈值及来源（criteria 认定条件 / parameter 参数） / thresholds used and "
                                         "their source")
    flags: list[FlagOut] = Field(description="预警 / flags")


class MonitoringMonth(Public):
    """某月重点企业监测 / The key enterprises' month."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"month": "2026-10", "on": "2026-10-31", "key_min_tier": "municipal_srdi", "totals": {"key": 1},
         "basis": {}, "items": []}]})
    month: str = Field(description="月份 / the month")
    on: dt.date = Field(description="称号与参数所依据的日期（月末，或今天） / titles and parameters as of this day")
    key_min_tier: str = Field(description="重点企业的最低称号 / the lowest title of a key enterprise")
    totals: dict[str, int] = Field(description="重点企业数、已报送、未报送、有预警 / key, reported, missing, flagged")
    basis: dict[str, Cited] = Field(description="所依据的参数 / the parameters cited")
    items: list[MonitoredFirm] = Field(description="有预警的在前 / flagged first")
