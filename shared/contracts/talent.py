"""What talent publishes. No personal data ever goes into an event."""
from __future__ import annotations

from pydantic import ConfigDict, Field

from shared.contracts import USCC, EventData

YEAR = "指标年度 / the quota year"
BASIS = "授予依据：规则、所依据的认定与参数、该年度全部指标来源 / how the grant was decided: the rule, the " \
        "certification and parameter rows it rests on, every entitlement of the year"
RULE = {"zh": "同一企业同一年度只享受一次落户指标，两个层级同时符合时取较高者（不重复享受）",
        "en": "one grant per enterprise and year: the largest entitlement, never a sum"}
PARAM = {"id": 12, "key": "talent.quota.per_year.national_little_giant", "value": 1, "effective_from": "2022-01-01",
         "legal_ref": "POLICY.md 落户指标; seed proposal 三.3 and the bureau's reply 四: national little giant, "
                      "1 quota a year"}
ENTITLEMENT = {"certification_id": 3188, "tier": "national_little_giant", "recognized_on": "2025-08-01", "count": 1,
               "state": "active", "params": [PARAM], "event_id": "0193a5c2-7d1e-7f3a-9b21-5c8e4f2a6d10",
               "cancelled_on": None, "cancel_reason": None}


class QuotaGranted(EventData):
    """A year's grant was created or raised; `count` is the year's grant after the change."""

    SERVICE = "talent"
    NAME = "quota.granted.v1"
    TITLE_ZH = "落户指标授予：某年度的指标新增或增加"
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"uscc": "91110111MA01R2XJ3P", "year": 2026, "count": 1,
         "basis": {"rule": RULE, "tier": "national_little_giant", "certification_id": 3188,
                   "recognized_on": "2025-08-01", "params": [PARAM], "entitlements": [ENTITLEMENT]}}]})
    uscc: str = Field(description=USCC)
    year: int = Field(description=YEAR)
    count: int = Field(description="变化后该年度的指标数 / the year's grant after the change")
    basis: dict = Field(description=BASIS)


class QuotaCancelled(EventData):
    """A year's grant fell; `count` is the grant after the change, `cancelled` how many went."""

    SERVICE = "talent"
    NAME = "quota.cancelled.v1"
    TITLE_ZH = "落户指标取消：某年度的指标减少（如认定因过错被撤销）"
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"uscc": "91110111MA01R2XJ3P", "year": 2027, "count": 0, "cancelled": 1,
         "basis": {"rule": RULE, "tier": None, "certification_id": None, "recognized_on": None, "params": [],
                   "entitlements": [ENTITLEMENT | {"state": "cancelled", "cancelled_on": "2026-09-01",
                                                   "cancel_reason": "认定因过错撤销 / certification revoked for "
                                                                    "cause"}]}}]})
    uscc: str = Field(description=USCC)
    year: int = Field(description=YEAR)
    count: int = Field(description="变化后该年度的指标数 / the year's grant after the change")
    cancelled: int = Field(description="本次取消的指标数 / how many quotas were cancelled")
    basis: dict = Field(description=BASIS)


class NominationChanged(EventData):
    """A talent nomination was submitted or changed state (no personal data: id, enterprise, year,
    category and state only)."""

    SERVICE = "talent"
    NAME = "nomination.changed.v1"
    TITLE_ZH = "人才提名变更：一项落户人才提名已提交或状态变化"
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"nomination_id": 57, "uscc": "91110111MA01R2XJ3P", "year": 2026, "category": "骨干人才",
         "state": "recommended"}]})
    nomination_id: int = Field(description="提名编号 / the nomination's id")
    uscc: str = Field(description=USCC)
    year: int = Field(description="所用指标的年度 / the year of the quota it uses")
    category: str = Field(description="聚源计划人才类别：战略人才、领军人才、骨干人才、优秀人才 / the talent category "
                                      "(聚源计划)")
    state: str = Field(description="状态：submitted 已提交、district_reviewed 区级已审核、recommended 已推荐至市级、"
                                   "approved 已批准、rejected 已驳回、withdrawn 已撤回 / the nomination's state")
