"""Recognition-list import routes: thin; the use cases are in service.py, the runner in jobs.py."""
import asyncio
import datetime as dt
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import Response

from services.registry.auth import CertWriter, ImportReader
from services.registry.imports import jobs, parsing, repository, service
from services.registry.imports.schemas import ImportJobPublic, ImportReport, JobId
from shared import pagination
from shared.auth import Principal
from shared.errors import Problem, not_found
from shared.schemas import Page
from shared.sessions import DatabaseDep, ReadSession

router = APIRouter(tags=["registry"])
MAX_IMPORT_BYTES = 50 * 1024 * 1024
ListFile = Annotated[UploadFile, File(description="认定名单文件（CSV：UTF-8 或 GB18030；XLSX） / the recognition "
                                                  "list (CSV in UTF-8 or GB18030, or XLSX)")]
JOB_ANSWER = {"model": ImportJobPublic, "description": "导入任务（轮询 Location） / the import job (poll its Location)"}


async def _parse_upload(file: UploadFile) -> tuple[str, list]:
    content = await file.read()
    if len(content) > MAX_IMPORT_BYTES:
        raise Problem(413, "file-too-large", "文件超过 50 MB", "The file is larger than 50 MB")
    name = file.filename or ""
    return name, await asyncio.to_thread(lambda: list(parsing.read_list_file(name, content)))


def accepted(job: ImportJobPublic) -> Response:
    """202 with the job, and where to poll it."""
    return Response(job.model_dump_json(), status_code=202, media_type="application/json",
                    headers={"Location": f"/api/v1/import-jobs/{job.id}"})


async def start_job(request: Request, db, who: Principal, name: str, parsed: list) -> Response:
    job = await asyncio.to_thread(jobs.create_job, db, who.actor, name, len(parsed))
    jobs.start(request.app, job.id, who.actor, parsed)
    return accepted(job)


@router.post("/imports/recognition-lists", summary="导入市级认定名单（CSV 或 XLSX） / Import a municipal recognition "
             "list (CSV or XLSX)", response_model=ImportReport, responses={202: JOB_ANSWER})
async def import_recognition_list(request: Request, who: CertWriter, db: DatabaseDep, file: ListFile,
                                  run_async: Annotated[bool, Query(alias="async", description=(
                                      "为 true 时作为导入任务运行（202） / run as an import job (202)"))] = False):
    """他区的行跳过，错误行附行号与原因拒绝，已登记的行不变：同一名单导入两次，第二次不新增。
    `?async=true` 时作为任务运行，返回 202 与任务。/ Rows of other districts are skipped, bad rows
    rejected with their row number and reasons, known rows left unchanged: importing the same list
    twice creates nothing the second time. With `?async=true` the import runs as a job (202)."""
    name, parsed = await _parse_upload(file)  # a bad file or header is a 422 now, not a failed job
    if run_async:
        return await start_job(request, db, who, name, parsed)
    return await asyncio.to_thread(jobs.run_import, db, who.actor, parsed)


@router.post("/import-jobs", status_code=202, response_model=ImportJobPublic,
             summary="启动认定名单导入任务（CSV 或 XLSX） / Start a recognition-list import job (CSV or XLSX)")
async def start_import_job(request: Request, who: CertWriter, db: DatabaseDep, file: ListFile):
    """202 与任务 `{id, state, rows_total, rows_done, progress, report, error, ...}`，`Location` 为轮询地址；
    文件与表头在任务开始前检查。/ 202 with the job; `Location` is where to poll it. The file's
    header is checked before the job starts."""
    name, parsed = await _parse_upload(file)
    return await start_job(request, db, who, name, parsed)


@router.get("/import-jobs/{job_id}", summary="一个导入任务：状态、进度、完成后的结果 / An import job: state, rows "
            "done of total, the report when done")
def get_import_job(job_id: JobId, who: ImportReader, session: ReadSession) -> ImportJobPublic:
    """市级平台只见自己启动的任务。/ The municipal platform sees the jobs it started."""
    job = repository.readable_one(session, who, job_id)
    if job is None:
        raise not_found("导入任务", "Import job", job_id)
    return service.job_public(job)


@router.get("/import-jobs", summary="导入任务，最新在前 / Import jobs, newest first")
def list_import_jobs(who: ImportReader, session: ReadSession, limit: pagination.Limit = 100,
                     cursor: pagination.Cursor = None) -> Page[ImportJobPublic]:
    """按创建时间倒序的导入任务（游标分页）。/ Import jobs, newest first (cursor pagination)."""
    key = pagination.decode_pair(cursor, dt.datetime.fromisoformat)
    items = [service.job_public(j) for j in repository.newest_first(session, who, key, limit + 1)]
    return pagination.page(items, limit, key=lambda j: f"{j.created_at.isoformat()}|{j.id}")
