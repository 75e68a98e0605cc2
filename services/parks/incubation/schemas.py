"""Incubation: request bodies and answers."""
from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, Field, model_validator

from shared.schemas import USCC, Body, FactDay, LongText, Public

USCC_ = "统一社会信用代码 / unified social credit code"
ENTERED = "入孵日期（不晚于今天） / entered the incubator on (not after today)"
GRADUATED = "出孵日期（不晚于今天） / graduated on (not after today)"
NOTE = "备注 / a note"


class IncubationIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"uscc": "91110111MA01ABCD2U", "entered_on": "2024-03-01", "note": "入驻孵化器 3 号楼"}]})

    uscc: USCC = Field(description=USCC_)
    entered_on: FactDay = Field(description=ENTERED)  # facts, never after today (shared.schemas.FactDay)
    graduated_on: FactDay | None = Field(None, description=GRADUATED)
    note: LongText | None = Field(None, description=NOTE)

    @model_validator(mode="after")
    def _dates(self):
        if self.graduated_on and self.graduated_on < self.entered_on:
            raise ValueError("出孵日期早于入孵日期 / graduated_on is before entered_on")
        return self


class GraduationIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"graduated_on": "2025-09-30"}]})

    graduated_on: FactDay = Field(description=GRADUATED)


class IncubationPublic(Public):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"id": 7, "park_id": "park-3f9a1c2e", "uscc": "91110111MA01ABCD2U", "name": "北京精工智造科技有限公司",
         "entered_on": "2024-03-01", "graduated_on": None, "note": "入驻孵化器 3 号楼"}]})

    id: int = Field(description="入孵记录编号 / the incubation record's id")
    park_id: str = Field(description="园区编号 / the park's id")
    uscc: str = Field(description=USCC_)
    name: str | None = Field(None, description="企业名称（仅企业库登记在本园区的企业，否则为空） / the enterprise's "
                                               "name (only for one the registry places in the park, else null)")
    entered_on: dt.date = Field(description=ENTERED)
    graduated_on: dt.date | None = Field(description=GRADUATED)
    note: str | None = Field(description=NOTE)


class Promotion(Public):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"uscc": "91110111MA01ABCD2U", "on": "2025-07-01", "from_tier": "innovative", "to_tier": "municipal_srdi",
         "name": "北京精工智造科技有限公司"}]})

    uscc: str = Field(description=USCC_)
    on: dt.date = Field(description="晋级日期 / promoted on")
    from_tier: str = Field(description="原层级 / the tier before")
    to_tier: str = Field(description="新层级 / the tier after")
    name: str = Field(description="企业名称 / the enterprise's name")


class IncubationSummary(Public):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"park_id": "park-3f9a1c2e", "year": 2025, "incubating": 12, "entered": 4, "graduated": 2,
         "promoted_enterprises": 1, "promotions": [
             {"uscc": "91110111MA01ABCD2U", "on": "2025-07-01", "from_tier": "innovative",
              "to_tier": "municipal_srdi", "name": "北京精工智造科技有限公司"}]}]})

    park_id: str = Field(description="园区编号 / the park's id")
    year: int = Field(description="年份 / the year")
    incubating: int = Field(description="年内在孵企业数 / enterprises in the incubator during the year")
    entered: int = Field(description="年内入孵企业数 / enterprises entering in the year")
    graduated: int = Field(description="年内出孵企业数 / enterprises graduating in the year")
    promoted_enterprises: int = Field(description="年内晋级的孵化企业数 / incubated enterprises promoted in the year")
    promotions: list[Promotion] = Field(description="各次晋级 / each promotion")
