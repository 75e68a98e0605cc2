"""Registry routes: thin; the use cases are in service.py."""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import and_, or_, select

import orjson

from services.registry import jobs, municipal, service
from services.registry.models import (ChangeReport, Certification, Enterprise, HotlineQuestion, ImportJob, Indicator,
                                      PolicySession, ServiceRequest, Visit)
from services.registry.schemas import (USCC, AnnualUpdateIn, AttendanceIn, CertTier, CertificationIn, ChangeReportIn,
                                       EnterpriseIn, HotlineAnswerIn, HotlineQuestionIn, IndicatorsIn,
                                       PolicySessionIn, RecommendationIn, RequestCategory, RequestMoveIn, RevokeIn,
                                       ServiceRequestIn, VisitIn)
from shared import pagination
from shared.auth import Caller, Principal
from shared.clock import today
from shared.errors import Problem, not_found
from shared.schemas import RowId

router = APIRouter(tags=["registry"])

Writer = Caller("econ")
CertWriter = Caller("econ", "platform")
Reader = Caller("econ", "treasury", "talent", "finance", "auditor", "platform", "park")
StatsReader = Caller("econ", "treasury", "talent", "finance", "auditor", "platform")


def scoped(stmt, who: Principal):
    """The one place object scoping lives: a park operator sees only its park's enterprises."""
    return stmt.where(Enterprise.park_id == who.org) if who.role == "park" else stmt


@router.post("/enterprises", status_code=201, summary="Register an enterprise")
def create_enterprise(body: EnterpriseIn, request: Request, who: Writer):
    def register(s):
        return service.enterprise_dict(service.create_enterprise(s, who.actor, body), [], today())
    # A racing registration of the same USCC loses at the primary key (PostgreSQL): run again, it is a 409.
    return request.app.state.db.retrying(register)


READ_DOC = "SELECT doc, park_id FROM enterprise WHERE uscc = :uscc"


@router.get("/enterprises/{uscc}", summary="One enterprise with its current tier and certifications",
            response_class=Response, responses={200: {"content": {"application/json": {}}}})
async def get_enterprise(uscc: str, request: Request, who: Reader,
                         on: Annotated[dt.date | None, Query(description="tier on this date; default today")] = None):
    # The hot read path (bench/read_path.py): one primary-key lookup of the stored document.
    row = await request.app.state.db.fetch_one(READ_DOC, {"uscc": uscc})
    if row is None or (who.role == "park" and row[1] != who.org):  # the same scope as scoped()
        raise not_found("企业", "Enterprise", uscc)
    return Response(service.render_doc(row[0], on or today()), media_type="application/json")


@router.get("/enterprises", summary="List and search enterprises (cursor pagination)")
def list_enterprises(request: Request, who: Reader, limit: pagination.Limit = 100,
                     cursor: pagination.Cursor = None,
                     tier: Annotated[CertTier | None, Query()] = None,
                     township: Annotated[str | None, Query(max_length=50)] = None,
                     park_id: Annotated[str | None, Query(max_length=64)] = None,
                     q: Annotated[str | None, Query(max_length=100)] = None):
    after = pagination.decode(cursor)
    on = today()
    stmt = scoped(select(Enterprise), who).order_by(Enterprise.uscc)
    if after:
        stmt = stmt.where(Enterprise.uscc > after)
    if township:
        stmt = stmt.where(Enterprise.township == township)
    if park_id:
        stmt = stmt.where(Enterprise.park_id == park_id)
    if q:
        stmt = stmt.where(or_(Enterprise.name.contains(q), Enterprise.uscc.startswith(q.upper())))
    with request.app.state.db.reader() as s:
        items = service.find_enterprises(s, stmt, tier, limit, on)
    return pagination.page(items, limit, key=lambda d: d["uscc"])


@router.post("/enterprises/{uscc}/certifications", status_code=201, summary="Record a certification")
def add_certification(uscc: str, body: CertificationIn, request: Request, who: CertWriter):
    db = request.app.state.db
    with db.transaction() as s:
        cert, created = service.add_certification(s, who.actor, uscc, body)
        doc = service.cert_dict(cert)
    if not created:
        raise Problem(409, "certification-exists", f"该企业已有同一层级、同一认定日期的认定（编号 {cert.id}）",
                      f"The enterprise already has this tier recognised on this date (id {cert.id})",
                      existing=doc)
    return doc


