"""One FastAPI application shape for every service: auth, problems, idempotency, health,
metrics, the outbox relay and the durable consumer, started and stopped with the app."""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import structlog
from fastapi import APIRouter, FastAPI
from prometheus_client import Counter, Histogram
from sqlalchemy import MetaData, delete

from shared import errors, logs, openapi, ops, tracing
from shared.audit import audit_router
from shared.auth import Verifier
from shared.bus import Bus
from shared.db import Database, utcnow
from shared.handlers import Handlers
from shared.hotpath import HotRead, HotReadMiddleware
from shared.idempotency import IdempotencyMiddleware
from shared.limits import BodyLimitMiddleware
from shared.migrate import upgrade
from shared.policy import Codes, Ranges, checked, policy_router
from shared.settings import Settings
from shared.tables import Inbox

JOB_FAILURES = Counter("srdi_background_job_failures_total", "Failed passes of a background job (expiry sweep, …)",
                       ["service", "job"])
LATENCY = Histogram("srdi_http_request_seconds", "Request latency", ["service", "method", "route", "status"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5))


@dataclass
class ServiceSpec:
    name: str
    title: str
    routers: tuple[APIRouter, ...]  # one per sub-domain, each mounted under /api/v1 (one level: no nesting)
    metadata: MetaData
    migrations: Path
    handlers: Handlers = field(default_factory=Handlers)  # the service's handlers.py
    # Background jobs: async callables taking the app, run while the service runs.
    jobs: list[Callable] = field(default_factory=list)
    # Roles that may add a policy version (PUT /api/v1/policy) in this service.
    policy_writers: tuple[str, ...] = ("econ",)
    # The service's own check of a new policy value (shared.policy.Validator), beyond its kind.
    policy_validator: Callable | None = None
    # The service's coded parameters (shared.policy.Codes): key → {code: name}; others are refused.
    policy_codes: Codes = field(default_factory=dict)
    # Its counted parameters' ranges (shared.policy.Ranges): key or "prefix." → (least, most).
    policy_ranges: Ranges = field(default_factory=dict)
    # Its check of the policy as a whole after a change (shared.policy.Consistency): parameters that
    # hold only together.
    policy_consistency: Callable | None = None
    # Roles that read the audit log (GET /api/v1/audit-log); by default the auditor, the lead
    # bureau and the service's own department (its policy_writers).
    audit_readers: tuple[str, ...] | None = None
    # The busiest reads, answered before FastAPI's routing in their common case (shared.hotpath).
    hot_reads: tuple[HotRead, ...] = ()

    def audit_roles(self) -> tuple[str, ...]:
        return self.audit_readers or tuple(dict.fromkeys(("auditor", "econ", *self.policy_writers)))


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
    """Request latency for Prometheus, a span under the caller's `traceparent` (shared.tracing), and a
    correlation id (X-Request-ID, taken from the caller or made here) bound into the logs and carried,
    with the span's traceparent, into every event the request emits."""

    def __init__(self, app, service: str):
        self.app, self.service = app, service
        self._latency: dict[tuple, object] = {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start, status = time.perf_counter(), [500]
        headers = dict(scope["headers"])
        given = headers.get(b"x-request-id", b"").decode(errors="replace")[:64]
        request_id = given if given.isprintable() and given else os.urandom(16).hex()
        caller = headers.get(b"traceparent", b"").decode(errors="replace")
        with tracing.span(scope["method"], caller or None, tracing.SERVER, self.service,
                          **{"http.request.method": scope["method"], "url.path": scope["path"]}) as traced:
            traceparent = traced.traceparent
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
                traced.finish(f"{key[0]} {key[1]}", status[0] >= 500, **{"http.response.status_code": status[0]})
                child = self._latency.get(key)
                if child is None:  # labels() takes a lock and builds a key: once per route and status
                    child = self._latency[key] = LATENCY.labels(self.service, *key)
                child.observe(time.perf_counter() - start)


def create_app(spec: ServiceSpec, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    logs.configure(settings.log_level)
    tracing.configure(spec.name)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        settings.check(spec.name)
        app.state.verifier = Verifier.from_settings(settings)  # public keys only; refuses to start without one
        db = Database(settings.db_url(spec.name), settings.sqlite_busy_timeout_ms)
        if settings.migrate_on_start:
            await asyncio.to_thread(upgrade, db.engine, spec.name, spec.migrations, spec.metadata)
        db.checkpoint_in_background(settings.sqlite_checkpoint_every_s)
        bus = Bus(settings, spec.name, db, spec.handlers)
        app.state.db, app.state.bus = db, bus
        await bus.start()
        jobs = [asyncio.create_task(job(app)) for job in (*spec.jobs, inbox_pruner)] if settings.background_jobs else []
        if settings.gc_threshold:
            tune_gc(settings.gc_threshold)
        try:
            yield
        finally:
            for job in jobs:
                job.cancel()
            await asyncio.gather(*jobs, return_exceptions=True)
            await bus.stop()
            db.dispose()

    app = FastAPI(title=spec.title, version="1.0.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description=f"房山区专精特新企业梯度培育协同平台 — {spec.name} 服务。令牌：Bearer（EdDSA）；"
                              "错误为 RFC 9457 problem+json，中文与英文并列；写请求可带 Idempotency-Key。/ "
                              f"SRDI suite — the {spec.name} service. Bearer tokens (EdDSA); errors are RFC 9457 "
                              "problem+json in Chinese and English; writes take an Idempotency-Key.")
    app.state.settings = settings
    app.state.service = spec.name
    app.state.handlers = spec.handlers
    errors.install(app)
    openapi.complete(app)
    for router in spec.routers:  # first: routes are matched in order (the hot read path)
        app.include_router(router, prefix="/api/v1")
    app.include_router(policy_router(spec.policy_writers,
                                     checked(spec.policy_codes, spec.policy_ranges, spec.policy_validator),
                                     spec.policy_consistency), prefix="/api/v1")
    app.include_router(audit_router(spec.audit_roles()), prefix="/api/v1")
    app.include_router(ops.ops_router(spec.name))
    openapi.serve_docs(app)
    app.add_middleware(IdempotencyMiddleware, state=app.state)
    app.add_middleware(BodyLimitMiddleware, state=app.state)  # outside: no body is read past the limit
    if spec.hot_reads:
        app.add_middleware(HotReadMiddleware, reads=spec.hot_reads, state=app.state, service=spec.name)
    app.add_middleware(RequestContextMiddleware, service=spec.name)
    return app


_GC_FROZEN = False


def tune_gc(threshold: int) -> None:
    """Freeze what startup made (once a process: a test run starts many apps) and collect the
    first generation less often (Settings.gc_threshold)."""
    global _GC_FROZEN
    if not _GC_FROZEN:
        gc.collect()
        gc.freeze()
        _GC_FROZEN = True
    gc.set_threshold(threshold, 50, 100)


def prune_inbox(app) -> None:
    """Forget handled event ids older than the stream's retention: the stream no longer holds those
    events, so no redelivery or replay can bring them back."""
    days = app.state.settings.stream_max_age_days
    if days:
        cutoff = utcnow() - dt.timedelta(days=days + 1)
        with app.state.db.transaction() as s:
            s.execute(delete(Inbox).where(Inbox.handled_at < cutoff))


inbox_pruner = every("inbox_pruner", prune_inbox, lambda app: 6 * 3600)
