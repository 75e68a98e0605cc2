"""Municipal and national programmes, their windows, reminders and the applications the bureau
helps with: request bodies and answers."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field, computed_field, model_validator

from services.outreach import rules
from services.outreach.contracts.schemas import SUPPLIER
from services.outreach.notices.schemas import WINDOW_ORDER, Queued, Url
from shared.schemas import USCC, Body, Cited, Day, LongText, Public, Text, UtcTime, Yuan

Stage = Literal["preparing", "submitted", "approved", "granted", "rejected", "withdrawn"]
Level = Literal["municipal", "national"]
STAGE = "阶段：preparing 准备中、submitted 已提交、approved 已批准、granted 已拨付、rejected 未通过、withdrawn 已撤回 / " \
        "the stage: preparing, submitted, approved, granted, rejected or withdrawn"
REQUESTED = "申请金额（整数元，不超过项目上限）/ the amount requested in whole 元 (within the programme's maximum)"
GRANTED = "获批金额（整数元，仅在 granted 阶段，不超过项目上限）/ the amount granted in whole 元 (at stage granted " \
          "only, within the programme's maximum)"
NOTE = "备注 / a note"


class ProgrammeIn(Body):
    """一个市级或国家级项目及其申报窗口 / A municipal or national programme with its window."""

    name: Text = Field(description="项目名称 / the programme's name")
    level: Level = Field(description="municipal 市级、national 国家级 / municipal or national")
    authority: Text = Field(description="主管部门 / the authority running it")
    window_opens: Day = Field(description="申报开始日 / the first day of the window")
    window_closes: Day = Field(description="申报截止日 / the last day of the window")
    max_amount_yuan: Yuan | None = Field(None, description="支持上限（整数元，可空）/ the maximum amount in whole 元, "
                                                           "if any")
    url: Url | None = Field(None, description="项目链接 / a link to the programme")
    description: LongText | None = Field(None, description="说明 / a description")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"name": "新智造100", "level": "municipal", "authority": "北京市经济和信息化局", "window_opens": "2026-05-01",
         "window_closes": "2026-05-20", "max_amount_yuan": 5000000, "url": "https://jxj.beijing.gov.cn/xzz100",
         "description": "智能制造标杆企业与示范工厂"}]})

    @model_validator(mode="after")
    def _window(self):
        if self.window_closes < self.window_opens:
            raise ValueError(WINDOW_ORDER)
        return self


class ApplicationIn(Body):
    """区经信局协助企业的一份项目申报 / An application the bureau helps an enterprise with."""

    uscc: USCC = Field(description="申报企业统一社会信用代码 / the applying enterprise's unified social credit code")
    requested_yuan: Yuan | None = Field(None, description=REQUESTED)
    note: LongText | None = Field(None, description=NOTE)
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"uscc": SUPPLIER, "requested_yuan": 3000000, "note": "材料由企业准备，区经信局初审"}]})


class ApplicationUpdate(Body):
    """申报阶段的推进与金额 / An application's next stage and amounts."""

    stage: Stage | None = Field(None, description=STAGE)
    requested_yuan: Yuan | None = Field(None, description=REQUESTED)
    granted_yuan: Yuan | None = Field(None, description=GRANTED)
    note: LongText | None = Field(None, description=NOTE)
    model_config = ConfigDict(json_schema_extra={"examples": [{"stage": "granted", "granted_yuan": 2500000}]})


PROGRAMME = {"id": 4, "name": "新智造100", "level": "municipal", "authority": "北京市经济和信息化局",
             "window_opens": "2026-05-01", "window_closes": "2026-05-20", "max_amount_yuan": 5000000,
             "url": "https://jxj.beijing.gov.cn/xzz100", "description": "智能制造标杆企业与示范工厂",
             "created_at": "2026-04-01T02:00:00Z"}
APPLICATION = {"id": 17, "programme_id": 4, "uscc": SUPPLIER, "stage": "preparing", "requested_yuan": 3000000,
               "granted_yuan": None, "note": "材料由企业准备", "created_at": "2026-04-10T02:00:00Z",
               "updated_at": "2026-04-10T02:00:00Z", "next_stages": ["submitted", "withdrawn"]}
PARAM = {"id": 23, "key": "outreach.programme.reminder_days", "value": 14, "effective_from": "2022-01-01",
         "legal_ref": "区经信局申报服务工作规范"}


