"""What the registry publishes about an enterprise: every event carries the enterprise's whole
record (its facts and every certification, with a version), so a consumer keeps the newest record
it has seen and derives the tier on any date from it (shared.tiers.tier_on), never by folding
changes. The flat fields beside `record` say what happened, for triggers (an award, a quota grant)
and for readers of the stream; they are not a state to fold."""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from shared import tiers
from shared.contracts import USCC, EventData
from shared.tiers import Tier

# The enterprise's facts: one description each, for the record and for the flat copies beside it.
ENTERPRISE_NAME = "企业名称 / the enterprise's name"
TOWNSHIP = "所属乡镇（街道），如 窦店镇 / the township or street office, e.g. 窦店镇"
PARK_ID = "所在园区编号（园区服务） / the id of the park it is in (parks service)"
INDUSTRY = "国民经济行业代码（GB/T 4754），如 C3562 / the industry code (GB/T 4754), e.g. C3562"
RELOCATED_ON = "迁入房山区的日期 / the day it moved into the district"
RELOCATED_FROM = "迁出地名称 / the name of the place it moved from"
RELOCATED_FROM_CODE = "迁出地行政区划代码（GB/T 2260，北京市为 11xxxx） / the origin's division code (GB/T 2260; " \
                      "Beijing is 11xxxx)"
INTRODUCER = "引荐其迁入的中介机构 / the intermediary that brought it in (payee of the introducer award)"
STATUS = "经营状态：active 在区经营、moved_out 已迁出、closed 已注销 / whether it is still here: active, moved_out " \
         "(moved out of the district) or closed"
STATUS_ON = "迁出或注销的日期（此后不再享受区级政策），在区经营为空 / the day it moved out or closed (no district " \
            "measure after it), or null while active"
VERSION = "记录版本号：记录每变化一次加一 / the record's version, bumped with every change to it"
RECORD = "企业在该版本的完整记录（含全部认定） / the enterprise's whole record at that version, every " \
         "certification included"
CERTIFICATION_ID = "认定编号（登记服务） / the certification's id (registry)"
TIER = "认定层级代码，如 municipal_srdi / the tier code, e.g. municipal_srdi"
FROM_TIER = "变化前的层级 / the tier before"
TO_TIER = "变化后的层级 / the tier after"
RECOGNIZED_ON = "认定日期 / the date of recognition"
EXPIRES_ON = "有效期最后一天 / the last day the title is valid"

USCC_EXAMPLE = "91110111MA01R2XJ3P"
CERT_INNOVATIVE = {"id": 2817, "tier": "innovative", "recognized_on": "2023-06-15", "expires_on": "2026-06-14",
                   "revoked_on": None, "for_cause": False, "state": "active", "backfilled": False}
CERT_SRDI = {"id": 3051, "tier": "municipal_srdi", "recognized_on": "2024-03-01", "expires_on": "2027-02-28",
             "revoked_on": None, "for_cause": False, "state": "active", "backfilled": False}
FACTS = {"name": "北京燕山精工科技有限公司", "township": "窦店镇", "park_id": "park-3f9a1c2e",
         "industry_code": "C3562", "relocated_on": "2023-04-10", "relocated_from": "天津市滨海新区",
         "relocated_from_code": "120116", "introducer": "北京京西科技服务有限公司", "status": "active",
         "status_on": None}


def _example(version: int, certifications: list[dict], **what: object) -> dict:
    """An event's example: the record at `version` with its flat facts beside it, and what happened."""
    record = {"uscc": USCC_EXAMPLE, **FACTS, "version": version, "certifications": certifications}
    return {"uscc": USCC_EXAMPLE, "enterprise_version": version, "record": record, **FACTS, **what}


class CertificationRecord(BaseModel):
    """One certification as the registry holds it. `expires_on` is the last valid day;
    `revoked_on` the first day it no longer counts; `state` is active, expired or revoked."""

    model_config = ConfigDict(extra="ignore", frozen=True, json_schema_extra={"examples": [CERT_SRDI]})
    id: int = Field(description=CERTIFICATION_ID)
    tier: Tier = Field(description=TIER)
    recognized_on: dt.date = Field(description=RECOGNIZED_ON)
    expires_on: dt.date = Field(description=EXPIRES_ON)
    revoked_on: dt.date | None = Field(None, description="撤销生效日（不再计入的第一天），未撤销为空 / the first day "
                                                         "it no longer counts after a revocation, or null")
    for_cause: bool = Field(False, description="是否因过错撤销（如虚假申报，追回奖励） / revoked for cause (e.g. a "
                                               "false declaration: awards are clawed back)")
    state: str = Field("active", description="状态：active 有效、expired 已过期、revoked 已撤销、voided 录入错误已作废"
                                             "（视为从未存在，不计入任何层级） / the state: active, expired, revoked, "
                                             "or voided (entered by mistake: it never counts, on any date)")
    backfilled: bool = Field(False, description="历史名单补录（系统上线前的认定）：奖励已在系统外兑付，不生成应付奖励，"
                                                "不补发往年落户指标 / back-filled from a list from before go-live: its "
                                                "award was settled outside the system (never payable) and past years' "
                                                "quotas are not granted")


