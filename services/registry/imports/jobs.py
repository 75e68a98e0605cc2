"""Recognition-list imports run now (the synchronous endpoint) or as a background job.

The runner opens its own transactions (one per chunk of rows, with the job's progress written in
the same transaction), like the expiry sweeper; the use cases it calls never commit.
"""
import asyncio
import uuid

import orjson
import structlog

from services.registry.imports import repository, service
from services.registry.imports.schemas import ImportJobPublic
from services.registry.tables import ImportJob
from shared.app import JOB_FAILURES
from shared import audit

log = structlog.get_logger()
IMPORT_CHUNK = 500


def run_import(db, actor: str, parsed: list, job_id: str | None = None) -> dict:
    """Apply a parsed list (rows from parsing.read_list_file) in chunks; returns the report."""
    report, valid = service.plan(parsed)
    years: dict = {}
    checked = report["rows"] - len(valid)  # skipped and rejected rows are done once checked
    for start in range(0, len(valid), IMPORT_CHUNK):
        chunk = valid[start:start + IMPORT_CHUNK]

        def apply(s, chunk=chunk, start=start):
            refused: list = []
            created, unchanged = service.apply(s, actor, chunk, years, refused)
            if job_id:
                repository.set_progress(s, job_id, checked + start + len(chunk))
            return created, unchanged, refused
        # Another import of the same rows racing this chunk: the rerun finds them (unchanged).
        created, unchanged, refused = db.retrying(apply)
        report["created"] += created
        report["unchanged"] += unchanged
        report["rejected"] += refused
    report["rejected"].sort(key=lambda x: x["row"])
    return report


def create_job(db, actor: str, filename: str, rows_total: int) -> ImportJobPublic:
    with db.transaction() as s:
        job = ImportJob(id=str(uuid.uuid4()), filename=filename[:200], actor=actor, state="queued",
                        rows_total=rows_total, rows_done=0)
        s.add(job)
        audit.record(s, actor, "import.start", "import_job", job.id, None,
                     {"filename": job.filename, "rows_total": rows_total})
        s.flush()
        return service.job_public(job)


def run_job(db, job_id: str, actor: str, parsed: list) -> None:
    try:
        with db.transaction() as s:
            repository.set_running(s, job_id)
        report = run_import(db, actor, parsed, job_id)
        with db.transaction() as s:
            repository.finish(s, job_id, state="done", rows_done=report["rows"], report=orjson.dumps(report).decode())
    except Exception as e:  # noqa: BLE001 - the job records why it stopped; chunks done stay done
        log.exception("import job failed", job_id=job_id)
        JOB_FAILURES.labels("registry", "import_job").inc()
        try:
            with db.transaction() as s:
                repository.finish(s, job_id, state="failed", error=repr(e)[:2000])
        except Exception:  # noqa: BLE001 - the job keeper marks it at the next start; logged and counted here
            log.exception("import job failure not recorded", job_id=job_id)


def start(app, job_id: str, actor: str, parsed: list) -> None:
    """Run the job in a worker thread; the task is kept so it is not collected, and awaited at stop."""
    tasks = getattr(app.state, "import_tasks", None)
    if tasks is None:
        tasks = app.state.import_tasks = set()
    task = asyncio.get_running_loop().create_task(asyncio.to_thread(run_job, app.state.db, job_id, actor, parsed))
    tasks.add(task)
    task.add_done_callback(tasks.discard)


async def job_keeper(app) -> None:
    """At start, jobs a stopped process left running are marked failed (their committed chunks
    stay: importing the file again is idempotent); at stop, running imports are awaited."""
    def interrupted():
        with app.state.db.transaction() as s:
            return repository.fail_unfinished(s, ("服务重启，任务中断；请重新导入该文件（重复导入不会重复登记） / "
                                                 "interrupted by a restart; import the file again (idempotent)"))
    try:
        n = await asyncio.to_thread(interrupted)
        if n:
            log.warning("import jobs interrupted by a restart", jobs=n)
        await asyncio.Event().wait()
    finally:
        tasks = list(getattr(app.state, "import_tasks", None) or ())
        if tasks:
            await asyncio.shield(asyncio.gather(*tasks, return_exceptions=True))
