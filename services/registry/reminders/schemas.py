"""Validity reminder answers: a sweep's counts, and the reminders announced."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field

from shared.schemas import Cited, Page, Public, UtcTime

Kind = Literal["title_lapse", "annual_update"]
KIND_D = "提醒类型：title_lapse 称号即将到期、annual_update 年度数据更新即将截止 / the kind: title_lapse (a title's " \
         "last valid day nears) or annual_update (the yearly update is due)"
CITED = Cited.model_config["json_schema_extra"]["examples"][0]
REMINDER_EXAMPLE = {"id": 12, "uscc": "91110111MA01R2XJ3P", "kind": "title_lapse", "cycle": "title_lapse:3051",
                    "due_on": "2027-02-28", "tier": "municipal_srdi", "certification_id": 3051,
                    "sent_on": "2026-11-28", "event_id": "0b6f7a52-3f0e-4d55-9a43-6c1c2e9d8f10",
                    "created_at": "2026-11-28T01:00:00.123456Z"}


class ReminderBasis(Public):
    """提醒所依据的参数 / The parameters a sweep applied."""

    title_lapse_months: Cited = Field(description="称号到期前提前提醒的月数 / months before a title's last valid day")
    annual_update_months: Cited = Field(description="年度更新截止前提前提醒的月数 / months before the annual "
                                                    "update deadline")
    annual_update_deadline: Cited = Field(description="年度更新截止日（月-日） / the annual update deadline, MM-DD")
    annual_update_min_tier: Cited = Field(description="须年度更新的最低称号 / the lowest title that files the "
                                                      "annual update")


class SweepCounts(Public):
    """一次提醒扫描的结果：本次新发出的提醒数 / What one reminder sweep announced (new reminders only)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "on": "2026-12-03", "title_lapse": 4, "annual_update": 0, "already_sent": 2,
        "basis": {k: CITED for k in ("title_lapse_months", "annual_update_months", "annual_update_deadline",
                                     "annual_update_min_tier")}}]})
    on: dt.date = Field(description="扫描日期 / the day swept")
    title_lapse: int = Field(description="新发出的称号到期提醒 / title-lapse reminders announced now")
    annual_update: int = Field(description="新发出的年度更新提醒 / annual-update reminders announced now")
    already_sent: int = Field(description="已提醒过、本次未重复发出的 / due but already announced (not again)")
    basis: ReminderBasis = Field(description="依据的参数 / the parameters applied")


class ReminderPublic(Public):
    """已发出的一条提醒（每家企业每个周期一条） / A reminder announced (one per enterprise and cycle)."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [REMINDER_EXAMPLE]})
    id: int = Field(description="编号 / id")
    uscc: str = Field(description="统一社会信用代码 / unified social credit code")
    kind: str = Field(description=KIND_D)
    cycle: str = Field(description="提醒周期键，如 title_lapse:3051、annual_update:2027 / the cycle's key")
    due_on: dt.date = Field(description="称号有效期最后一天或年度更新截止日 / the last valid day, or the deadline")
    tier: str | None = Field(description="称号层级 / the title's tier")
    certification_id: int | None = Field(description="即将到期的认定编号（年度更新为空） / the lapsing "
                                                     "certification (null for an annual update)")
    sent_on: dt.date = Field(description="发出提醒的日期 / the day it was announced")
    event_id: str = Field(description="发布的 reminder.due.v1 事件编号 / the reminder.due.v1 event published")
    created_at: UtcTime = Field(description="记录时间（UTC） / recorded at (UTC)")


class ReminderPage(Page[ReminderPublic]):
    """已发出的提醒，一页 / A page of the reminders announced."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [REMINDER_EXAMPLE], "next_cursor": None}]})
