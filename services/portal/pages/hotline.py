"""Hotline questions (热线咨询): record a call and list them with their status as the registry has it.
The registry routes each question to its department and masks the caller's details for other readers."""
from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from services.portal.labels import REQUEST_CATEGORY_LABELS
from services.portal.names import names_of
from services.portal.pages.common import CsrfChecked, api, attempt, page_user, render
from services.portal.session import PortalError, User, flash

router = APIRouter()
FIELDS = ("uscc", "caller_name", "caller_phone", "category", "question", "asked_on")


async def _list(request: Request, user: User, status: int = 200, **ctx):
    page = await api(request, user).get("registry", "/hotline-questions")
    items = page["items"]
    await names_of(request).load(usccs=[q["uscc"] for q in items if q.get("uscc")])
    ctx.setdefault("error", None)
    ctx.setdefault("typed", {})
    return render(request, "hotline.html", status, questions=items, categories=REQUEST_CATEGORY_LABELS,
                  form_id=uuid.uuid4().hex, **ctx)


@router.get("/hotline")
async def hotline(request: Request, user: Annotated[User, page_user("hotline")]):
    return await _list(request, user)


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
    return await _list(request, user, 422, error=error, typed=typed)