@router.get("/certifications/{cert_id}", summary="One certification")
def get_certification(cert_id: int, request: Request, who: Reader):
    with request.app.state.db.reader() as s:
        stmt = scoped(select(Certification).join(Enterprise).where(Certification.id == cert_id), who)
        cert = s.scalars(stmt).first()
        if cert is None:
            raise not_found("认定", "Certification", str(cert_id))
        return service.cert_dict(cert)


@router.post("/certifications/{cert_id}/revoke", summary="Revoke a certification (撤销)")
def revoke(cert_id: int, body: RevokeIn, request: Request, who: Writer):
    with request.app.state.db.transaction() as s:
        return service.cert_dict(service.revoke(s, who.actor, cert_id, body, today()))


@router.get("/stats/tiers", summary="Enterprises per current tier, and title holders, on a date")
def tier_stats(request: Request, who: StatsReader,
               on: Annotated[dt.date | None, Query(description="YYYY-MM-DD; default today")] = None):
    with request.app.state.db.reader() as s:
        return service.tier_stats(s, on or today())


Year = Annotated[int, Path(ge=2000, le=2100)]
ScreenTier = Literal["innovative", "municipal_srdi", "national_little_giant"]


@router.put("/enterprises/{uscc}/indicators/{year}", summary="Record an enterprise's indicators for a year")
def put_indicators(uscc: str, year: Year, body: IndicatorsIn, request: Request, who: Writer, response: Response):
    with request.app.state.db.transaction() as s:
        row, created = service.put_indicators(s, who.actor, uscc, year, body)
    response.status_code = 201 if created else 200
    return row


@router.get("/enterprises/{uscc}/indicators", summary="An enterprise's indicators, every year")
def list_indicators(uscc: str, request: Request, who: Reader):
    with request.app.state.db.reader() as s:
        if s.scalars(scoped(select(Enterprise.uscc).where(Enterprise.uscc == uscc), who)).first() is None:
            raise not_found("企业", "Enterprise", uscc)
        rows = s.scalars(select(Indicator).where(Indicator.uscc == uscc).order_by(Indicator.year))
        return {"uscc": uscc, "items": [service.indicator_dict(r) for r in rows]}


@router.get("/screening", summary="The cultivation list: enterprises below a tier, 达标 / 准达标 / 不达标 for it")
def screening(request: Request, who: Reader, tier: Annotated[ScreenTier, Query()],
              on: Annotated[dt.date | None, Query(description="criteria and titles on this date; default today")] = None,
              year: Annotated[int | None, Query(ge=2000, le=2100, description="indicator year; default on's year − 1")] = None):
    """Enterprises whose next tier is `tier` (for `innovative`: every enterprise without a title),
    classified on their indicators: `met`, `near` (at most N criteria fail, each within a relative
    gap, both dated parameters) with the failing criteria and by how much, or `not_met`."""
    on = on or today()
    with request.app.state.db.reader() as s:
        return service.screening(s, tier, on, year or on.year - 1, who.org if who.role == "park" else None)


@router.post("/enterprises/{uscc}/annual-updates", status_code=201, summary="Record a title holder's annual data update")
def record_annual_update(uscc: str, body: AnnualUpdateIn, request: Request, who: CertWriter):
    """The update filed on the national platform by the deadline (年度数据更新). 409 with `existing`
    when that year is already recorded."""
    with request.app.state.db.transaction() as s:
        row, created = service.record_annual_update(s, who.actor, uscc, body)
    if not created:
        raise Problem(409, "annual-update-exists", f"{body.year} 年度更新已登记", f"The {body.year} update is already recorded",
                      existing=row)
    return row


@router.post("/enterprises/{uscc}/change-reports", status_code=201, summary="Record a major-change report (重大变更)")
def report_change(uscc: str, body: ChangeReportIn, request: Request, who: Writer):
    """`due_on` is the change date plus the reporting period (a dated parameter); `late` when reported after it."""
    with request.app.state.db.transaction() as s:
        return service.report_change(s, who.actor, uscc, body, today())


