"""Service package (服务包) use cases: requests routed to their department and moved by it, visits,
hotline questions, policy sessions and their attendance. They write through the caller's session
and never commit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.registry.enterprises import repository as enterprises
from services.registry.screening.repository import param
from services.registry.service_package import repository as repo
from services.registry.service_package import rules
from services.registry.service_package.schemas import (
    AttendanceIn,
    AttendancePublic,
    HotlineAnswerIn,
    HotlineBasis,
    HotlineQuestionIn,
    HotlineQuestionPublic,
    PolicySessionDetail,
    PolicySessionIn,
    PolicySessionPublic,
    RequestBasis,
    RequestMoveIn,
    ServiceRequestIn,
    ServiceRequestPublic,
    SessionSummary,
    VisitIn,
    VisitPublic,
)
from services.registry.tables import HotlineQuestion, PolicySession, ServiceRequest, SessionAttendance, Visit
from shared import audit, params
from shared.auth import Principal
from shared.errors import Problem, not_found


def _json(model) -> dict:
    """An audit row's before/after: the facts, not what the answer derives from them (a request's `moves`)."""
    return model.model_dump(mode="json", exclude_unset=True, exclude={"moves"})


def department_for(routing: params.Param, category: str) -> str:
    """The department owning a category, from the dated routing parameter (a category it does not
    name is the operator's to fix: 422)."""
    try:
        return routing.value[category]
    except KeyError:
        raise Problem(422, "no-routing", f"诉求分派参数未指定“{rules.CATEGORY_ZH[category]}”类的承办部门",
                      f"The routing parameter {routing.key} names no department for {category}") from None


# -- requests (诉求) ----------------------------------------------------------------------------
def request_public(row: ServiceRequest, on: dt.date) -> ServiceRequestPublic:
    out = ServiceRequestPublic.model_validate(row)
    out.overdue = rules.overdue(row.state, row.due_on, on)
    return out


def open_request(s: Session, actor: str, body: ServiceRequestIn, today: dt.date) -> ServiceRequestPublic:
    enterprise = enterprises.get_or_404(s, body.uscc)
    opened = body.opened_on or today
    routing = param(s, opened, "service_package.routing")
    days = param(s, opened, "service_package.deadline_days")
    row = ServiceRequest(uscc=body.uscc, category=body.category, summary=body.summary,
                         department=rules.owner(department_for(routing, body.category), enterprise.park_id), state="open", opened_on=opened,
                         due_on=opened + dt.timedelta(days=int(days.value)))
    s.add(row)
    s.flush()
    out = request_public(row, today)
    audit.record(s, actor, "service_request.open", "service_request", str(row.id), None, _json(out))
    out.basis = RequestBasis(routing=routing.cite(), deadline_days=days.cite())
    return out


def move_request(s: Session, who: Principal, request_id: int, body: RequestMoveIn, today: dt.date) -> ServiceRequestPublic:
    """The owning department (a park: for its own enterprises) or the lead bureau moves a request."""
    row = repo.request_for_update(s, who, request_id)
    if who.role != "econ" and who.role != row.department:
        raise Problem(403, "not-owner", f"该诉求由{rules.DEPARTMENT_ZH.get(row.department, '其他部门')}办理",
                      f"The request is owned by {row.department}")
    if not rules.can_move(row.state, body.state):
        raise Problem(409, "bad-transition", f"诉求{rules.STATE_ZH[row.state]}，不能变为{rules.STATE_ZH[body.state]}",
                      f"A request in state {row.state} cannot become {body.state}", state=row.state)
    before = _json(request_public(row, today))
    row.state = body.state
    if body.state == "accepted":
        row.accepted_on = today
    if body.state in rules.CLOSED:
        row.closed_on, row.resolution = today, body.note
    s.flush()
    out = request_public(row, today)
    audit.record(s, who.actor, f"service_request.{body.state}", "service_request", str(row.id), before, _json(out))
    return out


def list_requests(s: Session, who: Principal, limit: int, cursor: str | None, on: dt.date, overdue: bool,
                  **filters) -> list[ServiceRequestPublic]:
    """Up to limit + 1 requests the caller may read, by id, with `overdue` as of `on`."""
    rows = repo.requests_page(s, who, limit, cursor, overdue_on=on if overdue else None, **filters)
    return [request_public(r, on) for r in rows]


# -- visits (走访) ------------------------------------------------------------------------------
def record_visit(s: Session, who: Principal, body: VisitIn) -> VisitPublic:
    """A visit to an enterprise the caller may read (a township: its own township's)."""
    enterprises.get_or_404(s, body.uscc)
    enterprises.readable_or_404(s, who, body.uscc)
    actor = who.actor
    row = Visit(uscc=body.uscc, visited_on=body.visited_on, visitors=body.visitors, findings=body.findings,
                recorded_by=actor)
    s.add(row)
    s.flush()
    out = VisitPublic.model_validate(row)
    audit.record(s, actor, "visit.record", "visit", str(row.id), None, _json(out))
    return out


def list_visits(s: Session, who: Principal, limit: int, cursor: str | None, **filters) -> list[VisitPublic]:
    """Up to limit + 1 visits the caller may read, newest first."""
    return [VisitPublic.model_validate(r) for r in repo.visits_page(s, who, limit, cursor, **filters)]


# -- hotline questions (热线咨询) ------------------------------------------------------------------
def question_public(row: HotlineQuestion, reveal: bool) -> HotlineQuestionPublic:
    """`reveal`: the lead bureau sees the caller's name and phone; everyone else (and the audit
    log) sees them masked."""
    out = HotlineQuestionPublic.model_validate(row)
    out.answered = row.answered_on is not None
    if not reveal:
        out.caller_name, out.caller_phone = rules.mask_name(row.caller_name), rules.mask_phone(row.caller_phone)
    return out


def get_question(s: Session, who: Principal, question_id: int) -> HotlineQuestionPublic:
    """One question the caller may read; the caller's name and phone whole for the lead bureau only."""
    return question_public(repo.question(s, who, question_id), reveal=who.role == "econ")


def list_questions(s: Session, who: Principal, limit: int, cursor: str | None, **filters) -> list[HotlineQuestionPublic]:
    """Up to limit + 1 questions the caller may read, newest first (masked as in get_question)."""
    return [question_public(r, reveal=who.role == "econ") for r in repo.questions_page(s, who, limit, cursor, **filters)]


def record_question(s: Session, actor: str, body: HotlineQuestionIn, today: dt.date) -> HotlineQuestionPublic:
    """Record a hotline question, routed to the department owning its category (the same dated
    routing as requests). The caller's phone is kept for the call-back, never written to the audit
    log or an event in the clear."""
    park_id = enterprises.get_or_404(s, body.uscc).park_id if body.uscc is not None else None
    asked = body.asked_on or today
    if asked > today:
        raise Problem(422, "future-date", "咨询日期晚于今天", "asked_on is in the future",
                      errors=[{"loc": ["body", "asked_on"], "msg": "in the future", "type": "value"}])
    routing = param(s, asked, "service_package.routing")
    row = HotlineQuestion(uscc=body.uscc, caller_name=body.caller_name, caller_phone=body.caller_phone,
                          category=body.category, department=rules.owner(department_for(routing, body.category), park_id),
                          question=body.question, asked_on=asked, recorded_by=actor)
    s.add(row)
    s.flush()
    # Masked even to econ: a POST's answer is kept with its Idempotency-Key; econ reads it whole by GET.
    out = question_public(row, reveal=False)
    audit.record(s, actor, "hotline.ask", "hotline_question", str(row.id), None, _json(out))
    out.basis = HotlineBasis(routing=routing.cite())
    return out


def answer_question(s: Session, who: Principal, question_id: int, body: HotlineAnswerIn,
                    today: dt.date) -> HotlineQuestionPublic:
    """The department owning the question (a park: for its own enterprises' questions) or the lead
    bureau answers it, once (409 when answered)."""
    row = repo.question(s, who, question_id, lock=True)
    if who.role != "econ" and who.role != row.department:
        raise Problem(403, "not-owner", f"该咨询由{rules.DEPARTMENT_ZH.get(row.department, '其他部门')}答复",
                      f"The question is owned by {row.department}")
    if row.answered_on is not None:
        raise Problem(409, "already-answered", f"该咨询已于 {row.answered_on} 答复",
                      f"The question was already answered on {row.answered_on}",
                      existing=_json(question_public(row, who.role == "econ")))
    on = body.answered_on or today
    if on < row.asked_on or on > today:
        raise Problem(422, "bad-answer-date", "答复日期须在咨询日期与今天之间",
                      "answered_on must be between asked_on and today",
                      errors=[{"loc": ["body", "answered_on"], "msg": "before asked_on or in the future", "type": "value"}])
    before = _json(question_public(row, reveal=False))
    row.answer, row.answered_on = body.answer, on
    row.answered_by, row.answer_recorded_by = body.answered_by or who.actor, who.actor
    s.flush()
    out = question_public(row, reveal=False)  # a POST's answer: masked, as above
    audit.record(s, who.actor, "hotline.answer", "hotline_question", str(row.id), before, _json(out))
    return out


# -- policy sessions (政策宣讲会) -----------------------------------------------------------------
def session_public(row: PolicySession, enterprises: int, attendees: int) -> PolicySessionPublic:
    out = PolicySessionPublic.model_validate(row)
    out.enterprises, out.attendees = enterprises, attendees
    return out


def create_session(s: Session, actor: str, body: PolicySessionIn) -> PolicySessionPublic:
    row = PolicySession(title=body.title, township=body.township, held_on=body.held_on, topic=body.topic,
                        venue=body.venue, recorded_by=actor)
    s.add(row)
    s.flush()
    audit.record(s, actor, "policy_session.record", "policy_session", str(row.id), None,
                 _json(PolicySessionPublic.model_validate(row)))
    return session_public(row, 0, 0)


def put_attendance(s: Session, who: Principal, session_id: int, uscc: str,
                   body: AttendanceIn) -> tuple[AttendancePublic, bool]:
    """Record (or replace) an enterprise's attendance at a session: one row per (session,
    enterprise), so recording it again replaces the count. Returns (row, created). A township: its
    own sessions and enterprises only."""
    readable_session(s, who, session_id)
    enterprises.get_or_404(s, uscc)
    enterprises.readable_or_404(s, who, uscc)
    actor = who.actor
    row = s.get(SessionAttendance, (session_id, uscc))
    before = _json(AttendancePublic.model_validate(row)) if row else None
    if row is None:
        row = SessionAttendance(session_id=session_id, uscc=uscc, attendees=body.attendees, recorded_by=actor)
        s.add(row)
    else:
        row.attendees, row.recorded_by = body.attendees, actor
    s.flush()
    out = AttendancePublic.model_validate(row)
    audit.record(s, actor, "policy_session.attendance", "session_attendance", f"{session_id}/{uscc}", before, _json(out))
    return out, before is None


def sessions_page(s: Session, limit: int, after: tuple[dt.date, int] | None, **filters) -> list[PolicySessionPublic]:
    rows = repo.sessions_page(s, limit, after, **filters)
    counts = repo.session_counts(s, [r.id for r in rows])
    return [session_public(r, *counts[r.id]) for r in rows]


def readable_session(s: Session, who: Principal, session_id: int):
    """The session, if the caller may see it (a township: its own township's), else 404."""
    row = repo.session(s, session_id)
    if who.role == "township" and row.township != who.org:
        raise not_found("宣讲会", "Policy session", str(session_id))
    return row


def session_detail(s: Session, who: Principal, session_id: int) -> PolicySessionDetail:
    row = readable_session(s, who, session_id)
    items = [AttendancePublic.model_validate(a).model_copy(update={"name": name})
             for a, name in repo.attendance_with_names(s, session_id)]
    out = PolicySessionDetail.model_validate(row.model_dump() | {"attendance": items})
    out.enterprises, out.attendees = len(items), sum(i.attendees for i in items)
    return out


def session_summary(s: Session, year: int, township: str | None = None) -> SessionSummary:
    """Per township, for the sessions held in a year: sessions, distinct enterprises attending, attendees."""
    sessions, attendance = repo.year_sessions(s, year, township)
    return SessionSummary.model_validate({"year": year, **rules.session_summary(sessions, attendance)})