class ProgrammePublic(Public):
    """一个市级或国家级项目 / A municipal or national programme."""

    id: int = Field(description="项目编号 / the programme's id")
    name: str = Field(description="项目名称 / the programme's name")
    level: str = Field(description="municipal 市级、national 国家级 / municipal or national")
    authority: str = Field(description="主管部门 / the authority running it")
    window_opens: dt.date = Field(description="申报开始日 / the first day of the window")
    window_closes: dt.date = Field(description="申报截止日 / the last day of the window")
    max_amount_yuan: int | None = Field(description="支持上限（整数元）/ the maximum amount in whole 元")
    url: str | None = Field(description="项目链接 / a link to the programme")
    description: str | None = Field(description="说明 / a description")
    created_at: UtcTime = Field(description="登记时间（UTC）/ when it was added (UTC)")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [PROGRAMME]})


class ApplicationPublic(Public):
    """一份项目申报 / An application to a programme."""

    id: int = Field(description="申报编号 / the application's id")
    programme_id: int = Field(description="项目编号 / the programme")
    uscc: str = Field(description="申报企业统一社会信用代码 / the applying enterprise's USCC")
    stage: Stage = Field(description=STAGE)
    requested_yuan: int | None = Field(description="申请金额（整数元）/ the amount requested in whole 元")
    granted_yuan: int | None = Field(description="获批金额（整数元）/ the amount granted in whole 元")
    note: str | None = Field(description=NOTE)
    created_at: UtcTime = Field(description="创建时间（UTC）/ when it was created (UTC)")
    updated_at: UtcTime = Field(description="更新时间（UTC）/ when it last changed (UTC)")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [APPLICATION]})

    @computed_field(description="可进入的下一阶段（按阶段顺序；其他变更为 409）/ the stages it may move to next, in "
                                "the stages' order (any other change is a 409): what a form should offer")
    @property
    def next_stages(self) -> list[Stage]:
        return rules.next_stages(self.stage)


class ProgrammeDetail(ProgrammePublic):
    """项目及其申报 / A programme with its applications."""

    applications: list[ApplicationPublic] = Field(description="该项目的申报 / its applications, by id")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {**PROGRAMME, "applications": [APPLICATION]}]})


class ClosingWindow(ProgrammePublic):
    """即将截止的申报窗口及仍在准备中的申报 / A window closing soon with the applications still preparing."""

    days_left: int = Field(description="距截止的天数 / days until it closes")
    preparing: list[ApplicationPublic] = Field(description="仍在准备中的申报 / applications still preparing")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {**PROGRAMME, "days_left": 10, "preparing": [APPLICATION]}]})


class Closing(Public):
    """即将截止的申报窗口 / Windows open on a day and closing within outreach.programme.reminder_days."""

    on: dt.date = Field(description="所问日期 / the day asked")
    within_days: int = Field(description="提醒天数（outreach.programme.reminder_days）/ the reminder horizon in days")
    param: Cited = Field(description="所依据的参数 / the parameter used")
    items: list[ClosingWindow] = Field(description="即将截止的窗口 / the windows closing soon")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"on": "2026-05-10", "within_days": 14, "param": PARAM,
         "items": [{**PROGRAMME, "days_left": 10, "preparing": [APPLICATION]}]}]})


class _OfProgramme(Public):
    programme_id: int = Field(description="项目编号 / the programme")


class Reminder(Queued, _OfProgramme):  # the programme first, then what was queued
    """一个窗口的截止提醒通知及其排队结果 / One window's reminder notice and what sending it queued."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"programme_id": 4, "notice_id": 21, "enterprises": 3, "queued": 6, "already_queued": 0}]})


class Reminders(Public):
    """截止提醒的结果 / The reminders written and queued."""

    on: dt.date = Field(description="所问日期 / the day asked")
    reminders: list[Reminder] = Field(description="各窗口的提醒 / a reminder per window")
    param: Cited = Field(description="所依据的参数（提醒渠道）/ the parameter used (the reminder channels)")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"on": "2026-05-10", "param": {**PARAM, "key": "outreach.programme.reminder_channels",
                                       "value": ["inbox", "email"]},
         "reminders": [{"programme_id": 4, "notice_id": 21, "enterprises": 3, "queued": 6, "already_queued": 0}]}]})
