"""Designations and the featured-park assessment: the request body and the answers. An assessment
answer is the explanation rules.assess gives (stored with a designation as it was at the time)."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field

from shared.schemas import Body, Cited, FactDay, LongText, Public

DesignationKind = Literal["srdi_featured"]
NUMBER = int | float
ENTERPRISES = "计入的企业（统一社会信用代码） / the enterprises counted (USCCs)"


class DesignationIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"designation": "srdi_featured", "designated_on": "2025-06-30", "reason": "区政府决定先行试点"}]})

    designation: DesignationKind = Field(description="认定类型：srdi_featured 专精特新特色园区 / "
                                                     "the designation: srdi_featured, SRDI featured park")
    designated_on: FactDay = Field(description="认定日期（不晚于今天） / the designation date (not after today)")
    reason: LongText | None = Field(None, description="认定理由；考核未达标时必填 / why; required when the "
                                                      "assessment fails")


PARAM_EXAMPLE = {"id": 12, "key": "parks.assessment.pass_score", "value": 60, "effective_from": "2022-01-01",
                 "legal_ref": "POLICY.md Parks / seed 四: 明确考核维度"}


DIMENSION_EXAMPLE = {
    "dimension": "srdi_count", "label": "专精特新企业数量", "measure": "count", "floor": "municipal_srdi",
    "explains": "园区内层级不低于 floor 的企业数 / enterprises in the park at or above `floor`",
    "value": 12, "threshold": 10, "met": True, "weight": 30, "points": 30,
    "enterprises": ["91110111MA01ABCD2U"],
    "param": {**PARAM_EXAMPLE, "key": "parks.assessment.dimension.srdi_count", "id": 13,
              "value": {"measure": "count", "floor": "municipal_srdi", "weight": 30, "threshold": 10,
                        "label": "专精特新企业数量"}}}


class Dimension(Public):
    """一个考核维度的得分 / One dimension scored; `numerator`/`denominator` only for share_pct, `records` only for services."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [DIMENSION_EXAMPLE]})

    dimension: str = Field(description="维度名称 / the dimension's name")
    label: str | None = Field(None, description="维度中文名 / the dimension's label")
    measure: str = Field(description="度量方式（rules.MEASURES） / what it measures")
    floor: str = Field(description="计入的最低层级 / the lowest tier counted")
    explains: str = Field(description="度量说明 / what the measure counts")
    value: NUMBER = Field(description="实际值 / the value found")
    threshold: NUMBER = Field(description="达标值 / the threshold")
    met: bool = Field(description="是否达标（value ≥ threshold） / whether value reaches the threshold")
    weight: NUMBER = Field(description="权重（满分） / its weight (full points)")
    points: NUMBER = Field(description="得分 / points scored")
    numerator: int | None = Field(None, description="占比的分子（仅 share_pct） / the share's numerator "
                                                    "(share_pct only)")
    denominator: int | None = Field(None, description="占比的分母（仅 share_pct） / the share's denominator "
                                                      "(share_pct only)")
    enterprises: list[str] | None = Field(None, description=ENTERPRISES)
    records: int | None = Field(None, description="计入的服务记录数（仅 services） / service records counted "
                                                  "(services only)")
    param: Cited | None = Field(None, description="所依据的参数版本 / the parameter version cited")


class Period(Public):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True,
                              json_schema_extra={"examples": [{"from": "2025-01-01", "to": "2025-06-30"}]})

    from_: dt.date = Field(alias="from", description="考核期起日（当年 1 月 1 日） / from 1 January of the year")
    to: dt.date = Field(description="考核期止日（考核日期） / to the assessment date")


ASSESSMENT_EXAMPLE = {
    "park_id": "park-3f9a1c2e", "rule": "parks.assessment/v1", "on": "2025-06-30",
    "period": {"from": "2025-01-01", "to": "2025-06-30"}, "enterprise_count": 20,
    "dimensions": [DIMENSION_EXAMPLE], "score": 30, "max_score": 100, "pass_score": 60, "passed": False,
    "pass_param": PARAM_EXAMPLE}


class Assessment(Public):
    """The featured-park assessment (考核) as of a date, explained."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [ASSESSMENT_EXAMPLE]})

    park_id: str | None = Field(None, description="园区编号 / the park's id")
    rule: str = Field(description="规则版本 / the rule version")
    on: dt.date = Field(description="考核日期 / the assessment date")
    period: Period = Field(description="考核期 / the period assessed")
    enterprise_count: int = Field(description="园区企业数 / enterprises in the park")
    dimensions: list[Dimension] = Field(description="各维度得分与说明 / each dimension, scored and explained")
    score: NUMBER = Field(description="总得分 / the score")
    max_score: NUMBER = Field(description="满分 / the maximum score")
    pass_score: NUMBER = Field(description="达标分数线 / the pass score")
    passed: bool = Field(description="是否达标 / whether the park passes")
    pass_param: Cited | None = Field(None, description="达标分数线所依据的参数版本 / the pass score's "
                                                            "parameter version")


DESIGNATION_EXAMPLE = {"id": 1, "park_id": "park-3f9a1c2e", "designation": "srdi_featured",
                       "designated_on": "2025-06-30", "reason": "区政府决定先行试点", "assessment_passed": False,
                       "created_by": "econ:-:zhang.wei"}


class DesignationSummary(Public):
    """园区认定（不含评估明细） / A designation without its stored assessment (in a park's detail, in a 409)."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [DESIGNATION_EXAMPLE]})

    id: int = Field(description="认定编号 / the designation's id")
    park_id: str = Field(description="园区编号 / the park's id")
    designation: str = Field(description="认定类型 / the designation")
    designated_on: dt.date = Field(description="认定日期 / designated on")
    reason: str | None = Field(description="认定理由 / why")
    assessment_passed: bool | None = Field(description="认定时考核是否达标 / whether the assessment at the "
                                                       "time passed")
    created_by: str = Field(description="操作人 / who recorded it")

    @classmethod
    def of(cls, d) -> DesignationSummary:
        return cls.model_validate({**cls._fields_of(d), "assessment_passed": d.assessment.get("passed")})

    @classmethod
    def _fields_of(cls, d) -> dict:
        return {k: getattr(d, k) for k in ("id", "park_id", "designation", "designated_on", "reason", "created_by")}


class DesignationPublic(DesignationSummary):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {**DESIGNATION_EXAMPLE, "assessment": ASSESSMENT_EXAMPLE}]})

    assessment: Assessment = Field(description="认定时的考核结果（当时的说明） / the assessment as of the "
                                               "designation date, as explained at the time")

    @classmethod
    def of(cls, d) -> DesignationPublic:
        return cls.model_validate({**cls._fields_of(d), "assessment_passed": d.assessment.get("passed"),
                                   "assessment": d.assessment})