class EnterpriseRecord(BaseModel):
    """The registry's whole record of an enterprise at `version` (bumped with every change)."""

    model_config = ConfigDict(extra="ignore", frozen=True, json_schema_extra={"examples": [
        {"uscc": USCC_EXAMPLE, **FACTS, "version": 3, "certifications": [CERT_INNOVATIVE, CERT_SRDI]}]})
    uscc: str = Field(description=USCC)
    name: str = Field(description=ENTERPRISE_NAME)
    version: int = Field(description=VERSION)
    township: str | None = Field(None, description=TOWNSHIP)
    park_id: str | None = Field(None, description=PARK_ID)
    industry_code: str | None = Field(None, description=INDUSTRY)
    relocated_on: dt.date | None = Field(None, description=RELOCATED_ON)
    relocated_from: str | None = Field(None, description=RELOCATED_FROM)  # the origin's name
    # the origin's GB/T 2260 division code (Beijing: 11xxxx)
    relocated_from_code: str | None = Field(None, description=RELOCATED_FROM_CODE)
    introducer: str | None = Field(None, description=INTRODUCER)
    status: str = Field("active", description=STATUS)  # active, moved_out, closed
    status_on: dt.date | None = Field(None, description=STATUS_ON)
    certifications: tuple[CertificationRecord, ...] = Field(
        (), description="企业的全部认定（含已过期、已撤销） / every certification it holds or held (expired and "
                        "revoked ones too)")

    def tier_on(self, on: dt.date) -> str:
        return tiers.tier_on(self.certifications, on)

    def held_on(self, on: dt.date) -> set[str]:
        return tiers.held_on(self.certifications, on)

    def certification(self, certification_id: int) -> CertificationRecord | None:
        return next((c for c in self.certifications if c.id == certification_id), None)


class EnterpriseEvent(EventData):
    """Every registry event about an enterprise: the whole record and its version. The enterprise's
    facts are repeated flat beside it for readers of the first catalogue (EVENTS.md)."""

    SERVICE = "registry"
    uscc: str = Field(description=USCC)
    enterprise_version: int = Field(description=VERSION)
    record: EnterpriseRecord = Field(description=RECORD)
    name: str = Field(description=ENTERPRISE_NAME)
    township: str | None = Field(None, description=TOWNSHIP)
    park_id: str | None = Field(None, description=PARK_ID)
    industry_code: str | None = Field(None, description=INDUSTRY)
    relocated_on: dt.date | None = Field(None, description=RELOCATED_ON)
    relocated_from: str | None = Field(None, description=RELOCATED_FROM)
    relocated_from_code: str | None = Field(None, description=RELOCATED_FROM_CODE)
    introducer: str | None = Field(None, description=INTRODUCER)
    status: str = Field("active", description=STATUS)
    status_on: dt.date | None = Field(None, description=STATUS_ON)


class EnterpriseRegistered(EnterpriseEvent):
    """An enterprise entered the registry (it holds no certification yet)."""

    NAME = "enterprise.registered.v1"
    TITLE_ZH = "企业入库：企业登记进入企业库"
    model_config = ConfigDict(json_schema_extra={"examples": [_example(1, [])]})


class EnterprisePromoted(EnterpriseEvent):
    """The tier on `recognized_on` rose with certification `certification_id`."""

    NAME = "enterprise.promoted.v1"
    TITLE_ZH = "企业晋级：认定日的层级因一项认定而上升"
    model_config = ConfigDict(json_schema_extra={"examples": [_example(
        3, [CERT_INNOVATIVE, CERT_SRDI], from_tier="innovative", to_tier="municipal_srdi", certification_id=3051,
        recognized_on="2024-03-01", expires_on="2027-02-28", first_time_at_tier=True)]})
    from_tier: Tier = Field(description="认定日之前的层级 / the tier before, on the recognition date")
    to_tier: Tier = Field(description="认定日晋级后的层级 / the tier reached on the recognition date")
    certification_id: int = Field(description="带来晋级的认定编号 / the certification that raised the tier")
    recognized_on: dt.date = Field(description=RECOGNIZED_ON)
    expires_on: dt.date = Field(description=EXPIRES_ON)
    first_time_at_tier: bool = Field(description="是否首次达到该层级（复核不算首次，触发层级奖励） / the first time "
                                                 "the enterprise reaches this tier (a renewal, 复核, is not): "
                                                 "the tier award follows")


