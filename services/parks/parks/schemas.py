"""Parks: request bodies and answers (a park, its enterprises, its detail)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from services.parks.designations.schemas import DesignationSummary
from shared.contracts.registry import EnterpriseRecord
from shared.schemas import Body, Public, Text, UtcTime

Township = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
AreaMu = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]

NAME = "园区名称（唯一） / the park's name (unique)"
OPERATOR = "运营主体：管委会或运营公司 / the operator: management committee or operating company"
AREA = "占地面积（亩，两位小数） / area in mu (亩), two decimals"
TOWNSHIP = "所在乡镇（街道） / the township it lies in"
PARK_EXAMPLE = {"name": "房山区专精特新产业园", "operator_org": "房山区经济开发区管委会", "area_mu": 1250.5,
                "township": "长阳镇"}


class ParkIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [PARK_EXAMPLE]})

    name: Text = Field(description=NAME)
    operator_org: Text | None = Field(None, description=OPERATOR)
    area_mu: AreaMu | None = Field(None, description=AREA)
    township: Township | None = Field(None, description=TOWNSHIP)


class ParkPatch(Body):
    """要修改的园区登记字段 / Fields to change (null clears an optional one); at least one."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"operator_org": "房山区产业园运营有限公司",
                                                               "area_mu": 1300}]})

    name: Text | None = Field(None, description=NAME + "；不能清空 / cannot be cleared")
    operator_org: Text | None = Field(None, description=OPERATOR)
    area_mu: AreaMu | None = Field(None, description=AREA)
    township: Township | None = Field(None, description=TOWNSHIP)

    @model_validator(mode="after")
    def _something(self):
        if not self.model_fields_set:
            raise ValueError("没有要修改的字段 / nothing to change")
        if "name" in self.model_fields_set and self.name is None:
            raise ValueError("园区名称不能清空 / name cannot be cleared")
        return self


class ParkPublic(Public):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"id": "park-3f9a1c2e", **PARK_EXAMPLE, "version": 2, "created_at": "2026-03-02T08:15:00.123456Z"}]})

    id: str = Field(description="园区编号 / the park's id")
    name: str = Field(description=NAME)
    operator_org: str | None = Field(description=OPERATOR)
    area_mu: float | None = Field(description=AREA)
    township: str | None = Field(description=TOWNSHIP)
    version: int = Field(description="园区记录版本号（每次修改加一，随 park.recorded.v1 公布） / the park record's "
                                     "version, bumped with every change (announced with park.recorded.v1)")
    created_at: UtcTime = Field(description="登记时间（UTC） / registered at (UTC)")


ENTERPRISE_EXAMPLE = {"uscc": "91110111MA01ABCD2U", "name": "北京精工智造科技有限公司", "park_id": "park-3f9a1c2e",
                      "tier": "municipal_srdi", "relocated_on": "2024-05-20", "introducer": "北京中关村科技服务有限公司",
                      "enterprise_version": 4, "township": "长阳镇", "tier_on": "2026-12-02", "status": "active",
                      "status_on": None}


class EnterprisePublic(Public):
    """园区企业及其层级 / An enterprise as the registry's newest record says, with its tier on `tier_on`."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [ENTERPRISE_EXAMPLE]})

    uscc: str = Field(description="统一社会信用代码 / unified social credit code")
    name: str = Field(description="企业名称 / the enterprise's name")
    park_id: str | None = Field(description="企业库登记的所在园区 / the park the registry places it in")
    tier: str = Field(description="tier_on 当日的层级（由企业库记录计算） / its tier on tier_on, from the "
                                  "registry's record")
    relocated_on: dt.date | None = Field(description="入区日期 / the day it moved into the district")
    introducer: str | None = Field(description="引荐机构（名称或统一社会信用代码） / who introduced it "
                                               "(an intermediary's name or USCC)")
    enterprise_version: int = Field(description="企业库记录版本 / the registry record's version")
    township: str | None = Field(description="所在乡镇（街道） / its township")
    tier_on: dt.date = Field(description="层级计算日期 / the date the tier is for")
    status: str = Field("active", description="经营状态：active 在区经营、moved_out 已迁出、closed 已注销（企业库） / "
                                              "active, moved_out or closed (the registry's record)")
    status_on: dt.date | None = Field(None, description="迁出或注销日期，自该日起不再计入园区 / the day it moved out "
                                                        "or closed: from that day it no longer counts for the park")

    @classmethod
    def of(cls, r: EnterpriseRecord, on: dt.date) -> EnterprisePublic:
        return cls(uscc=r.uscc, name=r.name, park_id=r.park_id, tier=r.tier_on(on), relocated_on=r.relocated_on,
                   introducer=r.introducer, enterprise_version=r.version, township=r.township, tier_on=on,
                   status=r.status, status_on=r.status_on)


class AnnouncedPublic(Public):
    """重新公布的园区数 / How many parks were announced."""

    announced: int = Field(description="公布的园区数（park.recorded.v1） / parks announced (park.recorded.v1)")
    model_config = ConfigDict(json_schema_extra={"examples": [{"announced": 12}]})


class ParkDetail(ParkPublic):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"id": "park-3f9a1c2e", **PARK_EXAMPLE, "version": 2, "created_at": "2026-03-02T08:15:00.123456Z",
         "enterprise_count": 1, "counts": {"sme": 0, "innovative": 0, "potential": 0, "municipal_srdi": 1,
                                           "municipal_little_giant": 0, "national_little_giant": 0,
                                           "single_champion": 0},
         "counts_on": "2026-12-02", "enterprises": [ENTERPRISE_EXAMPLE], "designations": []}]})

    enterprise_count: int = Field(description="counts_on 当日企业库登记在园区的企业数（已迁出、注销的不计） / "
                                              "enterprises the registry places in the park on counts_on (not "
                                              "those that had moved out or closed)")
    counts: dict[str, int] = Field(description="counts_on 当日各层级企业数 / enterprises per tier on counts_on")
    counts_on: dt.date = Field(description="层级计算日期 / the date the counts are for")
    enterprises: list[EnterprisePublic] = Field(description="园区企业（按统一社会信用代码，前 500 家） / "
                                                            "the park's enterprises (the first 500 by USCC)")
    designations: list[DesignationSummary] = Field(description="园区获得的认定 / the park's designations")