@router.get("/enterprises/{uscc}/change-reports", summary="An enterprise's major-change reports")
def list_changes(uscc: str, request: Request, who: Reader):
    with request.app.state.db.reader() as s:
        if s.scalars(scoped(select(Enterprise.uscc).where(Enterprise.uscc == uscc), who)).first() is None:
            raise not_found("企业", "Enterprise", uscc)
        rows = s.scalars(select(ChangeReport).where(ChangeReport.uscc == uscc).order_by(ChangeReport.changed_on))
        return {"uscc": uscc, "items": [service.change_dict(r) for r in rows]}


@router.get("/renewals/due", summary="Renewal (复核) due list: titles expiring within the notice window")
def renewals_due(request: Request, who: Reader,
                 on: Annotated[dt.date | None, Query(description="default today")] = None):
    with request.app.state.db.reader() as s:
        return service.renewals_due(s, on or today(), who.org if who.role == "park" else None)


@router.get("/targets/{year}", summary="The year's cultivation targets and progress against them")
def targets(year: Year, request: Request, who: StatsReader):
    with request.app.state.db.reader() as s:
        return service.target_progress(s, year, today())


RequestMover = Caller("econ", "treasury", "talent", "finance", "park")


@router.post("/service-requests", status_code=201, summary="Open an enterprise's request (诉求), routed to its department")
def open_request(body: ServiceRequestIn, request: Request, who: Writer):
    with request.app.state.db.transaction() as s:
        return service.open_request(s, who.actor, body, today())


@router.post("/service-requests/{request_id}/transition", summary="Accept, resolve or reject a request")
def move_request(request_id: int, body: RequestMoveIn, request: Request, who: RequestMover):
    with request.app.state.db.transaction() as s:
        return service.move_request(s, who, request_id, body, today())


@router.get("/service-requests", summary="Requests by state, department, enterprise; `overdue=true` for the overdue list")
def list_requests(request: Request, who: Reader, limit: pagination.Limit = 100, cursor: pagination.Cursor = None,
                  state: Annotated[Literal["open", "accepted", "resolved", "rejected"] | None, Query()] = None,
                  department: Annotated[Literal["econ", "treasury", "talent", "finance", "park"] | None, Query()] = None,
                  uscc: Annotated[str | None, Query(max_length=18)] = None,
                  overdue: Annotated[bool, Query()] = False,
                  on: Annotated[dt.date | None, Query(description="overdue as of this date; default today")] = None):
    on = on or today()
    after = pagination.decode_id(cursor)
    stmt = select(ServiceRequest).join(Enterprise, Enterprise.uscc == ServiceRequest.uscc).order_by(ServiceRequest.id)
    stmt = scoped(stmt, who)
    if after is not None:
        stmt = stmt.where(ServiceRequest.id > after)
    if state:
        stmt = stmt.where(ServiceRequest.state == state)
    if department:
        stmt = stmt.where(ServiceRequest.department == department)
    if uscc:
        stmt = stmt.where(ServiceRequest.uscc == uscc)
    if overdue:
        stmt = stmt.where(ServiceRequest.state.in_(("open", "accepted")), ServiceRequest.due_on < on)
    with request.app.state.db.reader() as s:
        items = [service.request_dict(r, on) for r in s.scalars(stmt.limit(limit + 1))]
    return pagination.page(items, limit, key=lambda d: str(d["id"]))


@router.post("/visits", status_code=201, summary="Record a visit (走访) and its findings")
def record_visit(body: VisitIn, request: Request, who: Writer):
    with request.app.state.db.transaction() as s:
        return service.record_visit(s, who.actor, body)


@router.get("/visits", summary="Visits, newest first, by enterprise and period")
def list_visits(request: Request, who: Reader, limit: pagination.Limit = 100, cursor: pagination.Cursor = None,
                uscc: Annotated[str | None, Query(max_length=18)] = None,
                from_: Annotated[dt.date | None, Query(alias="from")] = None,
                to: Annotated[dt.date | None, Query()] = None):
    after = pagination.decode_id(cursor)
    stmt = scoped(select(Visit).join(Enterprise, Enterprise.uscc == Visit.uscc), who).order_by(Visit.id.desc())
    if after is not None:
        stmt = stmt.where(Visit.id < after)
    if uscc:
        stmt = stmt.where(Visit.uscc == uscc)
    if from_:
        stmt = stmt.where(Visit.visited_on >= from_)
    if to:
        stmt = stmt.where(Visit.visited_on <= to)
    with request.app.state.db.reader() as s:
        items = [service.visit_dict(v) for v in s.scalars(stmt.limit(limit + 1))]
    return pagination.page(items, limit, key=lambda d: str(d["id"]))