class EnterpriseDemoted(EnterpriseEvent):
    """The tier fell on `on` (a title lapsed or was revoked); announced by the expiry sweep or the
    revocation. Readers need not wait for it: the record already says when each title ends."""

    NAME = "enterprise.demoted.v1"
    TITLE_ZH = "企业降级：称号到期或被撤销，层级下降"
    model_config = ConfigDict(json_schema_extra={"examples": [_example(
        2, [CERT_INNOVATIVE | {"recognized_on": "2022-06-15", "expires_on": "2025-06-14", "state": "expired"}],
        from_tier="innovative", to_tier="sme", reason="expired", certification_id=2817, on="2025-06-15")]})
    from_tier: Tier = Field(description=FROM_TIER)
    to_tier: Tier = Field(description=TO_TIER)
    reason: str = Field(description="原因：expired 到期、revoked 撤销 / why: expired or revoked")  # expired, revoked
    certification_id: int = Field(description="到期或被撤销的认定编号 / the certification that lapsed or was revoked")
    on: dt.date = Field(description="层级下降的第一天 / the first day at the lower tier")


class CertificationAdded(EnterpriseEvent):
    """A certification was recorded that does not raise the tier (a renewal, 复核, or a lower title
    beside a higher one): the record changed, so every copy of it must too."""

    NAME = "certification.added.v1"
    TITLE_ZH = "新增认定：记录了一项不提升层级的认定（复核或较低称号）"
    model_config = ConfigDict(json_schema_extra={"examples": [_example(
        4, [CERT_INNOVATIVE, CERT_SRDI, CERT_INNOVATIVE | {"id": 3402, "recognized_on": "2026-06-10",
                                                            "expires_on": "2029-06-09"}],
        certification_id=3402, tier="innovative", recognized_on="2026-06-10")]})
    certification_id: int = Field(description="新增的认定编号 / the certification recorded")
    tier: Tier = Field(description=TIER)
    recognized_on: dt.date = Field(description=RECOGNIZED_ON)


class CertificationRevoked(EnterpriseEvent):
    """A certification was revoked (撤销); for cause, its awards are clawed back."""

    NAME = "certification.revoked.v1"
    TITLE_ZH = "认定撤销：一项认定被撤销（因过错撤销时追回奖励）"
    model_config = ConfigDict(json_schema_extra={"examples": [_example(
        4, [CERT_INNOVATIVE, CERT_SRDI | {"revoked_on": "2025-09-01", "for_cause": True, "state": "revoked"}],
        certification_id=3051, tier="municipal_srdi", reason="申报材料虚假，经市经信局核实撤销", for_cause=True,
        revoked_on="2025-09-01")]})
    certification_id: int = Field(description="被撤销的认定编号 / the certification revoked")
    tier: Tier = Field(description=TIER)
    reason: str | None = Field(None, description="撤销原因 / why it was revoked")
    for_cause: bool = Field(False, description="是否因过错撤销（如虚假申报，追回奖励） / revoked for cause (e.g. a "
                                               "false declaration: awards are clawed back)")
    revoked_on: dt.date = Field(description="撤销生效日（不再计入的第一天） / the first day it no longer counts")

class FieldChange(BaseModel):
    """One corrected fact: its name, the value before and after."""

    model_config = ConfigDict(extra="ignore", frozen=True, json_schema_extra={"examples": [
        {"field": "township", "before": None, "after": "窦店镇"}]})
    field: str = Field(description="字段名：name、township、park_id、industry_code 等 / the field: name, township, "
                                   "park_id, industry_code …")
    before: str | None = Field(None, description="更正前的值 / the value before")
    after: str | None = Field(None, description="更正后的值 / the value after")


class EnterpriseChanged(EnterpriseEvent):
    """The enterprise's facts were corrected (name, township, park, industry): an audited edit by
    the lead bureau. Copies take the new record; parks' counts follow the park."""

    NAME = "enterprise.changed.v1"
    TITLE_ZH = "企业信息更正：企业名称、乡镇、园区或行业被更正"
    model_config = ConfigDict(json_schema_extra={"examples": [_example(
        5, [CERT_INNOVATIVE, CERT_SRDI], changes=[{"field": "township", "before": None, "after": "窦店镇"}],
        reason="导入时未填乡镇，按营业执照补正")]})
    changes: tuple[FieldChange, ...] = Field(description="更正的字段 / the facts corrected")
    reason: str | None = Field(None, description="更正原因 / why")


