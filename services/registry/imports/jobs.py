"""Recognition-list imports run now (the synchronous endpoint) or as a background job.

An import is all or nothing: every row is checked first (pure), then the valid rows are applied in
chunks of one transaction, committed once at the end. A job cancelled before that commit, or one
that fails or is interrupted, leaves nothing applied; a preview (dry run) runs the same transaction
and rolls it back, so its report is exactly what the import would do. While the transaction is
open its progress and a cancellation pass through this process's memory (on SQLite nothing else
can be written meanwhile); the cancel flag in the table reaches a runner in another process.
The use cases it calls never commit.
"""
import asyncio
import uuid

import orjson
import structlog

from services.registry.imports import repository, service
from services.registry.imports.schemas import ImportJobPublic
from services.registry.tables import ImportJob
from shared import audit
from shared.app import JOB_FAILURES
from shared.auth import Principal
from shared.errors import Problem, not_found

log = structlog.get_logger()
IMPORT_CHUNK = 500
NOTHING_APPLIED = "未导入任何行（导入在最后一次性提交） / nothing was applied (an import commits all at once)"
_live: dict[str, int] = {}  # job id → rows done, for the jobs running in this process
_cancelled: set[str] = set()  # jobs asked to stop: a runner in this process sees it at its next chunk


class Cancelled(Exception):
    """The job was cancelled before its transaction committed: nothing is applied."""


class _Preview(Exception):
    """Rolls a dry run's transaction back, carrying what it would have done."""

    def __init__(self, tally: service.Tally):
        super().__init__("dry run")
        self.tally = tally


def run_import(db, actor: str, parsed: list, *, mode: str = "import", dry_run: bool = False,
               job_id: str | None = None, should_stop=None) -> dict:
    """Check a parsed list (rows from parsing.read_list_file), then apply it in one transaction
    (rolled back for a dry run); returns the report. A job's end (done, with the report) is written in
    that same transaction, so an import committed is never a job read as failed or interrupted. Raises
    Cancelled when should_stop() says so before the commit."""
    stop = should_stop or (lambda: False)
    planned, valid = service.plan(parsed, mode, dry_run)
    checked = planned["rows"] - len(valid)  # skipped and rejected rows are done once checked
    if job_id:
        _live[job_id] = checked

    def work(s):
        tally = service.Tally()
        for start in range(0, len(valid), IMPORT_CHUNK):
            if stop():
                raise Cancelled
            chunk = valid[start:start + IMPORT_CHUNK]
            service.apply(s, actor, chunk, tally, backfill=mode == "backfill")
            s.flush()
            if job_id:
                _live[job_id] = checked + start + len(chunk)
        if stop():  # the last look before the commit
            raise Cancelled
        if dry_run:
            raise _Preview(tally)
        report = _report(planned, tally, applied=True)
        if job_id:
            repository.finish(s, job_id, state="done", rows_done=report["rows"], report=orjson.dumps(report).decode())
        return report
    try:  # another import of the same rows racing this one: the rerun finds them (unchanged)
        return db.retrying(work)
    except _Preview as p:
        return _report(planned, p.tally, applied=False)


def _report(planned: dict, tally, applied: bool) -> dict:
    """The plan's report with what applying it did (a new dict: a retried transaction starts again)."""
    rejected = sorted(planned["rejected"] + tally.refused, key=lambda x: x["row"])
    return {**planned, "created": tally.created, "unchanged": tally.unchanged,
            "enterprises_created": len(tally.new_firms), "enterprises_changed": len(tally.changed_firms),
            "applied": applied, "rejected": rejected}


def create_job(db, actor: str, filename: str, rows_total: int, mode: str = "import",
               dry_run: bool = False) -> ImportJobPublic:
    with db.transaction() as s:
        job = ImportJob(id=str(uuid.uuid4()), filename=filename[:200], actor=actor, state="queued", mode=mode,
                        dry_run=dry_run, cancel_requested=False, rows_total=rows_total, rows_done=0)
        s.add(job)
        if not dry_run:  # a preview changes nothing but its own job record
            audit.record(s, actor, "import.start", "import_job", job.id, None,
                         {"filename": job.filename, "rows_total": rows_total, "mode": mode})
        s.flush()
        return service.job_public(job)


def _stop_requested(db, job_id: str) -> bool:
    if job_id in _cancelled:
        return True
    with db.reader() as s:  # a cancel recorded through another process
        job = s.get(ImportJob, job_id)
        return bool(job and job.cancel_requested)