# -- hotline questions (热线咨询) ----------------------------------------------------------------
HotlineReader = Caller("econ", "treasury", "talent", "finance", "auditor", "park")
Department = Literal["econ", "treasury", "talent", "finance", "park"]




@router.post("/hotline-questions", status_code=201, summary="Record a hotline question (热线咨询), routed to its department")
def ask_hotline(body: HotlineQuestionIn, request: Request, who: Writer):
    """`uscc` (a registered enterprise), `caller_name` and `caller_phone` are optional; the phone is
    personal data: only the lead bureau reads it unmasked, and it goes into no log or event."""
    with request.app.state.db.transaction() as s:
        return service.record_question(s, who.actor, body, today())


@router.post("/hotline-questions/{question_id}/answer", summary="Answer a hotline question (once)")
def answer_hotline(question_id: RowId, body: HotlineAnswerIn, request: Request, who: RequestMover):
    with request.app.state.db.transaction() as s:
        return service.answer_question(s, who, question_id, body, today())


@router.get("/hotline-questions/{question_id}", summary="One hotline question and its answer")
def get_hotline(question_id: RowId, request: Request, who: HotlineReader):
    with request.app.state.db.reader() as s:
        return service.question_dict(service.question_for(s, who, question_id), reveal=who.role == "econ")


@router.get("/hotline-questions", summary="Hotline questions, newest first, by category, department, answered, enterprise")
def list_hotline(request: Request, who: HotlineReader, limit: pagination.Limit = 100, cursor: pagination.Cursor = None,
                 category: Annotated[RequestCategory | None, Query()] = None,
                 department: Annotated[Department | None, Query()] = None,
                 answered: Annotated[bool | None, Query()] = None,
                 uscc: Annotated[str | None, Query(max_length=18)] = None):
    after = pagination.decode_id(cursor)
    stmt = service.questions_readable(who).order_by(HotlineQuestion.id.desc())
    if after is not None:
        stmt = stmt.where(HotlineQuestion.id < after)
    if category:
        stmt = stmt.where(HotlineQuestion.category == category)
    if department:
        stmt = stmt.where(HotlineQuestion.department == department)
    if answered is not None:
        stmt = stmt.where(HotlineQuestion.answered_on.is_not(None) if answered else HotlineQuestion.answered_on.is_(None))
    if uscc:
        stmt = stmt.where(HotlineQuestion.uscc == uscc.strip().upper())
    reveal = who.role == "econ"
    with request.app.state.db.reader() as s:
        items = [service.question_dict(r, reveal) for r in s.scalars(stmt.limit(limit + 1))]
    return pagination.page(items, limit, key=lambda d: str(d["id"]))


# -- policy sessions (政策宣讲会) -----------------------------------------------------------------
SessionReader = Caller("econ", "treasury", "talent", "finance", "auditor")


@router.post("/policy-sessions", status_code=201, summary="Record a policy session (政策宣讲会) in a township")
def create_session(body: PolicySessionIn, request: Request, who: Writer):
    with request.app.state.db.transaction() as s:
        return service.create_session(s, who.actor, body)


@router.put("/policy-sessions/{session_id}/attendance/{uscc}", summary="Record an enterprise's attendance at a session")
def put_attendance(session_id: RowId, uscc: USCC, body: AttendanceIn, request: Request, who: Writer,
                   response: Response):
    """One record per (session, enterprise): 201 when new, 200 when it replaces the count (a repeat
    is idempotent). The enterprise must be registered (404)."""
    row, created = request.app.state.db.retrying(
        lambda s: service.put_attendance(s, who.actor, session_id, uscc, body))
    response.status_code = 201 if created else 200
    return row


@router.get("/policy-sessions/summary", summary="Per township for a year: sessions, distinct enterprises attending")
def session_summary(request: Request, who: SessionReader, year: Annotated[int, Query(ge=2000, le=2100)],
                    township: Annotated[str | None, Query(max_length=50)] = None):
    with request.app.state.db.reader() as s:
        return service.session_summary(s, year, township)


