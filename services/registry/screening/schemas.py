"""Screening and dynamic management bodies and answers: indicators, the cultivation list, annual
updates, change reports, renewals due; and `Cited`, a policy parameter as an answer cites it."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, create_model, model_validator

from shared.schemas import Body, Cited, FactDay, LongText, Public, UtcTime

USCC_D = "统一社会信用代码 / unified social credit code"


# -- indicators ---------------------------------------------------------------------------------
Pct = Annotated[Decimal, Field(ge=0, le=100, max_digits=9, decimal_places=4)]
Count = Annotated[int, Field(ge=0, le=10**7)]
Yuan = Annotated[int, Field(ge=0, le=10**13)]
Score = Annotated[Decimal, Field(ge=0, le=100, max_digits=7, decimal_places=2)]

INDICATORS: dict[str, tuple[Any, str]] = {
    "revenue_yuan": (Yuan, "营业收入（元） / revenue, whole 元"),
    "rd_spend_yuan": (Yuan, "研发费用（元） / R&D spending, whole 元"),
    "staff": (Count, "从业人员数 / staff"),
    "rd_staff": (Count, "研发人员数 / R&D staff"),
    "patents": (Count, "专利数 / patents"),
    "invention_patents": (Count, "发明专利数 / invention patents"),
    "ip_class1": (Count, "I 类知识产权数 / class I intellectual property"),
    "ip_class2": (Count, "II 类知识产权数 / class II intellectual property"),
    "ip_class1_high_value": (Count, "高价值 I 类知识产权数 / high-value class I IP"),
    "ip_class1_self_developed": (Count, "自主研发 I 类知识产权数 / self-developed class I IP"),
    "main_business_share_pct": (Pct, "主营业务收入占比（%，如 70 或 3.5） / main business share, percent"),
    "years_in_niche": (Annotated[int, Field(ge=0, le=200)], "从事细分市场年限 / years in the niche market"),
    "debt_ratio_pct": (Annotated[Decimal, Field(ge=0, le=1000, max_digits=9, decimal_places=4)],
                       "资产负债率（%） / debt ratio, percent"),
    "equity_raised_yuan": (Yuan, "股权融资额（元） / equity raised, whole 元"),
    "niche_market_share_pct": (Pct, "细分市场占有率（%） / niche market share, percent"),
    "strategic_emerging": (bool, "属于战略性新兴产业 / in a strategic emerging industry"),
    "high_tech_enterprise": (bool, "高新技术企业 / a high-tech enterprise"),
    "st_award": (bool, "获科技奖励 / holds a science and technology award"),
    "provincial_rd_institution": (bool, "有省级以上研发机构 / has a provincial or higher R&D institution"),
    "srdi_score": (Score, "专精特新评分 / the SRDI score"),
    "development_score": (Score, "发展评分 / the development score"),
}
INDICATORS_EXAMPLE = {"revenue_yuan": 30_000_000, "rd_spend_yuan": 1_000_000, "staff": 80, "rd_staff": 16,
                      "years_in_niche": 4, "main_business_share_pct": "72.5", "srdi_score": "60"}


class _IndicatorChecks(Body):
    """The checks across an enterprise's indicators of one year."""

    @model_validator(mode="after")
    def _consistent(self):
        if self.rd_staff is not None and self.staff is not None and self.rd_staff > self.staff:
            raise ValueError("研发人员数大于从业人员数 / rd_staff exceeds staff")
        if self.invention_patents is not None and self.patents is not None and self.invention_patents > self.patents:
            raise ValueError("发明专利数大于专利数 / invention_patents exceeds patents")
        if self.rd_spend_yuan is not None and self.revenue_yuan is not None and self.rd_spend_yuan > self.revenue_yuan * 10:
            raise ValueError("研发费用与营业收入相比不合理 / rd_spend_yuan is implausible against revenue")
        return self

    def facts(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.model_dump().items() if v is not None}


