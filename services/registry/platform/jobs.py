"""Calls to the municipal platform as background jobs: the request answers 202 at once, and the job
(a row in platform_job) is polled. A transient failure (timeouts, 5xx, a rate limit outlasting the
client's waits) is retried with backoff (shared.faults.backoff); a refusal or an off-contract answer
fails the job at once. Every failure is logged, counted (srdi_background_job_failures_total) and
kept on the job (`last_error`), where GET /platform-jobs?state=failed shows it to an operator.

Resending is safe: a recommendation's batch id is derived from its content (the platform keeps it
once) and a sync imports idempotently; so a job a stopped process left unfinished is resumed at
the next start.
"""
from __future__ import annotations

import asyncio
import contextvars
import time
import uuid
from dataclasses import dataclass

import orjson
import structlog
from sqlalchemy.orm import Session

from services.registry.imports import jobs as imports
from services.registry.imports import service as import_service
from services.registry.platform import client
from services.registry.platform import repository as repo
from services.registry.platform.schemas import PlatformJobPublic
from services.registry.tables import ImportJob, PlatformJob
from shared import audit
from shared.app import JOB_FAILURES
from shared.faults import backoff

log = structlog.get_logger()


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 8  # with the client's own retries inside each: about a minute of outage is ridden out
    backoff_cap_s: float = 60.0


def policy(app) -> RetryPolicy:
    return getattr(app.state, "platform_retry", None) or RetryPolicy()


def configured(app) -> client.MunicipalPlatform | None:
    """The platform client: app.state.municipal_platform (tests, embedding), else from settings."""
    return (getattr(app.state, "municipal_platform", None)
            or client.HttpMunicipalPlatform.from_settings(app.state.settings))


def job_public(job: PlatformJob) -> PlatformJobPublic:
    return PlatformJobPublic.model_validate({
        "id": job.id, "kind": job.kind, "state": job.state, "attempts": job.attempts, "last_error": job.last_error,
        "request": orjson.loads(job.request), "result": orjson.loads(job.result) if job.result else None,
        "actor": job.actor, "created_at": job.created_at, "started_at": job.started_at,
        "finished_at": job.finished_at})


def create(s: Session, actor: str, kind: str, request: dict) -> PlatformJob:
    """A queued job, in the caller's transaction (a recommendation version commits with its job)."""
    job = PlatformJob(id=str(uuid.uuid4()), kind=kind, request=orjson.dumps(request).decode(), actor=actor)
    s.add(job)
    s.flush()
    audit.record(s, actor, f"platform_job.{kind}", "platform_job", job.id, None, {"kind": kind, "request": request})
    return job


def start(app, platform: client.MunicipalPlatform, job_id: str) -> None:
    """Run the job on the service's loop; the task is kept so it is not collected, and awaited at stop."""
    tasks = getattr(app.state, "platform_tasks", None)
    if tasks is None:
        tasks = app.state.platform_tasks = set()
    # A context of its own: the job's transactions never join the request's (shared.db.REQUEST_TRANSACTION).
    task = asyncio.get_running_loop().create_task(run(app, platform, job_id), context=contextvars.Context())
    tasks.add(task)
    task.add_done_callback(tasks.discard)


def _stopping(app) -> asyncio.Event:
    ev = getattr(app.state, "platform_stopping", None)
    if ev is None:
        ev = app.state.platform_stopping = asyncio.Event()
    return ev


async def run(app, platform: client.MunicipalPlatform, job_id: str) -> None:
    db = app.state.db

    def tx(fn, *args):
        with db.transaction() as s:
            return fn(s, *args)
    try:
        job = await _committed(db, job_id)
        if job is None:
            return
        pol, n = policy(app), job.attempts  # a resumed job goes on counting
        while True:
            n += 1
            await asyncio.to_thread(tx, repo.attempt, job_id, n)
            try:
                outcome = await (platform.recommend(job.request["year"], job.request["tier"], job.request["usccs"])
                                 if job.kind == "recommend" else platform.published_rows())
                break
            except client.PlatformError as e:
                error = f"市级平台：{e.zh} / municipal platform: {e.en}"
                if not e.transient or n >= pol.attempts:
                    await asyncio.to_thread(_failed, db, job_id, job.actor, error, n)
                    return
                log.warning("platform job attempt failed; retrying", job_id=job_id, attempt=n, error=e.en)
                await asyncio.to_thread(tx, repo.failed_attempt, job_id, error)
                try:  # the backoff, cut short when the service stops (the job resumes at the next start)
                    await asyncio.wait_for(_stopping(app).wait(), backoff(n, pol.backoff_cap_s))
                    return
                except TimeoutError:
                    pass
        if job.kind == "recommend":
            await asyncio.to_thread(tx, _sent, job, outcome)
        else:
            await asyncio.to_thread(_imported, db, job, outcome)
    except Exception as e:
        log.exception("platform job failed", job_id=job_id)
        try:
            await asyncio.to_thread(_failed, db, job_id, "system:platform-job", repr(e)[:2000], None)
        except Exception:
            JOB_FAILURES.labels("registry", "platform_job").inc()
            log.exception("platform job failure not recorded", job_id=job_id)


