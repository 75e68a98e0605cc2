"""Intermediaries and their service records: request bodies and answers."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from shared.schemas import USCC, Body, FactDay, LongText, Public, Text

ParkId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
IntermediaryKind = Literal["intermediary", "association"]
ServiceCategory = Literal["declaration", "finance", "ip", "legal", "talent", "technology", "training",
                          "market", "other"]

NAME = "机构名称（唯一） / the intermediary's name (unique)"
KIND = "类型：intermediary 中介机构，association 商协会 / intermediary or association"
ORG_USCC = "机构的统一社会信用代码 / the intermediary's unified social credit code"
CONTACT = "联系方式 / contact"
SERVED_USCC = "受服务企业的统一社会信用代码 / the unified social credit code of the enterprise served"
SERVED_ON = "服务日期（不晚于今天） / served on (not after today)"
CATEGORY = ("服务类型：declaration 申报、finance 融资、ip 知识产权、legal 法律、talent 人才、technology 技术、"
            "training 培训、market 市场、other 其他 / the service's type")
DESCRIPTION = "服务内容 / what was done"
OUTCOME = "服务成效，如“获批市级专精特新” / what the service achieved"
PARK = "服务所属园区；园区用户的记录总是本园区的 / the park it is for; a park operator's records are its own park's"
INTERMEDIARY_EXAMPLE = {"name": "北京中关村科技服务有限公司", "kind": "intermediary", "uscc": "91110108MA00XYY125",
                        "contact": "李经理 010-69351234"}
SERVICE_EXAMPLE = {"uscc": "91110111MA01ABCD2U", "served_on": "2025-04-15", "category": "declaration",
                   "description": "辅导申报北京市专精特新中小企业", "outcome": "获批市级专精特新",
                   "park_id": "park-3f9a1c2e"}


class IntermediaryIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [INTERMEDIARY_EXAMPLE]})

    name: Text = Field(description=NAME)
    kind: IntermediaryKind = Field("intermediary", description=KIND)
    uscc: USCC | None = Field(None, description=ORG_USCC)
    contact: Text | None = Field(None, description=CONTACT)


class IntermediaryPatch(Body):
    """要修改的名录字段 / Fields to change (null clears an optional one); at least one."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"contact": "王经理 010-69351111"}]})

    name: Text | None = Field(None, description=NAME + "；不能清空 / cannot be cleared")
    kind: IntermediaryKind | None = Field(None, description=KIND + "；不能清空 / cannot be cleared")
    uscc: USCC | None = Field(None, description=ORG_USCC)
    contact: Text | None = Field(None, description=CONTACT)

    @model_validator(mode="after")
    def _something(self):
        if not self.model_fields_set:
            raise ValueError("至少修改一项 / change at least one field")
        for required in ("name", "kind"):
            if required in self.model_fields_set and getattr(self, required) is None:
                raise ValueError(f"{required} 不能清空 / {required} cannot be cleared")
        return self


class IntermediaryPublic(Public):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"id": 3, **INTERMEDIARY_EXAMPLE}]})

    id: int = Field(description="机构编号 / the intermediary's id")
    name: str = Field(description=NAME)
    kind: str = Field(description=KIND)
    uscc: str | None = Field(description=ORG_USCC)
    contact: str | None = Field(description=CONTACT)
    version: int = Field(1, description="记录版本号（每次修改加一，随 intermediary.changed.v1 公布） / the entry's version, "
                                        "bumped with every change (announced with intermediary.changed.v1)")


class IntermediariesAnnounced(Public):
    """重新公布的机构数 / How many intermediaries were announced."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"announced": 40}]})

    announced: int = Field(description="公布的机构数（intermediary.changed.v1） / entries announced "
                                       "(intermediary.changed.v1)")


class ServiceRecordIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [SERVICE_EXAMPLE]})

    uscc: USCC = Field(description=SERVED_USCC)
    served_on: FactDay = Field(description=SERVED_ON)
    category: ServiceCategory = Field(description=CATEGORY)
    description: LongText | None = Field(None, description=DESCRIPTION)
    outcome: LongText | None = Field(None, description=OUTCOME)
    park_id: ParkId | None = Field(None, description=PARK)


class ServiceRecordPublic(Public):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"id": 21, "intermediary_id": 3, **SERVICE_EXAMPLE, "created_by": "park:park-3f9a1c2e:wang.fang"}]})

    id: int = Field(description="服务记录编号 / the service record's id")
    intermediary_id: int = Field(description="机构编号 / the intermediary's id")
    uscc: str = Field(description=SERVED_USCC)
    park_id: str | None = Field(description=PARK)
    served_on: dt.date = Field(description=SERVED_ON)
    category: str = Field(description=CATEGORY)
    description: str | None = Field(description=DESCRIPTION)
    outcome: str | None = Field(description=OUTCOME)
    created_by: str = Field(description="记录人 / who recorded it")