_IndicatorFields = create_model(
    "_IndicatorFields", __base__=_IndicatorChecks, __module__=__name__,
    **{k: (t | None, Field(None, description=d)) for k, (t, d) in INDICATORS.items()})


class IndicatorsIn(_IndicatorFields):
    """企业某年度的指标 / An enterprise's indicators for one year (all optional: screening reports what is missing)."""

    model_config = ConfigDict(json_schema_extra={"examples": [INDICATORS_EXAMPLE]})


def _stored(t) -> Any:
    """A fact as stored and answered: decimals as their exact text."""
    base = t.__origin__ if hasattr(t, "__metadata__") else t
    return str if base is Decimal else base


class _IndicatorRow(Public):
    uscc: str = Field(description=USCC_D)
    year: int = Field(description="指标年度 / the indicators' year")


class _IndicatorStamp(Public):
    updated_by: str = Field(description="最后填报人 / who recorded them last")
    updated_at: UtcTime | None = Field(description="最后填报时间（UTC） / when, UTC")


# The answer holds the facts recorded (those never given are absent), between the key and the stamp.
_IndicatorAnswer = create_model(
    "_IndicatorAnswer", __base__=_IndicatorRow, __module__=__name__,
    **{k: (_stored(t) | None, Field(None, description=d)) for k, (t, d) in INDICATORS.items()},
    **{k: (f.annotation, f) for k, f in _IndicatorStamp.model_fields.items()})
INDICATOR_EXAMPLE = {"uscc": "91110111MA01ABCD1Q", "year": 2024, **INDICATORS_EXAMPLE, "updated_by": "econ:-:u1",
                     "updated_at": "2025-03-02T08:00:00Z"}


