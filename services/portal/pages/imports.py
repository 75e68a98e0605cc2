"""Recognition-list imports and their jobs: a preview (dry run) first, then 确认导入; back-fill of
lists from before go-live; cancelling a running job; the annual-updates workbook.

The portal keeps no file: the preview's job page asks for the same file again to confirm, and
checks it is the one previewed (its SHA-256 travels in the page's address)."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse

from services.portal.backend import ServiceError
from services.portal.pages.common import CsrfChecked, api, optional, page_user, render, seg
from services.portal.session import PortalError, User, flash

router = APIRouter()
MAX_UPLOAD = 50 * 1024 * 1024
SHA = re.compile(r"^[0-9a-f]{64}$")
LIST_FORMATS = "CSV、制表符文本（含 Excel“Unicode 文本”）、XLSX、XLS"


async def recent_jobs(request: Request, user: User) -> list[dict]:
    page = await optional(api(request, user).get("registry", "/import-jobs", limit=10), missing={"items": []})
    return (page or {}).get("items") or []


def page(request: Request, user: User, jobs: list[dict], status: int = 200, **ctx):
    ctx.setdefault("report", None)
    return render(request, "import.html", status, jobs=jobs, formats=LIST_FORMATS, **ctx)


@router.get("/import")
async def import_page(request: Request, user: Annotated[User, page_user("import")]):
    return page(request, user, await recent_jobs(request, user))


async def read_upload(file: UploadFile | None, what: str = "名单文件") -> bytes:
    if file is None or not file.filename:
        raise PortalError(422, f"请选择要导入的{what}。")
    content = await file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise PortalError(413, "文件超过 50 MB，请拆分后分批导入。")
    return content


@router.post("/import", dependencies=[CsrfChecked])
async def import_list(request: Request, user: Annotated[User, page_user("import")],
                      file: Annotated[UploadFile | None, File()] = None, dry_run: Annotated[str, Form()] = "",
                      mode: Annotated[str, Form()] = "", expect: Annotated[str, Form()] = ""):
    """`dry_run=1`: a preview job (nothing written); else the import itself. `mode=backfill`: a list
    from before go-live. `expect`: the SHA-256 of the file previewed, when confirming."""
    mode = "backfill" if mode == "backfill" else "import"
    preview = dry_run in ("1", "true", "on")
    if expect and not preview and (file is None or not file.filename):
        return page(request, user, await recent_jobs(request, user), 422, confirm_error="请再次选择预览过的文件，再确认导入。",
                    confirm={"sha": expect, "mode": mode, "filename": ""})
    content = await read_upload(file)
    digest = hashlib.sha256(content).hexdigest()
    if expect and not preview and digest != expect:
        return page(request, user, await recent_jobs(request, user), 422,
                    confirm_error=f"所选文件（{file.filename}）与预览的文件不一致，未导入。请选择预览过的文件，或重新预览。",
                    confirm={"sha": expect, "mode": mode, "filename": ""})
    upload = {"file": (file.filename, content, file.content_type or "application/octet-stream")}
    form = {"mode": mode, **({"dry_run": "true"} if preview else {})}
    try:
        job = await api(request, user).post("registry", "/import-jobs", json=None, data=form, files=upload)
    except ServiceError as e:
        if e.status == 401:
            raise
        # The registry refused the file: say why on the import page, where the user can try again.
        return page(request, user, await recent_jobs(request, user), e.status, failure=e, filename=file.filename)
    return RedirectResponse(f"/import/jobs/{job['id']}" + (f"?sha={digest}" if preview else ""), status_code=303)


def seconds_of(job: dict) -> float | None:
    try:
        return (dt.datetime.fromisoformat(job["finished_at"].replace("Z", "+00:00"))
                - dt.datetime.fromisoformat(job["started_at"].replace("Z", "+00:00"))).total_seconds()
    except (KeyError, TypeError, AttributeError, ValueError):
        return None


@router.get("/import/jobs")
async def import_jobs(request: Request, user: Annotated[User, page_user("import")], cursor: str = ""):
    """Every import job, newest first, a page at a time (the upload page shows the last ten)."""
    jobs = await api(request, user).get("registry", "/import-jobs", limit=50, cursor=cursor or None)
    return render(request, "import_jobs.html", jobs=jobs)


@router.get("/import/jobs/{job_id}")
async def import_job(request: Request, job_id: str, user: Annotated[User, page_user("import")], sha: str = ""):
    job = await api(request, user).get("registry", f"/import-jobs/{seg(job_id, '导入任务')}")
    name = job.get("filename", "")
    if job.get("state") == "done" and job.get("report") is not None:
        report = job["report"]
        confirm = None
        if report.get("dry_run") or job.get("dry_run"):
            confirm = {"sha": sha if SHA.match(sha) else "", "mode": job.get("mode") or "import", "filename": name}
        return page(request, user, await recent_jobs(request, user), report=report, filename=name,
                    seconds=seconds_of(job), mode=job.get("mode") or "import", confirm=confirm)
    if job.get("state") == "failed":  # the job's error is for the operators' logs, not the page
        failure = PortalError(500, "导入任务未能完成，名单未导入任何行。请检查文件后重新导入，或联系系统管理员。")
        return page(request, user, await recent_jobs(request, user), failure=failure, filename=name)
    if job.get("state") == "cancelled":
        failure = PortalError(409, "导入任务已取消，名单未导入任何行。")
        return page(request, user, await recent_jobs(request, user), failure=failure, filename=name)
    return render(request, "import_job.html", job=job, sha=sha if SHA.match(sha) else "")


@router.post("/import/jobs/{job_id}/cancel", dependencies=[CsrfChecked])
async def cancel_job(request: Request, job_id: str, user: Annotated[User, page_user("import")]):
    """A queued or running job stops, with nothing of it applied (the registry's all-or-nothing)."""
    path = seg(job_id, "导入任务")
    try:
        await api(request, user).post("registry", f"/import-jobs/{path}/cancel", json=None)
    except ServiceError as e:
        if e.status == 401:
            raise
        flash(request, "error", f"未能取消：{e.said()}")
    else:
        flash(request, "ok", "已请求取消导入任务：任务停止后，名单不会导入任何行。")
    return RedirectResponse(f"/import/jobs/{path}", status_code=303)


@router.post("/import/annual-updates", dependencies=[CsrfChecked])
async def annual_updates(request: Request, user: Annotated[User, page_user("import")],
                         file: Annotated[UploadFile | None, File()] = None):
    """年度数据更新表: one row per enterprise and year (统一社会信用代码、年度、提交日期)."""
    content = await read_upload(file, "年度数据更新表")
    upload = {"file": (file.filename, content, file.content_type or "application/octet-stream")}
    try:
        report = await api(request, user).post("registry", "/imports/annual-updates", json=None, files=upload)
    except ServiceError as e:
        if e.status == 401:
            raise
        return page(request, user, await recent_jobs(request, user), e.status, annual_failure=e,
                    annual_filename=file.filename)
    return page(request, user, await recent_jobs(request, user), annual=report, annual_filename=file.filename)