def run_job(db, job_id: str, actor: str, parsed: list, mode: str = "import", dry_run: bool = False) -> None:
    try:
        if _stop_requested(db, job_id):
            raise Cancelled
        with db.transaction() as s:
            repository.set_running(s, job_id)
        report = run_import(db, actor, parsed, mode=mode, dry_run=dry_run, job_id=job_id,
                            should_stop=lambda: _stop_requested(db, job_id))
        if dry_run:  # a preview committed nothing of the import: its end is written on its own
            with db.transaction() as s:
                repository.finish(s, job_id, state="done", rows_done=report["rows"],
                                  report=orjson.dumps(report).decode())
    except Cancelled:
        log.info("import job cancelled", job_id=job_id)
        _finish_quietly(db, job_id, state="cancelled", rows_done=0, error=f"已取消 / cancelled: {NOTHING_APPLIED}")
    except Exception as e:  # noqa: BLE001 - the job records why it stopped; its transaction rolled back
        log.exception("import job failed", job_id=job_id)
        JOB_FAILURES.labels("registry", "import_job").inc()
        _finish_quietly(db, job_id, state="failed", rows_done=0, error=f"{NOTHING_APPLIED}: {repr(e)[:1800]}")
    finally:
        _live.pop(job_id, None)
        _cancelled.discard(job_id)


def _finish_quietly(db, job_id: str, **values) -> None:
    try:
        with db.transaction() as s:
            repository.finish(s, job_id, **values)
    except Exception:  # noqa: BLE001 - the job keeper marks it at the next start; logged and counted here
        log.exception("import job end not recorded", job_id=job_id)


def live_rows_done(job_id: str) -> int | None:
    return _live.get(job_id)


def cancel(db, who: Principal, job_id: str) -> ImportJobPublic:
    """Ask a queued or running job to stop: it then ends `cancelled` with nothing applied. A job
    already done or failed: 409 (a done import stays applied; import a correction instead)."""
    with db.reader() as s:
        job = repository.readable_one(s, who, job_id)
        if job is None:
            raise not_found("导入任务", "Import job", job_id)
        _refuse_finished(job)
    _cancelled.add(job_id)  # seen by a runner in this process at once, even while it holds the write lock
    with db.transaction() as s:  # on SQLite this waits for a running job to roll back (it saw the set)
        n = repository.request_cancel(s, job_id)
        if n:
            audit.record(s, who.actor, "import.cancel", "import_job", job_id, None, {"cancel_requested": True})
    if not n:  # it ended meanwhile
        _cancelled.discard(job_id)
        raise Problem(409, "import-job-finished", "导入任务已结束，无法取消", "The import job has already ended")
    with db.reader() as s:
        job = repository.readable_one(s, who, job_id)
        return service.job_public(job, live_rows_done(job_id))


def _refuse_finished(job: ImportJob) -> None:
    if job.state in ("done", "failed"):
        applied = "已导入，如需更正请导入更正名单" if job.state == "done" and not job.dry_run else "未导入任何行"
        raise Problem(409, "import-job-finished", f"导入任务已{'完成' if job.state == 'done' else '失败'}，无法取消（{applied}）",
                      f"The import job is already {job.state}: it cannot be cancelled", state=job.state)


def start(app, job_id: str, actor: str, parsed: list, mode: str = "import", dry_run: bool = False) -> None:
    """Run the job in a worker thread; the task is kept so it is not collected, and awaited at stop."""
    tasks = getattr(app.state, "import_tasks", None)
    if tasks is None:
        tasks = app.state.import_tasks = set()
    task = asyncio.get_running_loop().create_task(
        asyncio.to_thread(run_job, app.state.db, job_id, actor, parsed, mode, dry_run))
    tasks.add(task)
    task.add_done_callback(tasks.discard)


async def job_keeper(app) -> None:
    """At start, jobs a stopped process left queued or running are marked failed (their
    transaction never committed: nothing of them is applied); at stop, running imports are awaited."""
    def interrupted():
        with app.state.db.transaction() as s:
            return repository.fail_unfinished(s, f"服务重启，任务中断；请重新导入该文件 / interrupted by a restart; "
                                                 f"import the file again. {NOTHING_APPLIED}")
    try:
        n = await asyncio.to_thread(interrupted)
        if n:
            log.warning("import jobs interrupted by a restart", jobs=n)
        await asyncio.Event().wait()
    finally:
        tasks = list(getattr(app.state, "import_tasks", None) or ())
        if tasks:
            await asyncio.shield(asyncio.gather(*tasks, return_exceptions=True))
