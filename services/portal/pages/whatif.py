"""The what-if (试算): a parameter set costed next to the policy in force over a period, per programme,
with a chart of the two and the difference. The awards service replays and costs; the portal shows
it. Nothing changes."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request

from services.portal import charts
from services.portal.backend import ServiceError
from services.portal.labels import PROGRAM_LABELS
from services.portal.pages.common import CsrfChecked, api, page_user, render
from services.portal.session import User
from shared.clock import today

router = APIRouter()
SETS = {"seed_proposal": "原提案（种子方案）", "fangshan_2025": "房山区 2025 年方案"}


def _wan(yuan: int) -> int:
    return round(yuan / 10_000)  # the chart's scale only; the table shows exact 元


def _form(request: Request, status: int = 200, **ctx):
    year = today().year
    return render(request, "whatif.html", status, sets=SETS, programs=PROGRAM_LABELS,
                  typed=ctx.pop("typed", {"parameter_set": "fangshan_2025", "from": f"{year - 1}-01-01",
                                          "to": today().isoformat()}), **ctx)


@router.get("/whatif")
async def whatif(request: Request, user: Annotated[User, page_user("whatif")]):
    return _form(request)


@router.post("/whatif", dependencies=[CsrfChecked])
async def run(request: Request, user: Annotated[User, page_user("whatif")],
              parameter_set: Annotated[str, Form()] = "", from_: Annotated[str, Form(alias="from")] = "",
              to: Annotated[str, Form()] = ""):
    typed = {"parameter_set": parameter_set, "from": from_, "to": to}
    error = None
    if parameter_set not in SETS:
        error = "请选择参数方案。"
    else:
        try:
            start, end = dt.date.fromisoformat(from_), dt.date.fromisoformat(to)
            if end < start:
                error = "截止日期早于起始日期。"
        except ValueError:
            error = "请填写起止日期（年-月-日）。"
    if error:
        return _form(request, 422, error=error, typed=typed)
    try:
        sim = await api(request, user).post("awards", "/simulations", json={
            "parameter_set": parameter_set, "period": {"from": from_, "to": to}})
    except ServiceError as e:
        if e.status == 401:
            raise
        return _form(request, 422, error=e.said(), typed=typed)
    programs = [p for p in sim["programs"] if sim["in_force"]["by_program"].get(p) or sim["proposed"]["by_program"].get(p)]
    rows = [(PROGRAM_LABELS.get(p, p), sim["in_force"]["by_program"].get(p, 0), sim["proposed"]["by_program"].get(p, 0),
             sim["difference"]["by_program"].get(p, 0)) for p in programs]
    chart = charts.paired([(label, _wan(a), _wan(b)) for label, a, b, _ in rows], ("现行政策", SETS[parameter_set]))
    return _form(request, sim=sim, rows=rows, chart=chart, set_name=SETS[parameter_set], typed=typed)
