"""The what-if's body and answer."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints

from shared.schemas import Body, Day, Public

PERIOD = {"from": "2024-01-01", "to": "2024-12-31"}
COST = {"total_yuan": 1500000, "by_program": {"tier": 1200000, "relocation": 200000, "introducer": 100000},
        "by_enterprise": {"91110111MA01ABCD2U": 1400000, "北京某咨询有限公司": 100000}, "awards": 4}


class Period(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [PERIOD]})

    from_: Day = Field(alias="from", description="起始日期（含） / the first day (inclusive)")
    to: Day = Field(description="截止日期（含） / the last day (inclusive)")


class SimulationIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"parameter_set": "fangshan_2025", "parameters": {"award.incubation.per_enterprise": 80000},
         "period": PERIOD}]})

    parameter_set: Literal["seed_proposal", "fangshan_2025"] = Field(
        "seed_proposal", description="参数集：区政协提案或房山区2025年措施 / the parameter set: the seed proposal or "
                                     "Fangshan's 2025 measures")
    parameters: dict[Annotated[str, StringConstraints(max_length=100)], Any] = Field(
        default_factory=dict, max_length=50,
        description="在参数集之上另行试算的参数值（参数键 → 值） / values to try on top of the set (key → value)")
    period: Period = Field(description="测算期间 / the period costed")


class PeriodPublic(Public):
    model_config = ConfigDict(json_schema_extra={"examples": [PERIOD]})

    from_: dt.date = Field(alias="from", description="起始日期（含） / the first day (inclusive)")
    to: dt.date = Field(description="截止日期（含） / the last day (inclusive)")


class Cited(Public):
    """测算所用的参数 / A parameter as the costing used it."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": 0, "key": "award.tier.municipal_srdi", "value": 200000, "effective_from": "2025-04-28",
         "legal_ref": "《房山区促进高精尖产业发展扶持措施（试行）》：首次认定北京市“专精特新”中小企业奖励20万元"}]})

    id: int = Field(description="政策参数行编号（参数集或试算值为 0） / the policy row's id (0: the set's or a "
                                "what-if value)")
    key: str = Field(description="参数键 / the parameter key")
    value: Any = Field(description="参数值 / the value")
    effective_from: dt.date = Field(description="生效日期 / in force from")
    legal_ref: str = Field(description="法律依据 / the legal reference")


class Cost(Public):
    model_config = ConfigDict(json_schema_extra={"examples": [COST]})

    total_yuan: int = Field(description="合计（元） / the total in 元")
    by_program: dict[str, int] = Field(description="按项目（元） / per programme, in 元")
    by_enterprise: dict[str, int] = Field(description="按收款方（企业、中介机构、园区；元） / per payee, in 元")
    awards: int = Field(description="奖励笔数 / how many awards")


class Difference(Public):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"total_yuan": -300000, "by_program": {"tier": -300000}, "by_enterprise": {"91110111MA01ABCD2U": -300000}}]})

    total_yuan: int = Field(description="合计差额（元，方案减现行） / proposed minus in force, in 元")
    by_program: dict[str, int] = Field(description="按项目差额（元） / the difference per programme, in 元")
    by_enterprise: dict[str, int] = Field(description="按收款方差额（元） / the difference per payee, in 元")


class LeftOut(Public):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"program": "listing", "usccs": ["91110111MA01ABCD2U"], "count": 1,
         "reason_zh": "金融办已记录上市，但尚无上市奖励申领：市级奖励金额未知，无法测算配套",
         "reason_en": "listings the finance office recorded with no listing claim yet"}]})

    program: str = Field(description="奖励项目 / the programme")
    usccs: list[str] = Field(description="未测算的企业 / the enterprises not costed")
    count: int = Field(description="企业数 / how many")
    reason_zh: str = Field(description="原因（中文） / why, in Chinese")
    reason_en: str = Field(description="原因（英文） / why, in English")


class SimulationPublic(Public):
    """参数方案测算与现行政策的对比 / A parameter set costed over a period next to the policy in force, and the difference."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"period": PERIOD, "parameter_set": "seed_proposal", "parameters": [], "proposed": COST, "in_force": COST,
         "difference": {"total_yuan": 0, "by_program": {}, "by_enterprise": {}},
         "programs": ["tier", "relocation", "introducer", "scenario", "ecosystem", "listing", "featured_park",
                      "incubation"], "left_out": [], "note": "在途与已付奖励不受影响；仅为测算 / a costing only: no award is changed"}]})

    period: PeriodPublic = Field(description="测算期间 / the period costed")
    parameter_set: str = Field(description="参数集 / the parameter set")
    parameters: list[Cited] = Field(description="方案使用的参数 / the parameters the proposal used")
    proposed: Cost = Field(description="按方案测算 / costed under the proposal")
    in_force: Cost = Field(description="按现行政策测算 / costed under the policy in force")
    difference: Difference = Field(description="差额 / the difference")
    programs: list[str] = Field(description="测算的项目 / the programmes costed")
    left_out: list[LeftOut] = Field(description="无法测算的部分及原因 / what could not be costed, and why")
    note: str = Field(description="说明 / a note")
