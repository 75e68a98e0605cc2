"""Talent reports (人才报表): quotas granted, used, available and lapsed per year and tier, and
nominations per year, category and state, with the talent service's XLSX of both. Read only."""
from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.portal.pages.common import api, page_user, render, year_of
from services.portal.session import User

router = APIRouter()




@router.get("/talent/reports")
async def reports(request: Request, user: Annotated[User, page_user("talent_reports")], year: str = ""):
    y = year_of(year) if year else None
    if year and y is None:
        return render(request, "talent_reports.html", 422, quotas=None, noms=None, year=year,
                      year_error="年度须为 2000–2100 之间的四位数字。")
    a = api(request, user)
    quotas, noms = await asyncio.gather(a.get("talent", "/reports/quotas", year=y),
                                        a.get("talent", "/reports/nominations", year=y))
    return render(request, "talent_reports.html", quotas=quotas, noms=noms, year=year)


@router.get("/talent/reports.xlsx")
async def export(request: Request, user: Annotated[User, page_user("talent_reports")]):
    r = await api(request, user).download("talent", "/reports/export.xlsx")
    return Response(r.content, headers={k: v for k, v in r.headers.items()
                                        if k.lower() in ("content-type", "content-disposition")})
