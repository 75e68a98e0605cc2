"""An enterprise's own page (企业自助), signed in with its USCC: its record and titles with their
validity, the awards paid to it, its service requests with a form to open one, and its portal inbox.
The services scope every read to the signed-in enterprise (their readable(who)); the quotas and
nominations are on the talent page."""
from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request

from services.portal.labels import REQUEST_CATEGORY_LABELS, ROLE_LABELS
from services.portal.pages.common import CsrfChecked, api, attempt, back_to, optional, page_user, render
from services.portal.session import User, flash

router = APIRouter()
SUMMARY_MAX = 500


async def _page(request: Request, user: User, status: int = 200, **ctx):
    a = api(request, user)
    uscc = user.org
    record, awards, requests, inbox = await asyncio.gather(
        optional(a.get("registry", f"/enterprises/{uscc}")),
        optional(a.all("awards", "/awards", cap=200), []),
        optional(a.all("registry", "/service-requests", cap=200), []),
        optional(a.get("outreach", f"/enterprises/{uscc}/inbox", limit=50), {"items": []}))
    return render(request, "mine.html", status, e=record, awards=awards or [], requests=requests or [],
                  inbox=(inbox or {}).get("items", []), categories=REQUEST_CATEGORY_LABELS,
                  form_id=uuid.uuid4().hex, **ctx)


@router.get("/mine")
async def mine(request: Request, user: Annotated[User, page_user("mine")]):
    return await _page(request, user)


@router.post("/mine/requests", dependencies=[CsrfChecked])
async def open_request(request: Request, user: Annotated[User, page_user("mine")],
                       category: Annotated[str, Form()] = "", summary: Annotated[str, Form()] = "",
                       form_id: Annotated[str, Form()] = ""):
    """Opens a request for the signed-in enterprise (the registry routes it to its department)."""
    errors = {}
    if category not in REQUEST_CATEGORY_LABELS:
        errors["category"] = "请选择诉求类别。"
    if not summary.strip():
        errors["summary"] = "请填写诉求内容。"
    elif len(summary.strip()) > SUMMARY_MAX:
        errors["summary"] = f"诉求内容至多 {SUMMARY_MAX} 字。"
    if errors:  # said next to the fields, the text kept
        return await _page(request, user, 422, errors=errors, draft={"category": category, "summary": summary})
    r, refused = await attempt(api(request, user).post(
        "registry", "/service-requests", json={"uscc": user.org, "category": category, "summary": summary.strip()},
        idempotency_key=f"portal-{form_id}" if form_id else None))
    if refused:
        return await _page(request, user, 422, errors={"summary": refused},
                           draft={"category": category, "summary": summary})
    flash(request, "ok", f"诉求已提交（编号 {r['id']}），由{ROLE_LABELS.get(r['department'], '承办部门')}办理，"
                         f"办理时限至 {r['due_on']}。")
    return back_to(request, f"/mine#request-{r['id']}", "/mine")
