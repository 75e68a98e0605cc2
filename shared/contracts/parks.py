"""What parks publishes that other departments act on."""
from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, Field

from shared.contracts import USCC, EventData
from shared.tiers import Tier

PARK_ID = "园区编号 / the park's id"


class ParkRecorded(EventData):
    """A park was added or its facts changed: the registry keeps the list of parks it may place an
    enterprise in (a park that must exist)."""

    SERVICE = "parks"
    NAME = "park.recorded.v1"
    TITLE_ZH = "园区登记：新增园区或园区信息变更"
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"park_id": "park-3f9a1c2e", "name": "北京房山高端制造业基地", "township": "窦店镇", "version": 2}]})
    park_id: str = Field(description=PARK_ID)
    name: str = Field(description="园区名称 / the park's name")
    township: str | None = Field(None, description="所在乡镇（街道） / the township it lies in")
    version: int = Field(description="园区记录版本号（每变化一次加一，旧的不覆盖新的） / the park record's version, "
                                     "bumped with every change (an older one never replaces a newer)")


class IntermediaryChanged(EventData):
    """An intermediary (中介机构) or association of the district's directory was registered or its entry
    changed: the whole entry. The awards service matches an introducer award's payee to it."""

    SERVICE = "parks"
    NAME = "intermediary.changed.v1"
    TITLE_ZH = "中介机构变更：中介机构名录新增或修改一家机构（整条记录）"
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"intermediary_id": 3, "name": "北京中关村科技服务有限公司", "kind": "intermediary",
         "uscc": "91110108MA00XYY125", "contact": "李经理 010-69351234", "version": 1}]})
    intermediary_id: int = Field(description="中介机构编号 / the intermediary's id")
    name: str = Field(description="机构名称（唯一） / its name (unique in the directory)")
    kind: str = Field(description="类型：intermediary 中介机构，association 商协会 / intermediary or association")
    uscc: str | None = Field(None, description="机构的统一社会信用代码 / its unified social credit code")
    contact: str | None = Field(None, description="联系方式 / contact")
    version: int = Field(description="记录版本号（每变化一次加一，旧的不覆盖新的） / the entry's version, bumped with "
                                     "every change (an older one never replaces a newer)")


class ParkDesignated(EventData):
    """A park received a designation (featured park, 特色园区): the featured-park award follows."""

    SERVICE = "parks"
    NAME = "park.designated.v1"
    TITLE_ZH = "园区认定：园区获得认定（如专精特新特色园区）"
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"park_id": "park-3f9a1c2e", "park_name": "北京房山高端制造业基地", "designation": "srdi_featured",
         "designated_on": "2025-06-30", "designation_id": 1}]})
    park_id: str = Field(description=PARK_ID)
    park_name: str = Field(description="园区名称 / the park's name")
    designation: str = Field(description="认定类型：srdi_featured 专精特新特色园区 / the designation: srdi_featured, "
                                         "SRDI featured park")
    designated_on: dt.date = Field(description="认定日期 / the day of the designation")
    designation_id: int = Field(description="认定记录编号 / the designation's id")


class IncubateePromoted(EventData):
    """An enterprise the park incubated reached a higher title (once per park, enterprise and tier)."""

    SERVICE = "parks"
    NAME = "incubatee.promoted.v1"
    TITLE_ZH = "孵化企业晋级：园区孵化的企业获得更高称号"
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"park_id": "park-3f9a1c2e", "uscc": "91110111MA01R2XJ3P", "to_tier": "municipal_srdi",
         "recognized_on": "2024-03-01", "incubation_id": 41}]})
    park_id: str = Field(description="孵化该企业的园区编号 / the id of the park that incubated it")
    uscc: str = Field(description=USCC)
    to_tier: Tier = Field(description="达到的层级 / the tier reached")
    recognized_on: dt.date = Field(description="认定日期 / the date of recognition")
    incubation_id: int = Field(description="孵化记录编号 / the incubation record's id")
