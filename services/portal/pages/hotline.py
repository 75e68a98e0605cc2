"""Hotline questions (热线咨询): the lead bureau records a call; the department the registry routes it
to answers it here (the treasury, the talent office, the financial office; a park for its own
enterprises' questions; the lead bureau may answer any). Each reads what the registry lets it read,
the caller's name and phone masked as the registry answers them; the auditor reads only."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from services.portal.backend import ServiceError
from services.portal.labels import REQUEST_CATEGORY_LABELS, ROLE_LABELS
from services.portal.names import names_of
from services.portal.pages.common import CsrfChecked, api, attempt, back_to, optional, page_user, render
from services.portal.session import PortalError, User, flash
from shared.clock import today

router = APIRouter()
FIELDS = ("uscc", "caller_name", "caller_phone", "category", "question", "asked_on")
PAGE_SIZE = 50
# The departments a question is routed to, in the registry's codes (service_package.routing).
DEPARTMENTS = ("econ", "treasury", "talent", "finance", "park")
# Those whose page holds their own department's questions only (as their 服务诉求 queue does); the lead
# bureau, the auditor and a park (the registry gives it its own enterprises' questions) may filter.
OWN_DEPARTMENT = ("treasury", "talent", "finance")
ANSWERERS = ("econ", "treasury", "talent", "finance", "park")
STATUS = {"0": "待答复", "1": "已答复"}


def may_answer(user: User, q: dict) -> bool:
    """Whether the page offers the answer form (the registry checks again: owner or the lead bureau)."""
    return not q.get("answered") and (user.role == "econ" or user.role == q.get("department"))


async def _list(request: Request, user: User, answered: str = "", department: str = "", cursor: str = "",
                status: int = 200, **ctx):
    answered = answered if answered in STATUS else ""
    if user.role in OWN_DEPARTMENT:
        department = user.role
    elif department not in DEPARTMENTS:
        department = ""
    a = api(request, user)
    page = await a.get("registry", "/hotline-questions", limit=PAGE_SIZE, cursor=cursor, department=department,
                       answered={"0": "false", "1": "true"}.get(answered))
    items = page["items"]
    failed = ctx.get("failed") or {}
    for qid in failed:  # a refused answer is said at its question's row, even when the filter hides it
        if not any(q["id"] == qid for q in items):
            q = await optional(a.get("registry", f"/hotline-questions/{qid}"))
            if q:
                items = [q, *items]
    shown = {q["id"] for q in items}  # a question the role cannot read at all: its refusal above the list
    ctx["stray"] = {qid: e for qid, e in failed.items() if qid not in shown}
    await names_of(request).load(usccs=[q["uscc"] for q in items if q.get("uscc")])
    ctx.setdefault("error", None)
    ctx.setdefault("typed", {})
    ctx.setdefault("failed", {})
    ctx.setdefault("answers", {})
    return render(request, "hotline.html", status, questions=items, categories=REQUEST_CATEGORY_LABELS,
                  next_cursor=page.get("next_cursor"), cursor=cursor, answered=answered, department=department,
                  departments={d: ROLE_LABELS[d] for d in DEPARTMENTS}, statuses=STATUS,
                  may_answer=lambda q: may_answer(user, q), today=today().isoformat(),
                  form_id=uuid.uuid4().hex, **ctx)


@router.get("/hotline")
async def hotline(request: Request, user: Annotated[User, page_user("hotline")], answered: str = "",
                  department: str = "", cursor: str = ""):
    return await _list(request, user, answered, department, cursor)


@router.post("/hotline", dependencies=[CsrfChecked])
async def record(request: Request, user: Annotated[User, page_user("hotline")]):
    """Records a call; a missing field or the registry's refusal is said beside the form, what was typed kept."""
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以登记热线咨询。")
    form = await request.form()
    typed = {k: str(form.get(k, "")).strip() for k in FIELDS}
    missing = [label for k, label in (("category", "类别"), ("question", "咨询内容")) if not typed[k]]
    error = f"请填写{'、'.join(missing)}。" if missing else None
    if error is None:
        body = {k: v for k, v in typed.items() if v}
        q, error = await attempt(api(request, user).post(
            "registry", "/hotline-questions", json=body,
            idempotency_key=f"portal-{form.get('form_id')}" if form.get("form_id") else None))
        if error is None:
            flash(request, "ok", f"热线咨询已登记（编号 {q['id']}）。")
            return RedirectResponse("/hotline", status_code=303)
    return await _list(request, user, status=422, error=error, typed=typed)


@router.post("/hotline/{question_id}/answer", dependencies=[CsrfChecked])
async def answer_question(request: Request, question_id: int, user: Annotated[User, page_user("hotline")],
                 answer: Annotated[str, Form()] = "", answered_on: Annotated[str, Form()] = "",
                 form_id: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "",
                 answered: Annotated[str, Form()] = "", department: Annotated[str, Form()] = ""):
    """The owning department (or the lead bureau) answers once. An empty answer or a bad date is said
    beside its field with the text kept (422); the registry's refusal — answered already (409),
    another department's question (403) — beside the form, nothing changed."""
    if user.role not in ANSWERERS:
        raise PortalError(403, f"您当前的角色（{ROLE_LABELS.get(user.role, user.role)}）不能答复热线咨询。")
    errors: dict[str, str] = {}
    text, day = answer.strip(), answered_on.strip()
    if not text:
        errors["answer"] = "请填写答复内容。"
    if day:
        try:
            dt.date.fromisoformat(day)
        except ValueError:
            errors["answered_on"] = f"答复日期格式不正确：{day[:20]}（应为 年-月-日，如 2025-03-03）。"
    status = 422
    if not errors:
        try:
            await api(request, user).post(
                "registry", f"/hotline-questions/{question_id}/answer",
                json={"answer": text, **({"answered_on": day} if day else {})},
                idempotency_key=f"portal-{form_id}-{question_id}-answer" if form_id else None)
        except ServiceError as e:
            if e.status == 401:
                raise
            status = e.status if 400 <= e.status < 500 else 422
            field = next_field(e)
            errors[field] = e.fields.get(field) if field != "form" and e.fields.get(field) else e.said()
        else:
            flash(request, "ok", f"热线咨询 {question_id} 已答复。")
            return back_to(request, next, "/hotline")
    return await _list(request, user, answered, department, status=status, failed={question_id: errors},
                       answers={question_id: {"answer": answer, "answered_on": answered_on}})


def next_field(e: ServiceError) -> str:
    """Which field of the answer form a refusal is about: the date, the text, or the form as a whole."""
    if e.status == 422:
        for field in ("answered_on", "answer"):
            if field in e.fields:
                return field
        if "答复日期" in e.zh:
            return "answered_on"
    return "form"