async def _committed(db, job_id: str, wait_s: float = 30.0) -> PlatformJobPublic | None:
    """The job once the request that queued it has committed (a keyed request commits after its
    answer is built); None when it never does (the request was rolled back: there is no job)."""
    def load():
        with db.reader() as s:
            job = repo.get(s, job_id)
            return job_public(job) if job else None
    deadline = time.monotonic() + wait_s
    while (job := await asyncio.to_thread(load)) is None and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    if job is None:
        log.warning("platform job never committed; not run", job_id=job_id)
    return job


def _failed(db, job_id: str, actor: str, error: str, attempts: int | None) -> None:
    JOB_FAILURES.labels("registry", "platform_job").inc()
    log.error("platform job failed", job_id=job_id, attempts=attempts, error=error)
    with db.transaction() as s:
        job = repo.finish(s, job_id, "failed", error=error)
        audit.record(s, actor, "platform_job.failed", "platform_job", job_id, None,
                     {"kind": job.kind, "attempts": job.attempts, "error": error})


def _sent(s: Session, job: PlatformJobPublic, receipt: client.Receipt) -> None:
    result = {"batch_id": receipt.batch_id, "accepted": receipt.accepted, "duplicate": receipt.duplicate}
    repo.finish(s, job.id, "done", result=orjson.dumps(result).decode())
    audit.record(s, job.actor, "platform.recommend", "recommendation", receipt.batch_id, None,
                 {**job.request, **result, "job_id": job.id})


def _imported(db, job: PlatformJobPublic, rows: list) -> None:
    """The published rows applied as an import job (checked like a file's rows; idempotent)."""
    ij = imports.create_job(db, job.actor, "municipal-platform", len(rows))
    imports.run_job(db, ij.id, job.actor, rows)
    with db.transaction() as s:
        done = import_service.job_public(s.get(ImportJob, ij.id))
        result = {"rows": len(rows), "import_job_id": ij.id, "import_state": done.state,
                  "report": done.model_dump(mode="json").get("report")}
        if done.state == "done":
            repo.finish(s, job.id, "done", result=orjson.dumps(result).decode())
            audit.record(s, job.actor, "platform.sync", "platform_job", job.id, None,
                         {"rows": len(rows), "import_job_id": ij.id})
            return
    _failed(db, job.id, job.actor, f"导入任务失败 / the import job failed: {done.error}", job.attempts)


async def job_keeper(app) -> None:
    """At start, jobs a stopped process left unfinished are resumed (resending is idempotent), or
    failed when no platform is configured now; at stop, waiting retries are cut short and running
    calls awaited (their jobs stay unfinished and resume at the next start)."""
    def unfinished():
        with app.state.db.reader() as s:
            return repo.unfinished(s)
    app.state.platform_stopping = asyncio.Event()  # a fresh one for this run of the service
    try:
        ids = await asyncio.to_thread(unfinished)
        platform = configured(app)
        for job_id in ids:
            if platform is None:
                await asyncio.to_thread(_failed, app.state.db, job_id, "system:platform-job",
                                        "服务重启时未配置市级平台 / the platform was not configured at restart", None)
            else:
                start(app, platform, job_id)
        if ids:
            log.warning("platform jobs resumed after a restart", jobs=len(ids))
        await asyncio.Event().wait()
    finally:
        _stopping(app).set()
        tasks = list(getattr(app.state, "platform_tasks", None) or ())
        if tasks:
            await asyncio.shield(asyncio.gather(*tasks, return_exceptions=True))
