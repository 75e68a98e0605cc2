"""走访与宣讲 for the lead bureau: every township's policy sessions and their attendance summed by township
for a year, the visits recorded to enterprises, and econ's own forms — a visit to any enterprise, a
session in any township, an enterprise's attendance (townships record their own on /township; the
same registry calls, pages.township.submit)."""
from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Request

from services.portal.names import names_of
from services.portal.pages.common import CsrfChecked, api, back_to, page_user, render, year_of
from services.portal.pages.township import FORMS, submit
from services.portal.session import PortalError, User, flash
from shared.clock import today

router = APIRouter()




async def _page(request: Request, user: User, year: int, township: str = "", status: int = 200, **ctx):
    a = api(request, user)
    first, last = f"{year}-01-01", f"{year}-12-31"
    towns, summary, sessions, visits = await asyncio.gather(
        a.get("registry", "/townships"), a.get("registry", "/policy-sessions/summary", year=year),
        a.get("registry", "/policy-sessions", township=township or None, limit=100, **{"from": first, "to": last}),
        a.get("registry", "/visits", limit=100, **{"from": first, "to": last}))
    await names_of(request).load(usccs=[v["uscc"] for v in visits["items"]])
    return render(request, "visits.html", status, year=year, township=township, townships=towns["items"],
                  summary=summary, sessions=sessions["items"], visits=visits["items"], forms=FORMS,
                  form_id=uuid.uuid4().hex, years=range(today().year, 2019, -1), **ctx)


@router.get("/visits")
async def visits(request: Request, user: Annotated[User, page_user("visits")], year: str = "", township: str = ""):
    return await _page(request, user, year_of(year) or today().year, township.strip()[:40])


@router.post("/visits/{what}", dependencies=[CsrfChecked])
async def record(request: Request, what: str, user: Annotated[User, page_user("visits")]):
    """econ records a visit, a session or an attendance; what is wrong is said beside that form."""
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以在此登记走访、宣讲会和参会情况。")
    if what not in FORMS:
        raise PortalError(404, "不支持的登记。")
    form = {k: str(v) for k, v in (await request.form()).items()}
    error = "请选择举办宣讲会的乡镇（街道）。" if what == "session" and not form.get("township") else None
    error = error or await submit(request, user, what, form, form.get("township", ""))
    if error:
        return await _page(request, user, year_of(form.get("year")) or today().year, status=422, failed={what: error},
                           typed={what: form})
    flash(request, "ok", f"{FORMS[what]}已登记。")
    return back_to(request, f"/visits#{what}", "/visits")
