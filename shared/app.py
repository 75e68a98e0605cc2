"""One FastAPI application shape for every service: auth, problems, idempotency, health,
metrics, the outbox relay and the durable consumer, started and stopped with the app."""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import structlog
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import MetaData, delete, func, select

from shared import errors, logs, openapi, tracing
from shared.asyncapi import document as asyncapi_document
from shared.auth import Caller, Verifier
from shared.bus import Bus
from shared.db import Database, utcnow
from shared.errors import Problem, not_found
from shared.handlers import Handlers
from shared.idempotency import IdempotencyMiddleware
from shared.limits import BodyLimitMiddleware
from shared.migrate import upgrade
from shared.policy import policy_router
from shared.schemas import RowId
from shared.settings import Settings
from shared.tables import DeadLetter, Inbox, Outbox

OUTBOX_PENDING = Gauge("srdi_outbox_pending", "Events waiting in the outbox", ["service"])
DEAD_LETTERS = Gauge("srdi_dead_letters", "Dead letters not yet replayed", ["service"])
JOB_FAILURES = Counter("srdi_background_job_failures_total", "Failed passes of a background job (expiry sweep, …)",
                       ["service", "job"])
BUS_STALLED = Gauge("srdi_bus_stalled_seconds", "How long the relay or consumer has been stuck past the allowance",
                    ["service", "part"])
CONSUMER_LAG = Gauge("srdi_consumer_lag", "Messages not yet delivered or not yet acked", ["service"])
LATENCY = Histogram("srdi_http_request_seconds", "Request latency", ["service", "method", "route", "status"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5))


@dataclass
class ServiceSpec:
    name: str
    title: str
    router: APIRouter
    metadata: MetaData
    migrations: Path
    handlers: Handlers = field(default_factory=Handlers)  # the service's handlers.py
    # Background jobs: async callables taking the app, run while the service runs.
    jobs: list[Callable] = field(default_factory=list)
    # Roles that may add a policy version (PUT /api/v1/policy) in this service.
    policy_writers: tuple[str, ...] = ("econ",)
    # The service's own check of a new policy value (shared.policy.Validator), beyond its kind.
    policy_validator: Callable | None = None


def every(name: str, step: Callable, interval: Callable) -> Callable:
    """A background job for ServiceSpec.jobs: run the blocking `step(app)` in a thread, log and
    count a failure (`srdi_background_job_failures_total`; it is retried next time), wait `interval(app)` seconds, repeat while the service runs."""
    async def job(app) -> None:
        while True:
            try:
                await asyncio.to_thread(step, app)
            except Exception:  # noqa: BLE001 - logged and counted; the next pass retries
                structlog.get_logger().exception("background job failed", job=name)
                JOB_FAILURES.labels(app.state.service, name).inc()
            await asyncio.sleep(interval(app))
    job.__name__ = name
    return job


