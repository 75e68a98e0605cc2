"""Quota answers: a year's grant of an enterprise and the basis it rests on."""
from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ConfigDict, Field

from shared.schemas import Public

PARAM = {"id": 12, "key": "talent.quota.per_year.national_little_giant", "value": 1, "effective_from": "2022-01-01",
         "legal_ref": "POLICY.md 落户指标; seed proposal 三.3 and the bureau's reply 四: national little giant, "
                      "1 quota a year"}
STATUS = {"state": "active", "expires_on": "2028-07-31", "revoked_on": None, "for_cause": False, "record_version": 4}
ENTITLEMENT = {"certification_id": 3051, "tier": "national_little_giant", "recognized_on": "2025-08-01", "count": 1,
               "state": "active", "params": [PARAM], "event_id": "0193a5c2-7d1e-7f3a-9b21-5c8e4f2a6d10",
               "cancelled_on": None, "cancel_reason": None, "certification_status": STATUS}
RULE = {"zh": "同一企业同一年度只享受一次落户指标，两个层级同时符合时取较高者（不重复享受）",
        "en": "one grant per enterprise and year: the largest entitlement, never a sum"}
BASIS = {"rule": RULE, "tier": "national_little_giant", "certification_id": 3051, "recognized_on": "2025-08-01",
         "certification_status": STATUS, "params": [PARAM], "entitlements": [ENTITLEMENT]}
QUOTA = {"uscc": "91110111MA01R2XJ3P", "year": 2026, "granted": 1, "used": 0, "available": 1, "lapsed": False,
         "tier_today": "national_little_giant", "basis": BASIS}


class RuleText(Public):
    """不重复享受规则 / the rule a grant follows."""

    zh: str = Field(description="规则（中文） / the rule in Chinese")
    en: str = Field(description="规则（英文） / the rule in English")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [RULE]})


class ParamCite(Public):
    """所引用的政策参数 / A policy parameter row cited."""

    id: int = Field(description="参数版本编号 / the parameter version's id")
    key: str = Field(description="参数键 / the parameter's key")
    value: Any = Field(description="取值 / the value")
    effective_from: dt.date = Field(description="生效日期 / in force from this date")
    legal_ref: str = Field(description="政策依据 / the legal reference")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [PARAM]})


class CertificationStatus(Public):
    """认定今日的状态（按本服务所持最新登记记录） / Where a certification stands today, by the newest
    registry record talent holds (the registry owns the fact; talent only reads it)."""

    state: str = Field(description="今日状态：active 有效、expired 已过期、revoked 已撤销、voided 已作废（视为从未认定） / "
                                   "today: active, expired, revoked, or voided (deemed never recognised)")
    expires_on: dt.date = Field(description="有效期最后一天 / the last valid day")
    revoked_on: dt.date | None = Field(description="撤销生效日，未撤销为空 / the first day it no longer counts after a "
                                                   "revocation, or null")
    for_cause: bool = Field(description="是否因过错撤销 / revoked for cause")
    record_version: int = Field(description="所依据的登记记录版本 / the version of the registry record read")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [STATUS]})


class EntitlementPublic(Public):
    """一项认定在某年度带来的落户指标 / What one certification entitles an enterprise to in one year."""

    certification_id: int = Field(description="认定编号（登记服务） / the certification's id (registry)")
    tier: str = Field(description="认定层级代码 / the certification's tier")
    recognized_on: dt.date = Field(description="认定日期 / the date of recognition")
    count: int = Field(description="该年度的指标数 / quotas in that year")
    state: str = Field(description="状态：active 有效、cancelled 已取消 / active or cancelled")
    params: list[ParamCite] = Field(description="所依据的参数 / the parameter rows used")
    event_id: str = Field(description="产生它的晋级事件编号 / the promotion event that produced it")
    cancelled_on: dt.date | None = Field(description="取消日期（认定撤销日） / cancelled as of (the revocation date)")
    cancel_reason: str | None = Field(description="取消原因 / why it was cancelled")
    certification_status: CertificationStatus | None = Field(
        None, description="该认定今日的状态（按所持最新登记记录；记录中没有该认定时为空；GET /quotas 给出，事件中不含） / "
                          "where the certification stands today by the newest registry record held (null when that "
                          "record does not hold it; on GET /quotas, not in events)")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [ENTITLEMENT]})


class Basis(Public):
    """年度指标的依据 / How a year's grant was decided."""

    rule: RuleText = Field(description="适用的规则 / the rule applied")
    tier: str | None = Field(description="所依据认定的层级 / the tier of the entitlement it rests on")
    certification_id: int | None = Field(description="所依据的认定编号 / the certification it rests on")
    recognized_on: dt.date | None = Field(description="所依据认定的认定日期 / that certification's recognition date")
    certification_status: CertificationStatus | None = Field(
        None, description="所依据认定今日的状态（按所持最新登记记录；无有效依据或记录中没有该认定时为空；GET /quotas "
                          "给出，事件中不含） / where the certification it rests on stands today by the newest registry "
                          "record held (null when it rests on none, or that record does not hold it; on GET /quotas, "
                          "not in events)")
    params: list[ParamCite] = Field(description="所依据的参数 / the parameter rows it rests on")
    entitlements: list[EntitlementPublic] = Field(
        description="该年度的全部指标来源（含已取消） / every entitlement of the year, active or cancelled")
    kept_in_use: int | None = Field(None, description="因已被提名占用而保留的已取消指标数（仅在有时出现） / quotas of "
                                                      "cancelled entitlements kept because a nomination holds them "
                                                      "(present only then)")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [BASIS]})


class QuotaPublic(Public):
    """企业某年度的落户指标 / An enterprise's household-registration quotas for one year."""

    uscc: str = Field(description="统一社会信用代码 / unified social credit code")
    year: int = Field(description="年度 / the year")
    granted: int = Field(description="授予数 / quotas granted")
    used: int = Field(description="已被提名使用数 / quotas held by nominations")
    available: int = Field(description="可用数（年度结束后为 0） / quotas left (0 once the year is over)")
    lapsed: bool = Field(description="是否已随年度结束失效 / whether the year is over and unused quotas lapsed")
    tier_today: str | None = Field(description="按最新登记记录企业今日的层级（未获知时为空） / the enterprise's tier "
                                               "today by the newest registry record held (null when unknown)")
    basis: Basis = Field(description="授予依据 / how the grant was decided")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [QUOTA]})
