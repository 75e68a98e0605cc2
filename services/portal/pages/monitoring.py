"""Monthly monitoring of key enterprises (每月动态监测): the month's list with flags in words, an
enterprise's trend, and the operating-data workbook import (a preview first, row errors on the
same page). The registry decides who is key, what is flagged and what a row may hold."""
from __future__ import annotations

import asyncio
import re
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from services.portal.backend import ServiceError
from services.portal.charts import bars
from services.portal.names import names_of
from services.portal.pages.common import CsrfChecked, api, optional, page_user, render, seg
from services.portal.session import PortalError, User
from shared.clock import today

router = APIRouter()
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MAX_UPLOAD = 20 * 1024 * 1024
FORMATS = "XLSX、XLS、ODS、CSV 或制表符文本"
STATUS_LABELS = {"reported": "已报送", "missing": "未报送"}


def last_month() -> str:
    d = today().replace(day=1)
    return f"{d.year - (d.month == 1):04d}-{(d.month - 2) % 12 + 1:02d}"


def month_error(month: str) -> str:
    if not MONTH.match(month):
        return f"月份应写作“年-月”，如 {last_month()}。"
    if month > today().strftime("%Y-%m"):
        return "不能选择未来的月份。"
    return ""


async def month_page(request: Request, user: User, month: str, status: int = 200, **ctx) -> Response:
    ctx.setdefault("preview", None)
    ctx.setdefault("import_error", None)
    ctx.setdefault("imported", None)
    ctx.setdefault("filename", "")
    error = month_error(month)
    data = snapshot = None
    if not error:
        a = api(request, user)
        try:  # the key enterprises' month, and the programme's counts as of the month's end
            data, snapshot = await asyncio.gather(a.get("registry", f"/monitoring/{seg(month, '月份')}"),
                                                  optional(a.get("registry", "/stats/monitoring", month=month)))
        except ServiceError as e:
            if e.status in (401, 403):
                raise
            error = e.said()
    if data:
        await names_of(request).load(usccs=[i["uscc"] for i in data["items"]])
    if ctx["preview"]:
        await names_of(request).load(usccs=[i["uscc"] for i in ctx["preview"]["items"]])
    return render(request, "monitoring.html", status if not error else max(status, 422), month=month,
                  month_error=error, data=data, snapshot=snapshot, statuses=STATUS_LABELS, formats=FORMATS,
                  may_import=user.role == "econ", **ctx)


@router.get("/monitoring")
async def monitoring(request: Request, user: Annotated[User, page_user("monitoring")], month: str = ""):
    return await month_page(request, user, (month or last_month()).strip())


@router.get("/monitoring/{month}.xlsx")
async def monitoring_xlsx(request: Request, user: Annotated[User, page_user("monitoring")], month: str):
    if month_error(month):
        raise PortalError(422, month_error(month))
    r = await api(request, user).download("registry", f"/monitoring/{seg(month, '月份')}", format="xlsx")
    return Response(r.content, media_type=r.headers.get("content-type"),
                    headers={"Content-Disposition": r.headers.get("content-disposition", "")})


@router.post("/monitoring/import", dependencies=[CsrfChecked])
async def monitoring_import(request: Request, user: Annotated[User, page_user("monitoring")],
                            file: Annotated[UploadFile | None, File()] = None, dry_run: Annotated[str, Form()] = "",
                            month: Annotated[str, Form()] = ""):
    """`dry_run=1`: the preview (each row's action and every bad row, nothing recorded); else the
    import itself, all or nothing."""
    month = month.strip() or last_month()
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以导入月度经营数据。")
    if file is None or not file.filename:
        return await month_page(request, user, month, 422, import_error="请选择要导入的月度经营数据表。")
    content = await file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        return await month_page(request, user, month, 413, import_error="文件超过 20 MB，请拆分后分批导入。")
    preview = dry_run in ("1", "true", "on")
    upload = {"file": (file.filename, content, file.content_type or "application/octet-stream")}
    a = api(request, user)
    try:
        report = await a.post("registry", "/monitoring/imports", json=None,
                              data={"dry_run": "true"} if preview else {}, files=upload)
    except ServiceError as e:
        if e.status == 401:
            raise
        # the whole file refused (unreadable, no header, or — on import — bad rows): said beside the form,
        # with the rows, from a preview of the same file
        rows = None
        if not preview and e.status == 422:
            try:
                rows = await a.post("registry", "/monitoring/imports", json=None, data={"dry_run": "true"}, files=upload)
            except ServiceError:
                rows = None
        return await month_page(request, user, month, e.status, import_error=e.said(), preview=rows,
                                filename=file.filename)
    if preview:
        return await month_page(request, user, month, preview=report, filename=file.filename)
    return await month_page(request, user, month, imported=report, filename=file.filename)


@router.get("/monitoring/enterprises/{uscc}")
async def monitoring_trend(request: Request, user: Annotated[User, page_user("monitoring")], uscc: str):
    """An enterprise's months: a bar per month of revenue (万元) and the table."""
    data = await api(request, user).get("registry", f"/enterprises/{seg(uscc, '企业')}/operating-data")
    await names_of(request).load(usccs=[uscc])
    months = data["items"][-24:]
    chart = bars([(m["month"], round(m["revenue_yuan"] / 10000)) for m in months]) if months else None
    return render(request, "monitoring_trend.html", uscc=uscc, months=list(reversed(months)), chart=chart)