class RequestContextMiddleware:
    """Request latency for Prometheus, and a correlation id (X-Request-ID, taken from the caller
    or made here) bound into the logs and carried into every event the request emits."""

    def __init__(self, app, service: str):
        self.app, self.service = app, service
        self._latency: dict[tuple, object] = {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, status = time.perf_counter(), [500]
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode(errors="replace")[:64]
        request_id = given if given.isprintable() and given else os.urandom(16).hex()
        traceparent = tracing.child(dict(scope["headers"]).get(b"traceparent", b"").decode(errors="replace"))
        structlog.contextvars.bind_contextvars(correlation_id=request_id, traceparent=traceparent,
                                               trace_id=tracing.trace_id(traceparent))

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            key = (scope["method"], getattr(route, "path", "unmatched"), status[0])
            child = self._latency.get(key)
            if child is None:  # labels() takes a lock and builds a key: once per route and status
                child = self._latency[key] = LATENCY.labels(self.service, *key)
            child.observe(time.perf_counter() - start)


def create_app(spec: ServiceSpec, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    logs.configure(settings.log_level)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.verifier = Verifier.from_settings(settings)  # public keys only; refuses to start without one
        db = Database(settings.db_url(spec.name), settings.sqlite_busy_timeout_ms)
        if settings.migrate_on_start:
            await asyncio.to_thread(upgrade, db.engine, spec.name, spec.migrations, spec.metadata)
        bus = Bus(settings, spec.name, db, spec.handlers)
        app.state.db, app.state.bus = db, bus
        await bus.start()
        jobs = [asyncio.create_task(job(app)) for job in (*spec.jobs, inbox_pruner)] if settings.background_jobs else []
        try:
            yield
        finally:
            for job in jobs:
                job.cancel()
            await asyncio.gather(*jobs, return_exceptions=True)
            await bus.stop()
            db.dispose()

    app = FastAPI(title=spec.title, version="1.0.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description=f"SRDI suite — {spec.name} service. Errors are RFC 9457 problem+json.")
    app.state.settings = settings
    app.state.service = spec.name
    app.state.handlers = spec.handlers
    errors.install(app)
    openapi.complete(app)
    openapi.serve_docs(app)
    app.include_router(spec.router, prefix="/api/v1")
    app.include_router(policy_router(spec.policy_writers, spec.policy_validator), prefix="/api/v1")
    app.include_router(ops_router(spec.name))
    app.add_middleware(IdempotencyMiddleware, state=app.state)
    app.add_middleware(BodyLimitMiddleware, state=app.state)  # outside: no body is read past the limit
    app.add_middleware(RequestContextMiddleware, service=spec.name)
    return app


Operator = Caller("econ")
Observer = Caller("econ", "auditor")


def ops_router(service: str) -> APIRouter:
    r = APIRouter()

    @r.get("/healthz", tags=["ops"])
    async def healthz():
        return {"status": "ok", "service": service}

    @r.get("/readyz", tags=["ops"])
    async def readyz(request: Request):
        """Ready when the database answers, NATS is connected, the relay and consumer loops run,
        and neither has been stuck with work in hand for longer than SRDI_STALL_AFTER_S."""
        db_ok = await asyncio.to_thread(request.app.state.db.ping)
        bus = request.app.state.bus
        problems = bus.health.problems()
        body = {"service": service, "database": db_ok, "nats": bus.connected, "bus": problems or "ok"}
        return JSONResponse(body, status_code=200 if db_ok and bus.connected and not problems else 503)

    @r.get("/asyncapi.json", tags=["ops"])
    async def asyncapi(request: Request):
        """AsyncAPI 3.0: the events this service sends and receives, from their typed payloads."""
        return asyncapi_document(service, request.app.state.handlers)

    @r.get("/metrics", tags=["ops"])
    async def metrics(request: Request):
        """Prometheus text; the backlog gauges are read at scrape time."""
        state = request.app.state
        try:
            pending, dead = await asyncio.to_thread(_backlog, state.db)
            OUTBOX_PENDING.labels(service).set(pending)
            DEAD_LETTERS.labels(service).set(dead)
            for part in ("relay", "consumer"):
                BUS_STALLED.labels(service, part).set(state.bus.health.stalled(part))
            if state.bus.connected and state.bus.handlers:
                async with asyncio.timeout(2):
                    info = await state.bus.js.consumer_info(state.settings.stream, service)
                CONSUMER_LAG.labels(service).set(info.num_pending + info.num_ack_pending)
        except Exception:  # noqa: BLE001 - a scrape still answers while the database or NATS is away
            pass
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @r.get("/api/v1/admin/events", tags=["ops"])
    def event_status(request: Request, _: Observer):
        """Outbox backlog and dead letters of this service."""
        with request.app.state.db.reader() as s:
            pending = s.scalar(select(func.count()).select_from(Outbox).where(Outbox.published_at.is_(None)))
            dead = s.scalars(select(DeadLetter).order_by(DeadLetter.id).limit(500)).all()
            return {"outbox_pending": pending,
                    "dead_letters": [{"id": d.id, "event_id": d.event_id, "subject": d.subject,
                                      "error": d.error, "failed_at": d.failed_at.isoformat() + "Z",
                                      "replayed_at": d.replayed_at and d.replayed_at.isoformat() + "Z"}
                                     for d in dead]}

    @r.post("/api/v1/admin/dead-letters/{dead_letter_id}/replay", tags=["ops"])
    def replay_dead_letter(dead_letter_id: RowId, request: Request, _: Operator):
        """Run a dead-lettered event through the handler again (after the cause is fixed)."""
        try:
            outcome = request.app.state.bus.replay_dead_letter(dead_letter_id)
        except Exception as e:  # noqa: BLE001 - the handler's own failure, reported, not a 500
            raise Problem(409, "replay-failed", f"重放仍然失败：{e!r}", f"Replay failed again: {e!r}") from e
        if outcome is None:
            raise not_found("死信", "Dead letter", str(dead_letter_id))
        return {"id": dead_letter_id, "outcome": outcome}

    @r.post("/api/v1/admin/replay", tags=["ops"], status_code=202)
    async def replay_stream(request: Request, _: Operator, since: dt.datetime | None = None,
                            from_sequence: Annotated[int, Query(ge=1, le=2**63 - 1)] | None = None):
        """Deliver the event stream to this service again — all of it, or from a time (`since`,
        ISO 8601) or a stream sequence (`from_sequence`); handled events change nothing."""
        bus = request.app.state.bus
        if not bus.connected:
            raise Problem(503, "nats-down", "消息服务不可用", "NATS is not reachable")
        if since is not None and from_sequence is not None:
            raise Problem(422, "replay-start", "since 与 from_sequence 只能给出一个", "Give since or from_sequence, not both",
                          errors=[{"loc": ["query", "since"], "msg": "with from_sequence", "type": "value"}])
        if from_sequence is not None:  # checked before the consumer is touched: past the end it would be deaf
            last = (await bus.js.stream_info(request.app.state.settings.stream)).state.last_seq
            if from_sequence > last + 1:
                raise Problem(422, "replay-start", f"from_sequence 超出事件流末尾（当前最后序号 {last}）",
                              f"from_sequence is past the end of the stream (last sequence {last})",
                              errors=[{"loc": ["query", "from_sequence"], "msg": f"> {last + 1}", "type": "value"}])
        if since is not None:
            try:
                since = (since if since.tzinfo else since.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
            except (OverflowError, ValueError):
                since = None
            if since is None or not dt.datetime(2000, 1, 1, tzinfo=dt.UTC) <= since <= dt.datetime.now(dt.UTC):
                raise Problem(422, "bad-since", "since 应为 2000 年以后、不晚于现在的时间（ISO 8601）",
                              "since must be a time (ISO 8601) from 2000 on and not after now",
                              errors=[{"loc": ["query", "since"], "msg": "out of range", "type": "value"}])
        await bus.replay_stream(since, from_sequence)
        return {"service": service, "replay": "started", "since": since and since.isoformat(),
                "from_sequence": from_sequence}

    return r


def prune_inbox(app) -> None:
    """Forget handled event ids older than the stream's retention: the stream no longer holds those
    events, so no redelivery or replay can bring them back."""
    days = app.state.settings.stream_max_age_days
    if days:
        cutoff = utcnow() - dt.timedelta(days=days + 1)
        with app.state.db.transaction() as s:
            s.execute(delete(Inbox).where(Inbox.handled_at < cutoff))


inbox_pruner = every("inbox_pruner", prune_inbox, lambda app: 6 * 3600)


def _backlog(db: Database) -> tuple[int, int]:
    with db.reader() as s:
        pending = s.scalar(select(func.count()).select_from(Outbox).where(Outbox.published_at.is_(None)))
        dead = s.scalar(select(func.count()).select_from(DeadLetter).where(DeadLetter.replayed_at.is_(None)))
    return pending, dead