def _departed_example() -> dict:
    example = _example(6, [CERT_INNOVATIVE, CERT_SRDI], on="2026-10-31", reason="整体迁往河北省涿州市")
    gone = {"status": "moved_out", "status_on": "2026-10-31"}
    return example | gone | {"record": example["record"] | gone}


class EnterpriseDeparted(EnterpriseEvent):
    """The enterprise moved out of the district or closed on `on`: its unpaid awards are withheld,
    its quotas and its service-list entry end. Its titles stay in the record (they are the city's)."""

    NAME = "enterprise.departed.v1"
    TITLE_ZH = "企业迁出或注销：企业迁出本区或注销，未兑付奖励暂停，落户指标与服务名单终止"
    model_config = ConfigDict(json_schema_extra={"examples": [_departed_example()]})
    status: str = Field(description="moved_out 迁出、closed 注销 / moved_out or closed")  # type: ignore[assignment]
    on: dt.date = Field(description="迁出或注销的日期 / the day it moved out or closed")
    reason: str | None = Field(None, description="说明 / why, as recorded")


class CertificationVoided(EnterpriseEvent):
    """A certification entered by mistake was voided (作废): unlike a revocation it carries no ban
    and it never counted. Its effects are undone: awards not yet paid are withdrawn, paid ones
    flagged for the treasury, quotas from it for the current year and later years cancelled (a quota
    a nomination holds is kept until the nomination ends)."""

    NAME = "certification.voided.v1"
    TITLE_ZH = "认定作废：录入错误的认定被作废（视为从未存在，撤回其影响）"
    model_config = ConfigDict(json_schema_extra={"examples": [_example(
        5, [CERT_INNOVATIVE, CERT_SRDI | {"state": "voided"}], certification_id=3051, tier="municipal_srdi",
        recognized_on="2024-03-01", reason="误将培育库企业录为北京市专精特新")]})
    certification_id: int = Field(description="被作废的认定编号 / the certification voided")
    tier: Tier = Field(description=TIER)
    recognized_on: dt.date = Field(description=RECOGNIZED_ON)
    reason: str = Field(description="作废原因 / why it was voided")


class EnterpriseRecorded(EnterpriseEvent):
    """The record announced as it stands. By `POST /api/v1/admin/announce-records` in the registry: it
    fills the copies of a service that has none yet — one added later, or a database from before
    events carried records. By the expiry sweep, when a title lapses and the tier stays (a higher or
    renewed title holds it): the copies read that title expired at the record's new version. Neither
    moves a tier: it triggers nothing but the copy."""

    NAME = "enterprise.recorded.v1"
    TITLE_ZH = "记录重发：按现状重新公布企业记录（不触发任何处理）"
    model_config = ConfigDict(json_schema_extra={"examples": [_example(3, [CERT_INNOVATIVE, CERT_SRDI])]})


# Every registry event that carries an enterprise's record: a copy keeps the newest of them all.
RECORD_EVENTS: tuple[type[EnterpriseEvent], ...] = (
    EnterpriseRegistered, EnterprisePromoted, EnterpriseDemoted, CertificationAdded, CertificationRevoked,
    EnterpriseRecorded, EnterpriseChanged, EnterpriseDeparted, CertificationVoided)


class ReminderDue(EventData):
    """A reminder falls due for an enterprise (announced once per enterprise and cycle): its title
    lapses soon, or its annual update (年度数据更新) is due. Outreach sends it through the notice
    channels; the dates are the registry's, the channels outreach's."""

    SERVICE = "registry"
    NAME = "reminder.due.v1"
    TITLE_ZH = "到期提醒：称号即将到期或年度数据更新即将截止"
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"uscc": USCC_EXAMPLE, "name": FACTS["name"], "kind": "title_lapse", "cycle": "title_lapse:3051",
         "due_on": "2027-02-28", "tier": "municipal_srdi", "certification_id": 3051},
        {"uscc": USCC_EXAMPLE, "name": FACTS["name"], "kind": "annual_update", "cycle": "annual_update:2027",
         "due_on": "2027-04-30", "tier": "municipal_srdi", "certification_id": None}]})
    uscc: str = Field(description=USCC)
    name: str = Field(description=ENTERPRISE_NAME)
    kind: str = Field(description="title_lapse 称号即将到期、annual_update 年度数据更新即将截止 / title_lapse (a "
                                  "title's last valid day nears) or annual_update (the yearly update is due)")
    cycle: str = Field(description="提醒周期键（同一企业同一周期只提醒一次），如 title_lapse:3051、annual_update:2027 / "
                                   "the cycle's key (one reminder per enterprise and cycle)")
    due_on: dt.date = Field(description="到期日或截止日 / the last valid day, or the deadline")
    tier: Tier | None = Field(None, description=TIER)
    certification_id: int | None = Field(None, description=CERTIFICATION_ID)
