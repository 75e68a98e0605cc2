"""Service package (服务包) bodies and answers: requests, visits, hotline questions, policy sessions."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, computed_field, model_validator

from services.registry.service_package import rules
from shared.schemas import USCC, Body, Cited, Day, FactDay, LongText, Public, Text

RequestCategory = Literal["qualification", "subsidy", "talent", "finance", "land_space", "other"]
Department = Literal["econ", "treasury", "talent", "finance", "park"]
RequestState = Literal["open", "accepted", "resolved", "rejected"]
Phone = Annotated[str, Field(min_length=5, max_length=20, pattern=r"^\+?[0-9][0-9 -]{3,18}[0-9]$",
                             description="digits, optionally with +, spaces or hyphens")]

D_USCC = "统一社会信用代码 / unified social credit code"
D_CATEGORY = ("类别：资质、补贴、人才、融资、用地空间、其他 / category: qualification, subsidy, talent, finance, "
              "land_space, other")
D_DEPARTMENT = "承办部门（角色） / the department (role) that owns it"
D_ID = "编号 / id"


def _examples(*examples: dict) -> dict:
    return {"examples": list(examples)}


# -- requests (诉求) ----------------------------------------------------------------------------
class ServiceRequestIn(Body):
    model_config = ConfigDict(json_schema_extra=_examples(
        {"uscc": "91110111MA01ABCD1Q", "category": "subsidy", "summary": "研发费用补贴何时拨付？",
         "opened_on": "2025-03-01"}))

    uscc: USCC = Field(description=D_USCC)
    category: RequestCategory = Field(description=D_CATEGORY)
    summary: Annotated[LongText, Field(max_length=2000)] = Field(description="诉求内容 / what the enterprise asks")
    opened_on: FactDay | None = Field(None, description="提出日期，默认今天 / the day the enterprise made it; default today")


class RequestMoveIn(Body):
    model_config = ConfigDict(json_schema_extra=_examples({"state": "resolved", "note": "已告知拨付时间"}))

    state: Literal["accepted", "resolved", "rejected"] = Field(
        description="新状态：受理、办结、退回 / the new state: accepted, resolved, rejected")
    note: Annotated[LongText, Field(max_length=2000)] | None = Field(
        None, description="办理说明，办结或退回时必填 / the note; required to resolve or reject")

    @model_validator(mode="after")
    def _note(self):
        if self.state in ("resolved", "rejected") and not self.note:
            raise ValueError("办结或退回需要填写办理说明 / resolving or rejecting needs a note")
        return self


class RequestBasis(Public):
    routing: Cited = Field(description="按类别分派部门的参数 / the routing parameter by category")
    deadline_days: Cited = Field(description="办理时限（天）参数 / the deadline parameter, in days")


REQUEST_EXAMPLE = {"id": 12, "uscc": "91110111MA01ABCD1Q", "category": "subsidy", "summary": "研发费用补贴何时拨付？",
                   "department": "treasury", "state": "open", "opened_on": "2025-03-01", "due_on": "2025-03-16", "accepted_on": None,
                   "closed_on": None, "resolution": None, "overdue": False,
                   "moves": {"accepted": ["econ", "treasury"], "resolved": ["econ", "treasury"],
                             "rejected": ["econ", "treasury"]}}


class ServiceRequestPublic(Public):
    model_config = ConfigDict(from_attributes=True, json_schema_extra=_examples(REQUEST_EXAMPLE))

    id: int = Field(description=D_ID)
    uscc: str = Field(description=D_USCC)
    category: str = Field(description=D_CATEGORY)
    summary: str = Field(description="诉求内容 / what the enterprise asks")
    department: str = Field(description=D_DEPARTMENT)
    state: str = Field(description="状态：open、accepted、resolved、rejected / the state")
    opened_on: dt.date = Field(description="提出日期 / the day the enterprise made it (opened)")
    due_on: dt.date = Field(description="办理期限 / the day it is due")
    accepted_on: dt.date | None = Field(None, description="受理日期，未受理为空 / the day its department accepted it, "
                                                          "or null")
    closed_on: dt.date | None = Field(description="办结或退回日期 / the day it was resolved or rejected")
    resolution: str | None = Field(description="办理说明 / the note it was closed with")
    overdue: bool = Field(False, description="是否逾期未办结 / still open after its due day")
    basis: RequestBasis | None = Field(None, description="依据的参数（仅新建时） / the parameters applied (when opened)")

    @computed_field(description="当前状态可转入的状态（accepted 受理、resolved 办结、rejected 退回）及可办理的角色（区经信局"
                                "与承办部门；园区仅限本园区企业）；办结或退回后没有，其他为 409 或 403 / the states it may move "
                                "to now (accepted, resolved, rejected), each with the roles that may move it (the lead "
                                "bureau and the owning department; a park only for its own enterprises); none once "
                                "resolved or rejected; any other move is a 409 or a 403")
    @property
    def moves(self) -> dict[str, list[str]]:
        return rules.moves(self.state, self.department)


# -- visits (走访) ------------------------------------------------------------------------------
class VisitIn(Body):
    model_config = ConfigDict(json_schema_extra=_examples(
        {"uscc": "91110111MA01ABCD1Q", "visited_on": "2025-04-10", "visitors": "区经信局 张科长、李干事",
         "findings": "企业计划扩产，需协调用地。"}))

    uscc: USCC = Field(description=D_USCC)
    visited_on: FactDay = Field(description="走访日期 / the day of the visit")
    visitors: Annotated[Text, Field(max_length=500)] = Field(description="走访人员 / who visited")
    findings: Annotated[LongText, Field(max_length=2000)] = Field(description="走访发现 / what was found")


class VisitPublic(Public):
    model_config = ConfigDict(from_attributes=True, json_schema_extra=_examples(
        {"id": 3, "uscc": "91110111MA01ABCD1Q", "visited_on": "2025-04-10", "visitors": "区经信局 张科长、李干事",
         "findings": "企业计划扩产，需协调用地。"}))

    id: int = Field(description=D_ID)
    uscc: str = Field(description=D_USCC)
    visited_on: dt.date = Field(description="走访日期 / the day of the visit")
    visitors: str = Field(description="走访人员 / who visited")
    findings: str = Field(description="走访发现 / what was found")


# -- hotline questions (热线咨询) ------------------------------------------------------------------
class HotlineQuestionIn(Body):
    """A hotline question (热线咨询). The caller's name and phone are optional personal data."""

    model_config = ConfigDict(json_schema_extra=_examples(
        {"uscc": "91110111MA01ABCD1Q", "caller_name": "王小明", "caller_phone": "138-1234-5678",
         "category": "subsidy", "question": "研发费用补贴何时申报？", "asked_on": "2025-03-01"}))

    uscc: USCC | None = Field(None, description="已登记企业的统一社会信用代码（可空） / a registered enterprise's USCC, optional")
    caller_name: Annotated[Text, Field(max_length=50)] | None = Field(None, description="来电人姓名 / the caller's name")
    caller_phone: Phone | None = Field(None, description="来电号码（个人信息） / the caller's phone (personal data)")
    category: RequestCategory = Field(description=D_CATEGORY)
    question: Annotated[LongText, Field(max_length=2000)] = Field(description="咨询内容 / the question")
    asked_on: FactDay | None = Field(None, description="来电日期，默认今天 / the day asked; default today")


