"""Service package (服务包) routes: thin; the use cases are in service.py."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from services.registry.auth import (HotlineReader, LocalReader, LocalWriter, OwnReader, RequestMover, RequestOpener,
                                    SessionReader, Writer)
from services.registry.service_package import service
from services.registry.service_package.schemas import (
    AttendanceIn,
    AttendancePublic,
    Department,
    HotlineAnswerIn,
    HotlineQuestionIn,
    HotlineQuestionPublic,
    PolicySessionDetail,
    PolicySessionIn,
    PolicySessionPublic,
    RequestCategory,
    RequestMoveIn,
    RequestState,
    ServiceRequestIn,
    ServiceRequestPublic,
    SessionSummary,
    VisitIn,
    VisitPublic,
)
from shared.filters import UsccFilter
from shared import pagination
from shared.clock import today
from shared.errors import Problem
from shared.schemas import USCC, Page, RowId
from shared.sessions import DatabaseDep, ReadSession, WriteSession

router = APIRouter(tags=["service package 服务包"])


FromQuery = Annotated[dt.date | None, Query(alias="from", description="起始日期（含） / the first day, inclusive")]
ToQuery = Annotated[dt.date | None, Query(description="截止日期（含） / the last day, inclusive")]
RequestId = Annotated[RowId, Path(description="诉求编号 / the request's id")]
QuestionId = Annotated[RowId, Path(description="咨询编号 / the question's id")]
SessionId = Annotated[RowId, Path(description="宣讲会编号 / the session's id")]
UsccKey = Annotated[USCC, Path(description="统一社会信用代码 / the enterprise's USCC")]
EXCLUDE_UNSET = {"response_model_exclude_unset": True}


# -- requests (诉求) ----------------------------------------------------------------------------
@router.post("/service-requests", status_code=201, **EXCLUDE_UNSET,
             summary="登记企业诉求并分派承办部门 / Open an enterprise's request (诉求), routed to its department")
def open_request(body: ServiceRequestIn, who: RequestOpener, session: WriteSession) -> ServiceRequestPublic:
    """按类别分派给承办部门（分派与办理时限均为按日期生效的参数，答复中列出依据）；企业用户只能为本企业登记。
    The request is routed by its category to the owning department; routing and the deadline are dated
    parameters, cited in `basis`. An enterprise opens requests for itself only."""
    if who.role == "enterprise" and body.uscc != who.org:
        raise Problem(403, "not-your-enterprise", "企业用户只能为本企业登记诉求",
                      "An enterprise opens requests for itself only",
                      errors=[{"loc": ["body", "uscc"], "msg": "not the signed-in enterprise", "type": "forbidden"}])
    return service.open_request(session, who.actor, body, today())


@router.post("/service-requests/{request_id}/transition", **EXCLUDE_UNSET,
             summary="受理、办结或退回诉求 / Accept, resolve or reject a request")
def move_request(request_id: RequestId, body: RequestMoveIn, who: RequestMover,
                 session: WriteSession) -> ServiceRequestPublic:
    """承办部门（园区：仅本园区企业的诉求）或区经信局办理；办结、退回须填说明。
    The owning department (a park: its own enterprises' requests only) or the lead bureau moves it;
    resolving or rejecting needs a note."""
    return service.move_request(session, who, request_id, body, today())


@router.get("/service-requests", **EXCLUDE_UNSET,
            summary="按状态、部门、企业查询诉求；overdue=true 为逾期清单 / Requests by state, department, "
                    "enterprise; `overdue=true` for the overdue list")
def list_requests(who: OwnReader, session: ReadSession, limit: pagination.Limit = 100, cursor: pagination.Cursor = None,
                  state: Annotated[RequestState | None, Query(description="状态 / the state")] = None,
                  department: Annotated[Department | None, Query(description="承办部门 / the owning department")] = None,
                  uscc: UsccFilter = None,
                  overdue: Annotated[bool, Query(description="仅逾期未办结的 / only those overdue")] = False,
                  on: Annotated[dt.date | None, Query(description="逾期的判断日期，默认今天 / overdue as of this "
                                                                  "date; default today")] = None
                  ) -> Page[ServiceRequestPublic]:
    """按编号排序的游标分页；园区只看到本园区企业的诉求。
    Keyset pages by id; a park sees its own enterprises' requests only."""
    items = service.list_requests(session, who, limit, cursor, on or today(), overdue, state=state,
                                  department=department, uscc=uscc)
    return pagination.page(items, limit, key=lambda r: str(r.id))


# -- visits (走访) ------------------------------------------------------------------------------
@router.post("/visits", status_code=201, summary="记录一次走访及发现 / Record a visit (走访) and its findings",
             responses={404: {"description": "企业未登记 / the enterprise is not registered"}})
def record_visit(body: VisitIn, who: LocalWriter, session: WriteSession) -> VisitPublic:
    """企业须已登记（404）。The enterprise must be registered (404)."""
    return service.record_visit(session, who, body)


@router.get("/visits", summary="走访记录，新的在前，可按企业与期间 / Visits, newest first, by enterprise and period")
def list_visits(who: LocalReader, session: ReadSession, limit: pagination.Limit = 100, cursor: pagination.Cursor = None,
                uscc: UsccFilter = None, from_: FromQuery = None, to: ToQuery = None) -> Page[VisitPublic]:
    """园区只看到本园区企业的走访。A park sees its own enterprises' visits only."""
    items = service.list_visits(session, who, limit, cursor, uscc=uscc, start=from_, end=to)
    return pagination.page(items, limit, key=lambda v: str(v.id))


# -- hotline questions (热线咨询) ------------------------------------------------------------------
@router.post("/hotline-questions", status_code=201, **EXCLUDE_UNSET,
             summary="登记热线咨询并分派承办部门 / Record a hotline question (热线咨询), routed to its department")
def ask_hotline(body: HotlineQuestionIn, who: Writer, session: WriteSession) -> HotlineQuestionPublic:
    """`uscc`（已登记企业）、来电人姓名与号码均可空；号码属个人信息，仅区经信局可读原文，不写入日志或事件。
    `uscc` (a registered enterprise), `caller_name` and `caller_phone` are optional; the phone is
    personal data: only the lead bureau reads it unmasked, and it goes into no log or event."""
    return service.record_question(session, who.actor, body, today())


@router.post("/hotline-questions/{question_id}/answer", **EXCLUDE_UNSET,
             summary="答复热线咨询（仅一次） / Answer a hotline question (once)")
def answer_hotline(question_id: QuestionId, body: HotlineAnswerIn, who: RequestMover,
                   session: WriteSession) -> HotlineQuestionPublic:
    """承办部门或区经信局答复；已答复为 409。The owning department or the lead bureau answers; 409 when answered."""
    return service.answer_question(session, who, question_id, body, today())


@router.get("/hotline-questions/{question_id}", **EXCLUDE_UNSET,
            summary="一条热线咨询及其答复 / One hotline question and its answer")
def get_hotline(question_id: QuestionId, who: HotlineReader,
                session: ReadSession) -> HotlineQuestionPublic:
    """区经信局看到来电人姓名与号码原文，其他读者看到遮蔽后的。
    The lead bureau reads the caller's name and phone; every other reader sees them masked."""
    return service.get_question(session, who, question_id)


@router.get("/hotline-questions", **EXCLUDE_UNSET,
            summary="热线咨询，新的在前，可按类别、部门、是否答复、企业 / Hotline questions, newest first, by "
                    "category, department, answered, enterprise")
def list_hotline(who: HotlineReader, session: ReadSession, limit: pagination.Limit = 100,
                 cursor: pagination.Cursor = None,
                 category: Annotated[RequestCategory | None, Query(description="类别 / the category")] = None,
                 department: Annotated[Department | None, Query(description="承办部门 / the owning department")] = None,
                 answered: Annotated[bool | None, Query(description="是否已答复 / answered or not")] = None,
                 uscc: UsccFilter = None) -> Page[HotlineQuestionPublic]:
    """园区只看到本园区企业的咨询（不含匿名咨询）。A park sees its own enterprises' questions only (no anonymous ones)."""
    items = service.list_questions(session, who, limit, cursor, category=category, department=department,
                                   answered=answered, uscc=uscc)
    return pagination.page(items, limit, key=lambda q: str(q.id))


# -- policy sessions (政策宣讲会) -----------------------------------------------------------------
@router.post("/policy-sessions", status_code=201,
             summary="登记乡镇政策宣讲会 / Record a policy session (政策宣讲会) in a township")
def create_session(body: PolicySessionIn, who: LocalWriter, session: WriteSession) -> PolicySessionPublic:
    """新宣讲会的参会企业数与人数为 0；乡镇（街道）只登记本乡镇的。
    A new session has no attendance yet; a township records its own township's only."""
    if who.role == "township" and body.township != who.org:
        raise Problem(403, "not-your-township", f"只能登记本乡镇（{who.org}）的宣讲会",
                      f"A township records its own sessions only ({who.org})",
                      errors=[{"loc": ["body", "township"], "msg": "not the signed-in township", "type": "forbidden"}])
    return service.create_session(session, who.actor, body)


@router.put("/policy-sessions/{session_id}/attendance/{uscc}", **EXCLUDE_UNSET,
            responses={201: {"model": AttendancePublic, "description": "新记录 / a new record"}},
            summary="登记企业参加宣讲会的人数 / Record an enterprise's attendance at a session")
def put_attendance(session_id: SessionId, uscc: UsccKey, body: AttendanceIn, who: LocalWriter,
                   db: DatabaseDep, response: Response) -> AttendancePublic:
    """每个（宣讲会，企业）一条：新建为 201，替换人数为 200（重复提交无副作用）；企业须已登记（404）。
    One record per (session, enterprise): 201 when new, 200 when it replaces the count (a repeat is
    idempotent). The enterprise must be registered (404)."""
    row, created = db.retrying(lambda s: service.put_attendance(s, who, session_id, uscc, body))
    response.status_code = 201 if created else 200
    return row


@router.get("/policy-sessions/summary",
            summary="某年各乡镇宣讲场次与参会企业（去重） / Per township for a year: sessions, distinct enterprises attending")
def session_summary(who: SessionReader, session: ReadSession,
                    year: Annotated[int, Query(ge=2000, le=2100, description="年份 / the year")],
                    township: Annotated[str | None, Query(max_length=50, description="乡镇（街道） / the township")] = None
                    ) -> SessionSummary:
    """合计中同一企业在多个乡镇参会只计一次；乡镇（街道）只看本乡镇。In the totals an enterprise attending in two
    townships counts once; a township sees its own."""
    return service.session_summary(session, year, who.org if who.role == "township" else township)


@router.get("/policy-sessions/{session_id}", **EXCLUDE_UNSET,
            summary="一场宣讲会及其参会情况 / One session with its attendance")
def get_session(session_id: SessionId, who: SessionReader,
                session: ReadSession) -> PolicySessionDetail:
    """各参会企业及其名称、人数。Every attending enterprise with its name and count."""
    return service.session_detail(session, who, session_id)


@router.get("/policy-sessions", summary="宣讲会，新的在前，可按乡镇与期间 / Sessions by township and period, newest first")
def list_sessions(who: SessionReader, session: ReadSession, limit: pagination.Limit = 100,
                  cursor: pagination.Cursor = None,
                  township: Annotated[str | None, Query(max_length=50, description="乡镇（街道） / the township")] = None,
                  from_: FromQuery = None, to: ToQuery = None) -> Page[PolicySessionPublic]:
    """按举办日期倒序的游标分页，含参会企业数与人数。Keyset pages by day, newest first, with attendance counts."""
    if from_ and to and to < from_:
        raise Problem(422, "bad-period", "截止日期早于起始日期", "`to` is before `from`",
                      errors=[{"loc": ["query", "to"], "msg": "before from", "type": "value"}])
    after = pagination.decode_pair(cursor, dt.date.fromisoformat, int)
    if who.role == "township":  # its own township's sessions only
        township = who.org
    items = service.sessions_page(session, limit, after, township=township, start=from_, end=to)
    return pagination.page(items, limit, key=lambda p: f"{p.held_on.isoformat()}|{p.id}")