@router.get("/policy-sessions/{session_id}", summary="One session with its attendance")
def get_session(session_id: RowId, request: Request, who: SessionReader):
    with request.app.state.db.reader() as s:
        return service.session_detail(s, session_id)


@router.get("/policy-sessions", summary="Sessions by township and period, newest first")
def list_sessions(request: Request, who: SessionReader, limit: pagination.Limit = 100, cursor: pagination.Cursor = None,
                  township: Annotated[str | None, Query(max_length=50)] = None,
                  from_: Annotated[dt.date | None, Query(alias="from")] = None,
                  to: Annotated[dt.date | None, Query()] = None):
    after = pagination.decode(cursor)
    if from_ and to and to < from_:
        raise Problem(422, "bad-period", "to 早于 from", "`to` is before `from`",
                      errors=[{"loc": ["query", "to"], "msg": "before from", "type": "value"}])
    stmt = select(PolicySession).order_by(PolicySession.held_on.desc(), PolicySession.id.desc())
    if after:
        day, _, sid = after.partition("|")
        try:
            at, last = dt.date.fromisoformat(day), int(sid)
        except ValueError as e:
            raise pagination.decode("%") from e  # the same bad-cursor problem
        stmt = stmt.where(or_(PolicySession.held_on < at, and_(PolicySession.held_on == at, PolicySession.id < last)))
    if township:
        stmt = stmt.where(PolicySession.township == township)
    if from_:
        stmt = stmt.where(PolicySession.held_on >= from_)
    if to:
        stmt = stmt.where(PolicySession.held_on <= to)
    with request.app.state.db.reader() as s:
        rows = list(s.scalars(stmt.limit(limit + 1)))
        counts = service.session_counts(s, [r.id for r in rows])
        items = [service.session_dict(r, enterprises=counts[r.id][0], attendees=counts[r.id][1]) for r in rows]
    return pagination.page(items, limit, key=lambda d: f"{d['held_on']}|{d['id']}")


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/stats/new", summary="Stock on a date and new titles per period (the reply's table), by group",
            responses={200: {"content": {"application/json": {}, XLSX_TYPE: {}}}})
