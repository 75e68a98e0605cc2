"""Listing-pipeline (上市培育) request body and answers."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field

from shared.contracts.finance import Board
from shared.schemas import Body, FactDay, LongText, Public, Text

Stage = Literal["shareholding_reform", "coaching_filed", "application_accepted", "registered", "listed"]

STAGE = ("阶段：shareholding_reform 股改、coaching_filed 辅导备案、application_accepted 申报受理、registered 注册/核准、"
         "listed 上市 / stage: shareholding reform, coaching filed, application accepted, registered, listed")
BOARD = ("板块：main 主板、sme 中小板、chinext 创业板、star 科创板、bse 北交所、overseas 境外 / board: main, SME, "
         "ChiNext, STAR, Beijing Stock Exchange or overseas")
USCC = "统一社会信用代码 / unified social credit code"
STAGE_EXAMPLE = {"stage": "coaching_filed", "stage_zh": "辅导备案", "on": "2025-03-20", "board": "bse",
                 "sponsor": "中信建投证券股份有限公司", "note": "北京证监局辅导备案", "recorded_by": "finance:区金融办:赵磊"}


class StageIn(Body):
    """One stage of the listing pipeline reached: 股改 → 辅导备案 → 申报受理 → 注册/核准 → 上市."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"stage": "coaching_filed", "on": "2025-03-20", "board": "bse", "sponsor": "中信建投证券股份有限公司",
         "note": "北京证监局辅导备案"}]})

    stage: Stage = Field(description=STAGE)
    on: FactDay = Field(description="达到该阶段的日期 / date the stage was reached")
    board: Board | None = Field(None, description=BOARD)
    sponsor: Text | None = Field(None, description="保荐机构 / sponsor")
    note: LongText | None = Field(None, description="备注 / note")


class StagePublic(Public):
    """已达到的上市阶段 / A stage reached."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [STAGE_EXAMPLE]})

    stage: Stage = Field(description=STAGE)
    stage_zh: str = Field(description="阶段中文名 / the stage's Chinese name")
    on: dt.date = Field(description="达到日期 / date reached")
    board: Board | None = Field(description=BOARD)
    sponsor: str | None = Field(description="保荐机构 / sponsor")
    note: str | None = Field(description="备注 / note")
    recorded_by: str = Field(description="记录人 / recorded by")


class PipelinePublic(Public):
    """企业上市进程 / One enterprise's listing pipeline with the stages it reached."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"uscc": "91110111MA01ABCD2U", "board": "bse", "sponsor": "中信建投证券股份有限公司", "stage": "coaching_filed",
         "stage_zh": "辅导备案", "stage_on": "2025-03-20", "listed_on": None, "stages": [STAGE_EXAMPLE]}]})

    uscc: str = Field(description=USCC)
    board: Board | None = Field(description=BOARD)
    sponsor: str | None = Field(description="保荐机构 / sponsor")
    stage: Stage = Field(description="已达到的最远阶段 / the furthest stage reached")
    stage_zh: str = Field(description="阶段中文名 / the stage's Chinese name")
    stage_on: dt.date = Field(description="达到该阶段的日期 / date it was reached")
    listed_on: dt.date | None = Field(description="上市日期 / date listed")
    stages: list[StagePublic] = Field(description="已达到的各阶段 / the stages reached")


class StageCount(Public):
    """年度内达到某阶段的企业 / The enterprises that reached a stage in the year."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"count": 1, "usccs": ["91110111MA01ABCD2U"]}]})

    count: int = Field(description="企业数 / number of enterprises")
    usccs: list[str] = Field(description="企业统一社会信用代码 / their unified social credit codes")


class ProgressPublic(Public):
    """年度上市进展 / A year's listing progress."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"year": 2025, "reached": {"coaching_filed": {"count": 1, "usccs": ["91110111MA01ABCD2U"]}},
         "coached_to_listing": 0, "in_pipeline": 1, "in_pipeline_usccs": ["91110111MA01ABCD2U"]}]})

    year: int = Field(description="年度 / the year")
    reached: dict[Stage, StageCount] = Field(description="各阶段当年达到的企业 / per stage, the enterprises that "
                                                         "reached it in the year")
    coached_to_listing: int = Field(description="当年上市企业数（均经辅导备案）/ enterprises listed in the year")
    in_pipeline: int = Field(description="已辅导备案、年末尚未上市的企业数 / coached and not listed by the year's end")
    in_pipeline_usccs: list[str] = Field(description="这些企业的统一社会信用代码 / their unified social credit codes")
