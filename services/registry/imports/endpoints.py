"""Recognition-list import routes: thin; the use cases are in service.py, the runner in jobs.py."""
import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from services.registry.auth import CertWriter, ImportReader
from services.registry.imports import jobs, parsing, repository, service
from services.registry.imports.schemas import (
    MODE_DOC,
    ImportJobPublic,
    ImportMode,
    ImportReport,
    JobId,
)
from shared import pagination
from shared.auth import Principal
from shared.errors import Problem, not_found
from shared.schemas import Page
from shared.sessions import DatabaseDep, ReadSession

router = APIRouter(tags=["registry"])
MAX_IMPORT_BYTES = 50 * 1024 * 1024
ListFile = Annotated[UploadFile, File(description=(
    "认定名单文件：CSV 或制表符分隔文本（UTF-8、GB18030，或 Excel“Unicode 文本”UTF-16）、XLSX、XLS、XLSB、ODS / "
    "the recognition list: CSV or tab-separated text (UTF-8, GB18030, or Excel's Unicode text, UTF-16), XLSX, "
    "XLS, XLSB or ODS"))]
JOB_ANSWER = {"model": ImportJobPublic, "description": "导入任务（轮询 Location） / the import job (poll its Location)"}
DRY_RUN_DOC = ("为 true 时只预览：报告将新增、不变、跳过、拒绝的行，不作任何更改 / true: a preview — the report of "
               "what would be created, left unchanged, skipped and rejected; nothing is changed")


@dataclass(frozen=True)
class Options:
    mode: str
    dry_run: bool


def import_options(
        dry_run_query: Annotated[bool, Query(alias="dry_run", description=DRY_RUN_DOC)] = False,
        dry_run_form: Annotated[bool, Form(alias="dry_run", description=DRY_RUN_DOC)] = False,
        mode_query: Annotated[ImportMode | None, Query(alias="mode", description=MODE_DOC)] = None,
        mode_form: Annotated[ImportMode | None, Form(alias="mode", description=MODE_DOC)] = None) -> Options:
    """`dry_run` and `mode` as query or form fields (a form posts them beside the file)."""
    if mode_query and mode_form and mode_query != mode_form:
        raise Problem(422, "conflicting-mode", "查询参数与表单中的 mode 不一致",
                      "mode differs between the query and the form",
                      errors=[{"loc": ["query", "mode"], "msg": "differs from the form's", "type": "value"}])
    return Options(mode_query or mode_form or "import", dry_run_query or dry_run_form)


ImportOptions = Annotated[Options, Depends(import_options)]


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


async def start_job(request: Request, db, who: Principal, name: str, parsed: list,
                    options: Options = Options("import", False)) -> Response:
    job = await asyncio.to_thread(jobs.create_job, db, who.actor, name, len(parsed), options.mode, options.dry_run)
    jobs.start(request.app, job.id, who.actor, parsed, options.mode, options.dry_run)
    return accepted(job)


@router.post("/imports/recognition-lists", summary="导入市级认定名单（CSV、文本、XLSX、XLS；可预览） / Import a "
             "municipal recognition list (CSV, text, XLSX, XLS; a preview too)", response_model=ImportReport,
             responses={202: JOB_ANSWER})
async def import_recognition_list(request: Request, who: CertWriter, db: DatabaseDep, file: ListFile,
                                  options: ImportOptions,
                                  run_async: Annotated[bool, Query(alias="async", description=(
                                      "为 true 时作为导入任务运行（202） / run as an import job (202)"))] = False):
    """他区的行与文件内重复行跳过（逐行给出行号与原因），错误行附行号与原因拒绝，已登记的行不变：同一名单
    导入两次，第二次不新增。全部或全不：导入在最后一次性提交。`dry_run=true` 只预览，`mode=backfill`
    补录历史名单；`?async=true` 时作为任务运行，返回 202 与任务。/ Rows of other districts and repeats
    within the file are skipped (each with its row number and why), bad rows rejected with their row
    number and reasons, known rows left unchanged: importing the same list twice creates nothing the
    second time. All or nothing: an import commits once, at the end. `dry_run=true` previews,
    `mode=backfill` records a list from before go-live; with `?async=true` it runs as a job (202)."""
    name, parsed = await _parse_upload(file)  # a bad file or header is a 422 now, not a failed job
    if run_async:
        return await start_job(request, db, who, name, parsed, options)
    return await asyncio.to_thread(lambda: jobs.run_import(db, who.actor, parsed, mode=options.mode,
                                                           dry_run=options.dry_run))


@router.post("/import-jobs", status_code=202, response_model=ImportJobPublic,
             summary="启动认定名单导入任务（可预览、可取消） / Start a recognition-list import job (a preview "
             "too; cancellable)")
async def start_import_job(request: Request, who: CertWriter, db: DatabaseDep, file: ListFile,
                           options: ImportOptions):
    """202 与任务 `{id, state, mode, dry_run, rows_total, rows_done, progress, report, error, ...}`，
    `Location` 为轮询地址；文件与表头在任务开始前检查。任务可取消：取消或失败的任务不写入任何行。
    / 202 with the job; `Location` is where to poll it. The file's header is checked before the job
    starts. A job can be cancelled: a cancelled or failed job applies nothing."""
    name, parsed = await _parse_upload(file)
    return await start_job(request, db, who, name, parsed, options)


@router.post("/import-jobs/{job_id}/cancel", summary="取消导入任务（不写入任何行） / Cancel an import job (nothing "
             "of it is applied)", responses={409: {"description": "任务已完成或失败 / the job already ended"}})
@router.post("/imports/jobs/{job_id}/cancel", summary="取消导入任务（同 /import-jobs/{id}/cancel） / Cancel an "
             "import job (as /import-jobs/{id}/cancel)", responses={409: {
                 "description": "任务已完成或失败 / the job already ended"}})
async def cancel_import_job(job_id: JobId, who: CertWriter, db: DatabaseDep) -> ImportJobPublic:
    """排队或运行中的任务停止，以 `cancelled` 结束且不写入任何行（导入在最后一次性提交）；已完成或失败的
    任务 409。市级平台只能取消自己启动的任务。/ A queued or running job stops and ends `cancelled`
    with nothing applied (an import commits once, at the end); a job already done or failed is a 409.
    The municipal platform cancels only the jobs it started."""
    return await asyncio.to_thread(jobs.cancel, db, who, job_id)


@router.get("/import-jobs/{job_id}", summary="一个导入任务：状态、进度、完成后的结果 / An import job: state, rows "
            "done of total, the report when done")
def get_import_job(job_id: JobId, who: ImportReader, session: ReadSession) -> ImportJobPublic:
    """市级平台只见自己启动的任务。/ The municipal platform sees the jobs it started."""
    job = repository.readable_one(session, who, job_id)
    if job is None:
        raise not_found("导入任务", "Import job", job_id)
    return service.job_public(job, jobs.live_rows_done(job.id))


@router.get("/import-jobs", summary="导入任务，最新在前 / Import jobs, newest first")
def list_import_jobs(who: ImportReader, session: ReadSession, limit: pagination.Limit = 100,
                     cursor: pagination.Cursor = None) -> Page[ImportJobPublic]:
    """按创建时间倒序的导入任务（游标分页）。/ Import jobs, newest first (cursor pagination)."""
    key = pagination.decode_pair(cursor, dt.datetime.fromisoformat)
    jobs_ = repository.newest_first(session, who, key, limit + 1)
    items = [service.job_public(j, jobs.live_rows_done(j.id)) for j in jobs_]
    return pagination.page(items, limit, key=lambda j: f"{j.created_at.isoformat()}|{j.id}")
