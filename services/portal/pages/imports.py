"""Recognition-list imports and their jobs."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import RedirectResponse

from services.portal.backend import ServiceError
from services.portal.pages.common import CsrfChecked, api, page_user, render, seg
from services.portal.session import PortalError, User

router = APIRouter()


@router.get("/import")
async def import_page(request: Request, user: Annotated[User, page_user("import")]):
    return render(request, "import.html", report=None)


MAX_UPLOAD = 50 * 1024 * 1024


@router.post("/import", dependencies=[CsrfChecked])
async def import_list(request: Request, user: Annotated[User, page_user("import")],
                      file: Annotated[UploadFile | None, File()] = None):
    if file is None or not file.filename:
        raise PortalError(422, "请选择要导入的名单文件（CSV 或 XLSX）。")
    content = await file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise PortalError(413, "文件超过 50 MB，请拆分后分批导入。")
    upload = {"file": (file.filename, content, file.content_type or "application/octet-stream")}
    a = api(request, user)
    started = dt.datetime.now()
    try:
        try:  # an import job, watched at /import/jobs/{id}, where the registry runs imports as jobs
            job = await a.post("registry", "/import-jobs", json=None, files=upload)
        except ServiceError as e:
            if e.status not in (404, 405):
                raise
            report = await a.post("registry", "/imports/recognition-lists", json=None, files=upload)
        else:
            return RedirectResponse(f"/import/jobs/{job['id']}", status_code=303)
    except ServiceError as e:
        if e.status == 401:
            raise
        # The registry refused the file: say why on the import page, where the user can try again.
        return render(request, "import.html", e.status, report=None, failure=e, filename=file.filename)
    seconds = (dt.datetime.now() - started).total_seconds()
    return render(request, "import.html", report=report, filename=file.filename, seconds=seconds)


@router.get("/import/jobs/{job_id}")
async def import_job(request: Request, job_id: str, user: Annotated[User, page_user("import")]):
    job = await api(request, user).get("registry", f"/import-jobs/{seg(job_id, '导入任务')}")
    if job.get("state") == "done" and job.get("report") is not None:
        seconds = None
        try:
            seconds = (dt.datetime.fromisoformat(job["finished_at"].replace("Z", "+00:00"))
                       - dt.datetime.fromisoformat(job["started_at"].replace("Z", "+00:00"))).total_seconds()
        except (KeyError, TypeError, AttributeError, ValueError):
            pass
        return render(request, "import.html", report=job["report"], filename=job.get("filename", ""), seconds=seconds)
    if job.get("state") == "failed":  # the job's error is for the operators' logs, not the page
        failure = PortalError(500, "导入任务未能完成，名单未全部导入。请检查文件后重新导入，或联系系统管理员。")
        return render(request, "import.html", report=None, failure=failure, filename=job.get("filename", ""))
    return render(request, "import_job.html", job=job)