class HotlineAnswerIn(Body):
    model_config = ConfigDict(json_schema_extra=_examples(
        {"answer": "2025 年申报将于 5 月开始，请关注区经信局通知。", "answered_by": "区财政局 刘工", "answered_on": "2025-03-03"}))

    answer: Annotated[str, Field(min_length=1, max_length=4000)] = Field(description="答复内容 / the answer")
    answered_by: Annotated[Text, Field(max_length=200)] | None = Field(
        None, description="答复人，默认调用者身份 / who answered; default the caller's identity")
    answered_on: FactDay | None = Field(None, description="答复日期，默认今天 / the day answered; default today")

    @model_validator(mode="after")
    def _blank(self):
        self.answer = self.answer.strip()
        if not self.answer:
            raise ValueError("答复内容不能为空 / answer is blank")
        return self


class HotlineBasis(Public):
    routing: Cited = Field(description="按类别分派部门的参数 / the routing parameter by category")


class HotlineQuestionPublic(Public):
    model_config = ConfigDict(from_attributes=True, json_schema_extra=_examples(
        {"id": 5, "uscc": "91110111MA01ABCD1Q", "category": "subsidy", "department": "treasury",
         "question": "研发费用补贴何时申报？", "asked_on": "2025-03-01", "caller_name": "王**",
         "caller_phone": "138****5678", "answered": False, "answer": None, "answered_by": None,
         "answered_on": None}))

    id: int = Field(description=D_ID)
    uscc: str | None = Field(description=D_USCC)
    category: str = Field(description=D_CATEGORY)
    department: str = Field(description=D_DEPARTMENT)
    question: str = Field(description="咨询内容 / the question")
    asked_on: dt.date = Field(description="来电日期 / the day asked")
    caller_name: str | None = Field(description="来电人姓名（仅区经信局读 GET 时不遮蔽） / the caller's name "
                                                "(unmasked only to the lead bureau's GET)")
    caller_phone: str | None = Field(description="来电号码（同上遮蔽） / the caller's phone (masked as above)")
    answered: bool = Field(False, description="是否已答复 / whether it is answered")
    answer: str | None = Field(description="答复内容 / the answer")
    answered_by: str | None = Field(description="答复人 / who answered")
    answered_on: dt.date | None = Field(description="答复日期 / the day answered")
    basis: HotlineBasis | None = Field(None, description="依据的参数（仅新建时） / the parameters applied (when asked)")


