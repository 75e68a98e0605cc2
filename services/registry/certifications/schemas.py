"""Certification request bodies and answers."""
import datetime as dt
from typing import Annotated, Literal

from fastapi import Path
from pydantic import ConfigDict, Field, model_validator

from shared.schemas import Body, Day, FactDay, LongText, Public, Text

CertTier = Literal["innovative", "potential", "municipal_srdi", "municipal_little_giant",
                   "national_little_giant", "single_champion"]
TIER_DOC = ("称号：innovative 创新型中小企业、potential 潜在、municipal_srdi 市级专精特新、municipal_little_giant "
            "市级小巨人、national_little_giant 国家级小巨人、single_champion 单项冠军 / the title")

CertId = Annotated[int, Path(description="认定编号 / the certification's id")]

CERTIFICATION_EXAMPLE = {"id": 12, "tier": "municipal_srdi", "state": "active", "recognized_on": "2024-06-18",
                         "expires_on": "2027-06-17", "batch": "2024年第一批", "source": "municipal_list",
                         "revoked_on": None, "revoke_reason": None, "for_cause": None, "voided_on": None,
                         "void_reason": None}


class CertificationIn(Body):
    """一项认定 / A certification to record."""

    tier: CertTier = Field(description=TIER_DOC)
    recognized_on: FactDay = Field(description="认定日期（不晚于今天） / the recognition date (not after today)")
    expires_on: Day | None = Field(None, description="有效期最后一天，默认按称号有效期计算 / the last valid day; "
                                                     "default from the title's validity (a dated parameter)")
    batch: Annotated[Text, Field(max_length=50)] | None = Field(None, description="批次 / the batch")
    source: Literal["manual", "municipal_list", "platform"] = Field(
        "manual", description="来源：manual 手工、municipal_list 市级名单、platform 市级平台 / where it came from")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"tier": "municipal_srdi", "recognized_on": "2024-06-18", "batch": "2024年第一批", "source": "manual"}]})

    @model_validator(mode="after")
    def _dates(self):
        if self.expires_on and self.expires_on < self.recognized_on:
            raise ValueError("有效期截止日早于认定日期 / expires_on is before recognized_on")
        return self


class RevokeIn(Body):
    """撤销一项认定 / Revoke a certification."""

    reason: Annotated[LongText, Field(max_length=500)] = Field(description="撤销原因 / why it is revoked")
    for_cause: bool = Field(True, description="是否因故撤销（因故撤销后3年内不得再次认定） / revoked for cause "
                                              "(no new title within the re-application ban)")
    revoked_on: FactDay | None = Field(None, description="撤销日期，默认今天 / the revocation date; default today")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reason": "申报材料弄虚作假", "for_cause": True, "revoked_on": "2025-03-01"}]})


class VoidIn(Body):
    """作废一项录入错误的认定（不同于撤销：不禁止再次认定，视为从未存在） / Void a certification entered by
    mistake (unlike a revocation: no re-application ban; it never counted)."""

    reason: Annotated[LongText, Field(min_length=2, max_length=500)] = Field(
        description="作废原因（2–500 字） / why it is voided (2–500 characters)")
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "误将培育库企业录为北京市专精特新"}]})


class CertificationPublic(Public):
    """一项认定 / A certification."""

    id: int = Field(description="认定编号 / the certification's id")
    tier: str = Field(description=TIER_DOC)
    state: str = Field(description="状态：active 有效、expired 已到期、revoked 已撤销、voided 录入错误已作废（不计入任何"
                                   "层级） / the state: active, expired, revoked, or voided (entered by mistake: "
                                   "it never counts)")
    recognized_on: dt.date = Field(description="认定日期 / the recognition date")
    expires_on: dt.date = Field(description="有效期最后一天 / the last valid day")
    batch: str | None = Field(description="批次 / the batch")
    source: str = Field(description="来源：manual、municipal_list、platform / where it came from")
    revoked_on: dt.date | None = Field(description="撤销日期 / the revocation date")
    revoke_reason: str | None = Field(description="撤销原因 / why it was revoked")
    for_cause: bool | None = Field(description="是否因故撤销 / revoked for cause")
    voided_on: dt.date | None = Field(None, description="作废日期 / the day it was voided")
    void_reason: str | None = Field(None, description="作废原因 / why it was voided")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [CERTIFICATION_EXAMPLE]})


class ExpiredPublic(Public):
    """到期处理结果 / What the expiry sweep did."""

    expired: int = Field(description="本次标记为到期的认定数 / certifications marked expired now")
    model_config = ConfigDict(json_schema_extra={"examples": [{"expired": 3}]})


class AnnouncedPublic(Public):
    """重新公布的企业档案数 / How many records were announced."""

    announced: int = Field(description="公布的企业档案数（enterprise.recorded.v1） / records announced")
    model_config = ConfigDict(json_schema_extra={"examples": [{"announced": 1280}]})
