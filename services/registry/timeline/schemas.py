"""Timeline answers."""
import datetime as dt

from pydantic import ConfigDict, Field

from shared.schemas import Public

ENTRY_EXAMPLE = {"on": "2025-07-01", "kind": "award", "ref": "award:1207",
                 "summary_zh": "层级奖励（北京市专精特新中小企业） 300,000 元：已批准",
                 "summary_en": "award tier 300000 yuan: approved",
                 "detail": {"award_id": 1207, "program": "tier", "tier": "municipal_srdi", "amount_yuan": 300000,
                            "state": "approved"}}
KINDS_DOC = ("title.recognized 认定、title.expired 有效期届满、title.revoked 撤销、title.voided 作废、award 奖励、"
             "quota 落户指标、service_list.joined 列入服务名单、service_list.left 退出服务名单、service_request.opened "
             "提出诉求、service_request.accepted 诉求已受理、service_request.closed 诉求办结、visit 走访、correction 记录更正 / the kind of entry")


class TimelineEntry(Public):
    """时间线上的一项 / One dated entry of an enterprise's timeline."""

    on: dt.date = Field(description="日期 / the date it happened")
    kind: str = Field(description=KINDS_DOC)
    ref: str = Field(description="所涉对象（如 certification:12、award:1207） / what it is about")
    summary_zh: str = Field(description="中文摘要 / the summary in Chinese")
    summary_en: str = Field(description="英文摘要 / the summary in English")
    detail: dict = Field(description="明细（其他部门的事项为其最新完整记录） / the detail (for another department's "
                                     "fact, its latest whole record)")
    model_config = ConfigDict(json_schema_extra={"examples": [ENTRY_EXAMPLE]})


class Timeline(Public):
    """一家企业的时间线：认定、奖励、落户指标、服务名单、诉求、走访与更正，新的在前 / One enterprise's
    timeline: titles, awards, quotas, service-list entries, requests, visits and corrections, newest first."""

    uscc: str = Field(description="统一社会信用代码 / unified social credit code")
    name: str = Field(description="企业名称 / the enterprise's name")
    on: dt.date = Field(description="截至日期（只列此日及以前的事项） / entries up to this date")
    tier_on: str = Field(description="该日层级（sme 为无称号） / the tier on that date (sme: no title)")
    entries: list[TimelineEntry] = Field(description="事项，新的在前 / the entries, newest first")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"uscc": "91110111MA01ABCD2U", "name": "北京燕山精工科技有限公司", "on": "2026-12-03",
         "tier_on": "municipal_srdi", "entries": [ENTRY_EXAMPLE]}]})