# -- policy sessions (政策宣讲会) -----------------------------------------------------------------
class PolicySessionIn(Body):
    """A policy briefing (政策宣讲会) in a township."""

    model_config = ConfigDict(json_schema_extra=_examples(
        {"title": "2025 年专精特新政策宣讲会", "township": "窦店镇", "held_on": "2025-05-20",
         "topic": "梯度培育政策与申报要点", "venue": "窦店镇政府三楼会议室"}))

    title: Text = Field(description="名称 / the title")
    township: Annotated[Text, Field(max_length=50)] = Field(description="乡镇（街道） / the township")
    held_on: Day = Field(description="举办日期 / the day it is held")
    topic: Annotated[LongText, Field(max_length=2000)] = Field(description="主题或议程 / the topic or programme")
    venue: Annotated[Text, Field(max_length=200)] | None = Field(None, description="地点 / the venue")


class AttendanceIn(Body):
    """企业到会人数 / How many came from the enterprise (a count only: no names, no personal data)."""

    model_config = ConfigDict(json_schema_extra=_examples({"attendees": 2}))

    attendees: Annotated[int, Field(ge=1, le=10000)] = Field(1, description="参会人数 / how many came")


class AttendancePublic(Public):
    model_config = ConfigDict(from_attributes=True, json_schema_extra=_examples(
        {"session_id": 7, "uscc": "91110111MA01ABCD1Q", "attendees": 2}))

    session_id: int = Field(description="宣讲会编号 / the session's id")
    uscc: str = Field(description=D_USCC)
    attendees: int = Field(description="参会人数 / how many came")
    name: str | None = Field(None, description="企业名称（仅详情中） / the enterprise's name (in a session's detail)")


SESSION_EXAMPLE = {"id": 7, "title": "2025 年专精特新政策宣讲会", "township": "窦店镇", "held_on": "2025-05-20",
                   "topic": "梯度培育政策与申报要点", "venue": "窦店镇政府三楼会议室", "enterprises": 12, "attendees": 19}


class PolicySessionPublic(Public):
    model_config = ConfigDict(from_attributes=True, json_schema_extra=_examples(SESSION_EXAMPLE))

    id: int = Field(description=D_ID)
    title: str = Field(description="名称 / the title")
    township: str = Field(description="乡镇（街道） / the township")
    held_on: dt.date = Field(description="举办日期 / the day it is held")
    topic: str = Field(description="主题或议程 / the topic or programme")
    venue: str | None = Field(description="地点 / the venue")
    enterprises: int = Field(0, description="参会企业数 / enterprises attending")
    attendees: int = Field(0, description="参会人数 / attendees")


class PolicySessionDetail(PolicySessionPublic):
    model_config = ConfigDict(from_attributes=True, json_schema_extra=_examples(
        SESSION_EXAMPLE | {"enterprises": 1, "attendees": 2, "attendance": [
            {"session_id": 7, "uscc": "91110111MA01ABCD1Q", "attendees": 2, "name": "北京精工科技有限公司"}]}))

    attendance: list[AttendancePublic] = Field(description="各企业参会情况 / attendance by enterprise")


class TownshipRow(Public):
    township: str = Field(description="乡镇（街道） / the township")
    sessions: int = Field(description="场次 / sessions held")
    enterprises: int = Field(description="参会企业数（去重） / distinct enterprises attending")
    attendees: int = Field(description="参会人数 / attendees")


class SessionTotals(Public):
    sessions: int = Field(description="场次 / sessions held")
    enterprises: int = Field(description="参会企业数（全区去重） / distinct enterprises attending, district-wide")
    attendees: int = Field(description="参会人数 / attendees")


class SessionSummary(Public):
    model_config = ConfigDict(json_schema_extra=_examples(
        {"year": 2025, "townships": [{"township": "窦店镇", "sessions": 2, "enterprises": 2, "attendees": 7}],
         "totals": {"sessions": 2, "enterprises": 2, "attendees": 7}}))

    year: int = Field(description="年份 / the year")
    townships: list[TownshipRow] = Field(description="各乡镇（街道） / per township")
    totals: SessionTotals = Field(description="合计 / the totals")