class IndicatorPublic(_IndicatorAnswer):
    """某年度已记录的指标 / A year's indicators as recorded (facts never given are absent from the answer)."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [INDICATOR_EXAMPLE]})


class IndicatorList(Public):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"uscc": "91110111MA01ABCD1Q", "items": [INDICATOR_EXAMPLE]}]})

    uscc: str = Field(description=USCC_D)
    items: list[IndicatorPublic] = Field(description="各年度指标 / the indicators, year by year")


# -- the cultivation list (达标 / 准达标) -----------------------------------------------------------
Number = int | float


class GapPublic(Public):
    criterion: str = Field(description="未满足的条件 / the criterion failed")
    zh: str = Field(description="条件的中文名称 / the criterion's Chinese name")
    indicator: str | None = Field(description="所读指标 / the indicator it reads")
    value: Number | None = Field(description="企业的值（缺数据为空） / the enterprise's value (null: missing)")
    op: str | None = Field(description="比较：gte、gt、lte、lt / the comparison")
    threshold: Number | None = Field(description="门槛 / the threshold")
    gap: Number | None = Field(description="差距 / how far off")
    relative_gap: float = Field(description="相对差距（缺数据为 1） / the relative gap (1 when missing)")
    missing: bool = Field(description="是否缺数据 / whether the data are missing")


class ScreenedPublic(Public):
    uscc: str = Field(description=USCC_D)
    name: str = Field(description="企业名称 / the enterprise's name")
    township: str | None = Field(description="乡镇（街道） / the township")
    park_id: str | None = Field(description="园区 / the park")
    current_tier: str = Field(description="当前层级 / the current tier")
    status: Literal["met", "near", "not_met"] = Field(description="达标、准达标、不达标 / met, near, not met")
    status_zh: str = Field(description="状态中文 / the status in Chinese")
    has_indicators: bool = Field(description="是否有该年度指标 / whether the year's indicators are recorded")
    failing: list[GapPublic] = Field(description="未满足的条件 / the criteria failed")


class ScreeningBasis(Public):
    criteria: Cited = Field(description="认定条件参数 / the criteria parameter")
    max_failures: Cited = Field(description="准达标允许的未满足条件数 / how many criteria a near miss may fail")
    max_relative_gap: Cited = Field(description="准达标允许的相对差距 / the relative gap a near miss may have")


class ScreeningTotals(Public):
    met: int = Field(description="达标数 / met")
    near: int = Field(description="准达标数 / near")
    not_met: int = Field(description="不达标数 / not met")


class ScreeningList(Public):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "tier": "municipal_srdi", "on": "2025-06-01", "indicator_year": 2024, "rule_set": "工信部企业〔2022〕63号 专精特新中小企业",
        "basis": {k: Cited.model_config["json_schema_extra"]["examples"][0]
                  for k in ("criteria", "max_failures", "max_relative_gap")},
        "totals": {"met": 1, "near": 1, "not_met": 0},
        "items": [{"uscc": "91110111MA01ABCD1Q", "name": "北京精工科技有限公司", "township": "窦店镇", "park_id": None,
                   "current_tier": "innovative", "status": "near", "status_zh": "准达标", "has_indicators": True,
                   "failing": [{"criterion": "rd_spend", "zh": "研发费用", "indicator": "rd_spend_yuan",
                                "value": 999999, "op": "gte", "threshold": 1000000, "gap": 1,
                                "relative_gap": 0.0, "missing": False}]}]}]})

    tier: str = Field(description="目标层级 / the tier screened for")
    on: dt.date = Field(description="条件与称号的日期 / the day of the criteria and titles")
    indicator_year: int = Field(description="指标年度 / the indicators' year")
    rule_set: str | None = Field(description="条件版本 / the rule set")
    basis: ScreeningBasis = Field(description="依据的参数 / the parameters applied")
    totals: ScreeningTotals = Field(description="各状态数 / counts per status")
    items: list[ScreenedPublic] = Field(description="企业，达标在前 / the enterprises, met first")


# -- annual updates, change reports, renewals ---------------------------------------------------
class AnnualUpdateIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"year": 2025, "submitted_on": "2025-04-18"}]})

    year: Annotated[int, Field(ge=2000, le=2100)] = Field(description="填报年度 / the year it is filed in")
    submitted_on: FactDay = Field(description="在国家平台提交的日期 / the day it was filed on the national platform")


class AnnualUpdatePublic(Public):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"uscc": "91110111MA01ABCD1Q", "year": 2025, "submitted_on": "2025-04-18"}]})

    uscc: str = Field(description=USCC_D)
    year: int = Field(description="填报年度 / the year it is filed in")
    submitted_on: dt.date = Field(description="提交日期 / the day it was filed")


class UpdateRowRejected(Public):
    """被拒绝的一行及原因 / A rejected row and why."""

    row: int = Field(description="行号（表格中显示的行号，表头所在行也计数） / the row number as the spreadsheet "
                                 "shows it (the header's row counts)")
    errors: list[str] = Field(description="原因（中文 / English） / the reasons")


class AnnualUpdateImport(Public):
    """年度数据更新导入结果 / What an annual-update import did."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "rows": 120, "created": 104, "unchanged": 13, "rejected": [
            {"row": 7, "errors": ["提交日期 2027-04-18 晚于今天 / the filing date 2027-04-18 is in the future"]},
            {"row": 31, "errors": ["企业 91110111MA01ABCD1Q 不在企业库中 / enterprise 91110111MA01ABCD1Q is not in the registry"]}]}]})
    rows: int = Field(description="读到的数据行数 / data rows read")
    created: int = Field(description="新登记的年度更新 / annual updates recorded")
    unchanged: int = Field(description="已登记且相同的行（含文件内重复） / rows already recorded as they are "
                                       "(repeats within the file too)")
    rejected: list[UpdateRowRejected] = Field(description="被拒绝的行，未登记 / the rows refused, nothing recorded "
                                                          "from them")


ChangeKind = Literal["rename", "merger", "restructuring", "relocation", "overseas_branch"]
KIND_D = "变更类型：更名、合并、重组、迁址、设立境外分支 / the change: rename, merger, restructuring, relocation, overseas branch"


class ChangeReportIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"kind": "relocation", "changed_on": "2025-02-10", "reported_on": "2025-03-01", "detail": "迁至窦店镇高端制造业基地"}]})

    kind: ChangeKind = Field(description=KIND_D)
    changed_on: FactDay = Field(description="变更日期 / the day of the change")
    reported_on: FactDay | None = Field(None, description="报告日期，默认今天 / the day reported; default today")
    detail: Annotated[LongText, Field(max_length=2000)] | None = Field(None, description="说明 / the details")

    @model_validator(mode="after")
    def _dates(self):
        if self.reported_on and self.reported_on < self.changed_on:
            raise ValueError("报告日期早于变更日期 / reported_on is before changed_on")
        return self


CHANGE_EXAMPLE = {"id": 4, "uscc": "91110111MA01ABCD1Q", "kind": "relocation", "changed_on": "2025-02-10",
                  "reported_on": "2025-03-01", "due_on": "2025-05-10", "late": False, "detail": "迁至窦店镇高端制造业基地"}


class ChangeReportPublic(Public):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [CHANGE_EXAMPLE]})

    id: int = Field(description="编号 / id")
    uscc: str = Field(description=USCC_D)
    kind: str = Field(description=KIND_D)
    changed_on: dt.date = Field(description="变更日期 / the day of the change")
    reported_on: dt.date = Field(description="报告日期 / the day reported")
    due_on: dt.date = Field(description="应报告的最后一天 / the last day to report it")
    late: bool = Field(description="是否逾期报告 / reported after the due day")
    detail: str | None = Field(description="说明 / the details")
    basis: Cited | None = Field(None, description="报告期限参数（仅新建时） / the reporting period (when recorded)")


class ChangeReportList(Public):
    model_config = ConfigDict(json_schema_extra={"examples": [{"uscc": "91110111MA01ABCD1Q", "items": [CHANGE_EXAMPLE]}]})

    uscc: str = Field(description=USCC_D)
    items: list[ChangeReportPublic] = Field(description="重大变更报告，按变更日期 / the reports, by change date")


class RenewalDue(Public):
    uscc: str = Field(description=USCC_D)
    name: str = Field(description="企业名称 / the enterprise's name")
    park_id: str | None = Field(description="园区 / the park")
    certification_id: int = Field(description="认定编号 / the certification's id")
    tier: str = Field(description="称号 / the title")
    recognized_on: dt.date = Field(description="认定日期 / the day recognised")
    expires_on: dt.date = Field(description="有效期最后一天 / the last valid day")
    days_left: int = Field(description="剩余天数 / days left")
    annual_updates_missed: list[int] = Field(description="未按期完成年度更新的年份 / the years whose update was missed")
    renewal_blocked: bool = Field(description="因漏报年度更新不能复核 / renewal blocked by a missed update")


class RenewalBasis(Public):
    notice_months: Cited = Field(description="复核提前提示的月数 / the notice window, months")
    annual_update_deadline: Cited = Field(description="年度更新截止日（月-日） / the annual update deadline, MM-DD")


class RenewalsDue(Public):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "on": "2025-06-01", "basis": {k: Cited.model_config["json_schema_extra"]["examples"][0]
                                      for k in ("notice_months", "annual_update_deadline")},
        "items": [{"uscc": "91110111MA01ABCD1Q", "name": "北京精工科技有限公司", "park_id": None, "certification_id": 9,
                   "tier": "municipal_srdi", "recognized_on": "2022-08-01", "expires_on": "2025-07-31",
                   "days_left": 60, "annual_updates_missed": [2024], "renewal_blocked": True}]}]})

    on: dt.date = Field(description="查询日期 / the day asked about")
    basis: RenewalBasis = Field(description="依据的参数 / the parameters applied")
    items: list[RenewalDue] = Field(description="即将到期、尚未复核的称号 / titles coming due, not yet renewed")
