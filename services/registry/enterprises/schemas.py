"""Enterprise request bodies and answers."""
import datetime as dt
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from services.registry.certifications.schemas import CERTIFICATION_EXAMPLE, CertificationPublic
from services.registry.townships.rules import name_of
from shared.clock import today
from shared.schemas import USCC, Body, DivisionCode, FactDay, LongText, Public, Text

ENTERPRISE_EXAMPLE = {"uscc": "91110111MA01ABCD2U", "name": "北京燕山精工科技有限公司", "township": "窦店镇",
                      "industry_code": "C3484", "founded_on": "2015-04-20", "park_id": "fangshan-gaojiyuan",
                      "relocated_on": None, "relocated_from_code": None, "relocated_from": None, "introducer": None}
NAME = "企业名称 / the enterprise's name"
TOWNSHIP = "所属乡镇（街道），按名单规范化（如“良乡”记为“良乡镇”） / the township, mapped to the list's name"
INDUSTRY = "国民经济行业代码 / the industry code (GB/T 4754)"
FOUNDED = "成立日期（不晚于今天） / founded on (not after today)"
PARK = "所在园区编号 / the park it is in"
RELOCATED_ON = "迁入日期 / the day it moved in"
RELOCATED_FROM_CODE = "迁出地行政区划代码（GB/T 2260） / the origin's division code"
RELOCATED_FROM = "迁出地名称 / the origin's name"
INTRODUCER = "引荐人 / who introduced it"
STATUS = "经营状态：active 在区经营、moved_out 已迁出、closed 已注销 / active, moved_out or closed"
STATUS_ON = "迁出或注销日期，在区经营为空 / the day it moved out or closed; null while active"
STATUS_EXAMPLE = {"status": "active", "status_on": None}


class EnterpriseIn(Body):
    """登记一家企业 / An enterprise to register."""

    uscc: USCC = Field(description="统一社会信用代码 / unified social credit code")
    name: Text = Field(description=NAME)
    township: Annotated[Text, Field(max_length=50)] | None = Field(None, description=TOWNSHIP)
    industry_code: Annotated[Text, Field(max_length=20)] | None = Field(None, description=INDUSTRY)
    founded_on: FactDay | None = Field(None, description=FOUNDED)
    park_id: Annotated[Text, Field(max_length=64)] | None = Field(None, description=PARK)
    relocated_on: FactDay | None = Field(None, description=RELOCATED_ON)
    # GB/T 2260; decides "from outside Beijing"
    relocated_from_code: DivisionCode | None = Field(None, description=RELOCATED_FROM_CODE)
    relocated_from: Annotated[Text, Field(max_length=100)] | None = Field(None, description=RELOCATED_FROM)
    introducer: Text | None = Field(None, description=INTRODUCER)
    model_config = ConfigDict(json_schema_extra={"examples": [
        {k: v for k, v in ENTERPRISE_EXAMPLE.items() if v is not None}]})

    @field_validator("township")
    @classmethod
    def _township(cls, value: str | None) -> str | None:
        # Forms write 良乡, 良乡地区, 房山区良乡镇 …: one unit, one name (shared.townships).
        return name_of(value, today())

    @model_validator(mode="after")
    def _relocation(self):
        if (self.relocated_from or self.relocated_from_code) and not self.relocated_on:
            raise ValueError("填写迁出地须同时填写迁入日期 / relocated_from needs relocated_on")
        return self


class EnterpriseFacts(Public):
    uscc: str = Field(description="统一社会信用代码 / unified social credit code")
    name: str = Field(description=NAME)
    township: str | None = Field(description=TOWNSHIP)
    industry_code: str | None = Field(description=INDUSTRY)
    founded_on: dt.date | None = Field(description=FOUNDED)
    park_id: str | None = Field(description=PARK)
    relocated_on: dt.date | None = Field(description=RELOCATED_ON)
    relocated_from_code: str | None = Field(description=RELOCATED_FROM_CODE)
    relocated_from: str | None = Field(description=RELOCATED_FROM)
    introducer: str | None = Field(description=INTRODUCER)
    status: str = Field("active", description=STATUS)
    status_on: dt.date | None = Field(None, description=STATUS_ON)


class EnterpriseDocument(EnterpriseFacts):
    """The stored read document (enterprise.doc): the facts and every certification, nothing that
    depends on the day it is read."""

    certifications: list[CertificationPublic]


class DatedCertification(CertificationPublic):
    """某日的认定及其当日状态 / A certification with its state on the day asked."""

    state_on: str = Field(description="当日状态：active、not_yet、expired、revoked、voided / its state on the day "
                                      "asked")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        CERTIFICATION_EXAMPLE | {"state_on": "active"}]})


class EnterprisePublic(EnterpriseFacts):
    """一家企业，含某日的当前层级与全部认定 / An enterprise, its tier on a date and its certifications."""

    current_tier: str = Field(description="当日层级（sme 为无称号） / the tier on the day asked (sme: no title)")
    certifications: list[DatedCertification] = Field(description="全部认定，按认定日期 / every certification, "
                                                                 "by recognition date")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        ENTERPRISE_EXAMPLE | STATUS_EXAMPLE | {"current_tier": "municipal_srdi",
                              "certifications": [CERTIFICATION_EXAMPLE | {"state_on": "active"}]}]})


REASON = "更正原因 / why it is corrected"


class EnterpriseChangeIn(Body):
    """更正企业信息：只改所给字段；乡镇须为房山区乡镇（街道），园区须为已登记园区，null 清空 / Correct
    an enterprise's facts: only the fields given change; the township must be one of Fangshan's, the
    park one parks has recorded; null clears a field (not the name)."""

    name: Text | None = Field(None, description=NAME)
    township: Annotated[Text, Field(max_length=50)] | None = Field(None, description=TOWNSHIP)
    park_id: Annotated[Text, Field(max_length=64)] | None = Field(None, description=PARK)
    industry_code: Annotated[Text, Field(max_length=20)] | None = Field(None, description=INDUSTRY)
    reason: Annotated[LongText, Field(max_length=500)] | None = Field(None, description=REASON)
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"township": "窦店镇", "park_id": "fangshan-gaojiyuan", "reason": "导入时未填乡镇，按营业执照补正"}]})

    @model_validator(mode="after")
    def _name_kept(self):
        if "name" in self.model_fields_set and self.name is None:
            raise ValueError("企业名称不能清空 / the name cannot be cleared")
        return self


class DepartureIn(Body):
    """企业迁出或注销（此后不再享受区级政策） / The enterprise moved out or closed (no district
    measure after it)."""

    status: Literal["moved_out", "closed"] = Field(description="moved_out 迁出本区、closed 注销 / moved_out of the "
                                                              "district or closed")
    on: FactDay = Field(description="迁出或注销日期（不晚于今天） / the day it moved out or closed (not after today)")
    reason: Annotated[LongText, Field(max_length=500)] = Field(description="说明 / why, as recorded")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"status": "moved_out", "on": "2026-10-31", "reason": "整体迁往河北省涿州市"}]})