def new_stats(request: Request, who: StatsReader,
              year: Annotated[int | None, Query(ge=2000, le=2100, description="the calendar year")] = None,
              from_: Annotated[dt.date | None, Query(alias="from", description="first day (with `to`)")] = None,
              to: Annotated[dt.date | None, Query(description="last day; with `year`, cuts the year short")] = None,
              by: Annotated[Literal["township", "park", "industry"] | None, Query()] = None,
              format: Annotated[Literal["json", "xlsx"], Query()] = "json"):  # noqa: A002
    """`year=2023&to=2023-09-30` reproduces the reply: 截至9月末 stock, and new since the end of 2022.
    Per title: `stock` (holders on `to`), `base` (holders the day before `from`), `net`, `new`
    (first recognised at that title within the period), `renewed` (复核 within it)."""
    if year is not None:
        if year > today().year:
            raise Problem(422, "bad-period", f"{year} 年尚未开始", f"The year {year} has not begun",
                          errors=[{"loc": ["query", "year"], "msg": "a future year", "type": "value"}])
        # A year still running ends today: stock is counted on a day that has happened.
        start, end = dt.date(year, 1, 1), to or min(dt.date(year, 12, 31), today())
        if from_ is not None or not (start <= end <= dt.date(year, 12, 31)):
            raise Problem(422, "bad-period", "year 与 from 不能同用；to 须在该年内",
                          "Give year (optionally with a `to` inside it) or from and to",
                          errors=[{"loc": ["query", "to"], "msg": "outside the year", "type": "value"}])
    elif from_ is not None and to is not None:
        start, end = from_, to
        if end < start:
            raise Problem(422, "bad-period", "to 早于 from", "`to` is before `from`",
                          errors=[{"loc": ["query", "to"], "msg": "before from", "type": "value"}])
    else:
        raise Problem(422, "bad-period", "需要 year，或 from 与 to", "Give year, or from and to",
                      errors=[{"loc": ["query", "year"], "msg": "missing", "type": "missing"}])
    with request.app.state.db.reader() as s:
        stats = service.new_stats(s, start, end, by)
    if format == "xlsx":
        name = f"srdi-new-{start.isoformat()}-{end.isoformat()}.xlsx"
        return Response(service.new_stats_xlsx(stats), media_type=XLSX_TYPE,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return stats


@router.get("/stats/monitoring", summary="The monthly monitoring snapshot (月度监测)")
def monitoring(request: Request, who: StatsReader,
               month: Annotated[str, Query(pattern=r"^(20\d\d|2100)-(0[1-9]|1[0-2])$", description="YYYY-MM")]):
    """Holders per title as of the month's end (today within the current month), new and renewed
    titles in the month, new in the year to date, renewals due, open and overdue requests."""
    year, mon = (int(x) for x in month.split("-"))
    if dt.date(year, mon, 1) > today():
        raise Problem(422, "future-month", f"{month} 尚未开始", f"{month} has not started",
                      errors=[{"loc": ["query", "month"], "msg": "in the future", "type": "value"}])
    with request.app.state.db.reader() as s:
        return service.monitoring(s, year, mon, today())


ImportReader = Caller("econ", "platform", "auditor")
MAX_IMPORT_BYTES = 50 * 1024 * 1024


async def _parse_upload(file: UploadFile) -> tuple[str, list]:
    content = await file.read()
    if len(content) > MAX_IMPORT_BYTES:
        raise Problem(413, "file-too-large", "文件超过 50 MB", "The file is larger than 50 MB")
    name = file.filename or ""
    return name, await asyncio.to_thread(lambda: list(service.read_list_file(name, content)))


async def _start_job(request: Request, who: Principal, file: UploadFile) -> Response:
    name, parsed = await _parse_upload(file)  # a bad file or header is a 422 now, not a failed job
    db = request.app.state.db
    job = await asyncio.to_thread(jobs.create_job, db, who.actor, name, len(parsed))
    jobs.start(request.app, job["id"], who.actor, parsed)
    location = f"/api/v1/import-jobs/{job['id']}"
    return Response(orjson.dumps(job), status_code=202, media_type="application/json",
                    headers={"Location": location})


@router.post("/imports/recognition-lists", summary="Import a municipal recognition list (CSV or XLSX)",
             responses={202: {"description": "with ?async=true: the import job (poll its Location)"}})
async def import_recognition_list(request: Request, who: CertWriter, file: UploadFile,
                                  run_async: Annotated[bool, Query(alias="async")] = False):
    """Rows of other districts are skipped, bad rows rejected with their row number and reasons,
    known rows left unchanged: importing the same list twice creates nothing the second time.
    With `?async=true` the import runs as a job: 202 and the job, polled at its Location."""
    if run_async:
        return await _start_job(request, who, file)
    _, parsed = await _parse_upload(file)
    return await asyncio.to_thread(jobs.run_import, request.app.state.db, who.actor, parsed)


@router.post("/import-jobs", status_code=202, summary="Start a recognition-list import job (CSV or XLSX)",
             response_class=Response, responses={202: {"content": {"application/json": {}}}})
async def start_import_job(request: Request, who: CertWriter, file: UploadFile):
    """202 with the job `{id, state, rows_total, rows_done, progress, report, error, ...}`;
    `Location` is where to poll it. The file's header is checked before the job starts."""
    return await _start_job(request, who, file)


def _job_scope(stmt, who: Principal):
    """The municipal platform sees the jobs it started; the bureau and the auditor see all."""
    return stmt.where(ImportJob.actor.startswith("platform:")) if who.role == "platform" else stmt


@router.get("/import-jobs/{job_id}", summary="An import job: state, rows done of total, the report when done")
def get_import_job(job_id: str, request: Request, who: ImportReader):
    with request.app.state.db.reader() as s:
        job = s.scalars(_job_scope(select(ImportJob).where(ImportJob.id == job_id), who)).first()
        if job is None:
            raise not_found("导入任务", "Import job", job_id)
        return service.job_dict(job)


@router.get("/import-jobs", summary="Import jobs, newest first")
def list_import_jobs(request: Request, who: ImportReader, limit: pagination.Limit = 100,
                     cursor: pagination.Cursor = None):
    after = pagination.decode(cursor)
    stmt = _job_scope(select(ImportJob), who).order_by(ImportJob.created_at.desc(), ImportJob.id.desc())
    if after:
        at, _, jid = after.partition("|")
        try:
            at_ts = dt.datetime.fromisoformat(at)
        except ValueError as e:
            raise pagination.decode("%") from e  # the same bad-cursor problem
        stmt = stmt.where(or_(ImportJob.created_at < at_ts, and_(ImportJob.created_at == at_ts, ImportJob.id < jid)))
    with request.app.state.db.reader() as s:
        items = [service.job_dict(j) for j in s.scalars(stmt.limit(limit + 1))]
    return pagination.page(items, limit, key=lambda d: f"{d['created_at'][:-1]}|{d['id']}")


def _platform(request: Request) -> municipal.MunicipalPlatform:
    """The municipal platform client: app.state.municipal_platform (tests, embedding), else from
    SRDI_MUNICIPAL_PLATFORM_URL; 409 when neither is configured (the deployment's state, not a fault)."""
    client = (getattr(request.app.state, "municipal_platform", None)
              or municipal.HttpMunicipalPlatform.from_settings(request.app.state.settings))
    if client is None:
        raise Problem(409, "platform-not-configured", f"未配置市级平台地址（{municipal.PLATFORM_URL_ENV}）",
                      f"The municipal platform is not configured ({municipal.PLATFORM_URL_ENV})")
    return client


@router.post("/platform/sync", status_code=202, summary="Import the municipal platform's published lists as a job",
             response_class=Response, responses={202: {"content": {"application/json": {}}}})
async def platform_sync(request: Request, who: Writer):
    """Reads every page of the platform's published recognitions now (a platform that fails or
    answers off-contract is a 502 at once, no job), then applies them as an import job: each row is
    checked like a row of an uploaded file, and a re-sync is idempotent."""
    try:
        parsed = await _platform(request).published_rows()
    except municipal.PlatformError as e:
        raise e.problem() from e
    db = request.app.state.db
    job = await asyncio.to_thread(jobs.create_job, db, who.actor, "municipal-platform", len(parsed))
    jobs.start(request.app, job["id"], who.actor, parsed)
    return Response(orjson.dumps(job), status_code=202, media_type="application/json",
                    headers={"Location": f"/api/v1/import-jobs/{job['id']}"})


@router.post("/platform/recommendations", summary="Send district recommendations (区级推荐) to the municipal platform")
async def platform_recommend(body: RecommendationIn, request: Request, who: Writer):
    """Every enterprise must be registered (422 with the unknown ones). The batch id is derived
    from (year, tier, enterprises), so sending the same recommendation again is kept once."""
    usccs = sorted(set(body.usccs))

    def unknown():
        with request.app.state.db.reader() as s:
            return service.unregistered(s, usccs)
    missing = await asyncio.to_thread(unknown)
    if missing:
        raise Problem(422, "unknown-enterprises", f"未登记的企业：{'、'.join(missing)}",
                      f"Not registered: {', '.join(missing)}",
                      errors=[{"loc": ["body", "usccs"], "msg": u, "type": "not_found"} for u in missing])
    try:
        receipt = await _platform(request).recommend(body.year, body.tier, usccs)
    except municipal.PlatformError as e:
        raise e.problem() from e

    def record():
        with request.app.state.db.transaction() as s:
            return service.recommendation_sent(s, who.actor, body.year, body.tier, usccs, receipt)
    return await asyncio.to_thread(record)


@router.post("/admin/expire", summary="Expire certifications past their last valid day now")
def expire_now(request: Request, who: Writer):
    with request.app.state.db.transaction() as s:
        return {"expired": service.expire_due(s, today(), who.actor)}


@router.post("/admin/announce-records", summary="Announce every enterprise's record as it stands")
def announce_records(request: Request, who: Writer):
    """One enterprise.recorded.v1 per enterprise: fills the copies of a service that has none (one
    added later, or a database from before events carried records). Triggers nothing; repeating it
    changes nothing but the versions' timestamps."""
    with request.app.state.db.transaction() as s:
        return {"announced": service.announce_records(s, who.actor)}
