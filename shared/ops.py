"""The operations endpoints every service has: liveness, readiness, metrics, its AsyncAPI document,
and the event backlog with its dead letters and replays. Mounted by shared.app."""
# No `from __future__ import annotations`: the role aliases are objects FastAPI must see.
import asyncio
import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
import structlog
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, generate_latest
from pydantic import ConfigDict, Field
from sqlalchemy import func, select

from shared.asyncapi import document as asyncapi_document
from shared.auth import Caller
from shared.db import Database
from shared.errors import Problem, not_found
from shared.schemas import Public, RowId, UtcTime
from shared.sessions import ReadSession
from shared.tables import DeadLetter, Outbox

OUTBOX_PENDING = Gauge("srdi_outbox_pending", "Events waiting in the outbox", ["service"])
DEAD_LETTERS = Gauge("srdi_dead_letters", "Dead letters not yet replayed", ["service"])
BUS_STALLED = Gauge("srdi_bus_stalled_seconds", "How long the relay or consumer has been stuck past the allowance",
                    ["service", "part"])
SCRAPE_ERRORS = Counter("srdi_metrics_backlog_errors_total",
                        "Scrapes that could not read the backlog (database or NATS away): its gauges are stale",
                        ["service"])
CONSUMER_LAG = Gauge("srdi_consumer_lag", "Messages not yet delivered or not yet acked", ["service"])

log = structlog.get_logger()
Operator = Caller("econ")
Observer = Caller("econ", "auditor")


class Health(Public):
    status: Literal["ok"] = Field(description="进程存活 / the process is alive")
    service: str = Field(description="服务名 / the service's name")
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok", "service": "registry"}]})


class Readiness(Public):
    service: str = Field(description="服务名 / the service's name")
    database: bool = Field(description="数据库可用 / the database answers")
    nats: bool = Field(description="已连接 NATS / connected to NATS")
    bus: Literal["ok"] | list[str] = Field(
        description="事件转发与消费是否正常：ok，或问题列表 / the relay and consumer: ok, or what is wrong")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"service": "awards", "database": True, "nats": True, "bus": "ok"},
        {"service": "awards", "database": True, "nats": False, "bus": ["consumer made no progress for 75 s: busy"]}]})


class AsyncApiDocument(Public):
    """AsyncAPI 3.0 文档 / an AsyncAPI 3.0 document (https://www.asyncapi.com/docs/reference/specification/v3.0.0)."""

    asyncapi: str = Field(description="AsyncAPI 版本 / the AsyncAPI version")
    info: dict[str, Any] = Field(description="标题与版本 / title and version")
    channels: dict[str, Any] = Field(description="事件主题 / the channels (event subjects)")
    operations: dict[str, Any] = Field(description="本服务发送与接收的事件 / what this service sends and receives")
    components: dict[str, Any] = Field(description="事件载荷的 JSON Schema / the payloads' JSON Schemas")
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "asyncapi": "3.0.0", "info": {"title": "SRDI awards events", "version": "1.0.0"},
        "channels": {}, "operations": {}, "components": {"schemas": {}, "messages": {}}}]})


class DeadLetterPublic(Public):
    id: int = Field(description="死信编号 / the dead letter's id")
    event_id: str = Field(description="事件编号（CloudEvents id） / the event's CloudEvents id")
    subject: str = Field(description="事件主题 / the event's subject")
    error: str = Field(description="最后一次处理失败的原因 / why handling it last failed")
    failed_at: UtcTime = Field(description="记为死信的时间（UTC） / when it became a dead letter (UTC)")
    replayed_at: UtcTime | None = Field(description="重放时间（UTC），未重放为空 / when it was replayed (UTC), or null")


class EventStatus(Public):
    outbox_pending: int = Field(description="待发送的事件数 / events waiting in the outbox")
    dead_letters: list[DeadLetterPublic] = Field(description="死信（最多 500 条） / dead letters (at most 500)")
    model_config = ConfigDict(json_schema_extra={"examples": [{"outbox_pending": 0, "dead_letters": [
        {"id": 1, "event_id": "0b9d6f1e-2c1a-4f7e-9a55-1f1f3a0c2d11", "subject": "srdi.registry.enterprise.promoted.v1",
         "error": "KeyError('tier')", "failed_at": "2026-12-01T02:03:04Z", "replayed_at": None}]}]})


class DeadLetterReplay(Public):
    id: int = Field(description="死信编号 / the dead letter's id")
    outcome: str = Field(description="重放结果：handled（已处理）或 duplicate（此前已处理） / handled, or duplicate")
    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 1, "outcome": "handled"}]})


class StreamReplay(Public):
    service: str = Field(description="服务名 / the service's name")
    replay: Literal["started"] = Field(description="重放已开始 / the replay has started")
    since: str | None = Field(description="自此时间起（ISO 8601） / from this time (ISO 8601), or null")
    from_sequence: int | None = Field(description="自此序号起 / from this stream sequence, or null")
    events: int | None = Field(None, description=(
        "将重新投递的事件数：本服务订阅的主题上、自起点起的事件（消息服务创建消费者时的计数），未知为空 / how many "
        "events are delivered again: those on this service's subjects from the start asked, as NATS counted "
        "them when it created the consumer; null when unknown"))
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"service": "talent", "replay": "started", "since": "2026-11-30T00:00:00+00:00", "from_sequence": None,
         "events": 42}]})


READY_ANSWERS = {503: {"model": Readiness, "description": "未就绪（数据库、NATS 或事件循环有问题） / not ready"}}
METRICS_ANSWER = {200: {"description": "Prometheus 文本格式 / Prometheus text format",
                        "content": {"text/plain": {"schema": {"type": "string"}}}}}


def ops_router(service: str) -> APIRouter:
    r = APIRouter(tags=["ops"])

    @r.get("/healthz", summary="存活检查 / Liveness")
    async def healthz() -> Health:
        """进程存活即答 200。/ Answers 200 while the process runs."""
        return Health(status="ok", service=service)

    @r.get("/readyz", summary="就绪检查 / Readiness", responses=READY_ANSWERS)
    async def readyz(request: Request) -> Readiness:
        """数据库可用、NATS 已连接、事件转发与消费循环在运行且未卡住超过 SRDI_STALL_AFTER_S 时为 200，否则 503。
        / Ready when the database answers, NATS is connected, the relay and consumer loops run, and
        neither has been stuck with work in hand for longer than SRDI_STALL_AFTER_S; else 503."""
        db_ok = await asyncio.to_thread(request.app.state.db.ping)
        bus = request.app.state.bus
        problems = bus.health.problems()
        body = Readiness(service=service, database=db_ok, nats=bus.connected, bus=problems or "ok")
        if db_ok and bus.connected and not problems:
            return body
        return JSONResponse(body.model_dump(mode="json"), status_code=503)

    @r.get("/asyncapi.json", summary="事件目录（AsyncAPI 3.0） / The events (AsyncAPI 3.0)")
    async def asyncapi(request: Request) -> AsyncApiDocument:
        """本服务发送与接收的事件，由其类型化载荷生成。/ The events this service sends and receives,
        generated from their typed payloads (shared.contracts)."""
        return AsyncApiDocument.model_validate(asyncapi_document(service, request.app.state.handlers))

    @r.get("/metrics", summary="Prometheus 指标 / Prometheus metrics", response_class=PlainTextResponse,
           responses=METRICS_ANSWER)
    async def metrics(request: Request):
        """Prometheus 文本；积压指标在抓取时读取。/ Prometheus text; the backlog gauges are read at scrape time."""
        state = request.app.state
        try:
            pending, dead = await asyncio.to_thread(_backlog, state.db)
            OUTBOX_PENDING.labels(service).set(pending)
            DEAD_LETTERS.labels(service).set(dead)
            for part in ("relay", "consumer"):
                BUS_STALLED.labels(service, part).set(state.bus.health.stalled(part))
            if state.bus.handlers:
                if not state.bus.connected:  # the lag is unknown, not the last value read: say so
                    CONSUMER_LAG.labels(service).set(float("nan"))
                    raise ConnectionError("NATS is not connected: the consumer's lag cannot be read")
                async with asyncio.timeout(2):
                    info = await state.bus.js.consumer_info(state.settings.stream, service)
                CONSUMER_LAG.labels(service).set(info.num_pending + info.num_ack_pending)
        except Exception as e:  # noqa: BLE001 - a scrape still answers while the database or NATS is away
            log.warning("metrics: backlog not read", service=service, error=repr(e))
            SCRAPE_ERRORS.labels(service).inc()
        return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @r.get("/api/v1/admin/events", summary="事件积压与死信 / Outbox backlog and dead letters")
    def event_status(_: Observer, session: ReadSession) -> EventStatus:
        """本服务待发送的事件数与死信。/ This service's outbox backlog and its dead letters."""
        pending = session.scalar(select(func.count()).select_from(Outbox).where(Outbox.published_at.is_(None)))
        dead = session.scalars(select(DeadLetter).order_by(DeadLetter.id).limit(500)).all()
        return EventStatus(outbox_pending=pending, dead_letters=[DeadLetterPublic.model_validate(d) for d in dead])

    @r.post("/api/v1/admin/dead-letters/{dead_letter_id}/replay", summary="重放一条死信 / Replay a dead letter")
    def replay_dead_letter(dead_letter_id: Annotated[RowId, Field(description="死信编号 / the dead letter's id")],
                           request: Request, _: Operator) -> DeadLetterReplay:
        """在原因修复后，把一条死信再交给处理函数一次。/ Run a dead-lettered event through its
        handler again, after the cause is fixed."""
        try:
            outcome = request.app.state.bus.replay_dead_letter(dead_letter_id)
        except Exception as e:  # noqa: BLE001 - the handler's own failure, reported, not a 500
            raise Problem(409, "replay-failed", f"重放仍然失败：{e!r}", f"Replay failed again: {e!r}") from e
        if outcome is None:
            raise not_found("死信", "Dead letter", str(dead_letter_id))
        return DeadLetterReplay(id=dead_letter_id, outcome=outcome)

    @r.post("/api/v1/admin/replay", status_code=202, summary="重放事件流 / Replay the event stream")
    async def replay_stream(
            request: Request, _: Operator,
            since: Annotated[dt.datetime | None, Query(
                description="自此时间起（ISO 8601） / from this time (ISO 8601)")] = None,
            from_sequence: Annotated[int | None, Query(
                ge=1, le=2**63 - 1, description="自此事件流序号起 / from this stream sequence")] = None) -> StreamReplay:
        """把事件流再交给本服务一次：全部，或自某时间、某序号起；已处理的事件不再生效。/ Deliver the
        event stream to this service again — all of it, or from a time or a stream sequence; events
        already handled change nothing."""
        bus = request.app.state.bus
        if not bus.connected:
            raise Problem(503, "nats-down", "消息服务不可用", "NATS is not reachable")
        if since is not None and from_sequence is not None:
            raise Problem(422, "replay-start", "起始时间（since）与起始序号（from_sequence）只能给出一个", "Give since or from_sequence, not both",
                          errors=[{"loc": ["query", "since"], "msg": "with from_sequence", "type": "value"}])
        if from_sequence is not None:  # checked before the consumer is touched: past the end it would be deaf
            last = (await bus.js.stream_info(request.app.state.settings.stream)).state.last_seq
            if from_sequence > last + 1:
                raise Problem(422, "replay-start", f"起始序号（from_sequence）超出事件流末尾（当前最后序号 {last}）",
                              f"from_sequence is past the end of the stream (last sequence {last})",
                              errors=[{"loc": ["query", "from_sequence"], "msg": f"> {last + 1}", "type": "value"}])
        if since is not None:
            try:
                since = (since if since.tzinfo else since.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
            except (OverflowError, ValueError):
                since = None
            if since is None or not dt.datetime(2000, 1, 1, tzinfo=dt.UTC) <= since <= dt.datetime.now(dt.UTC):
                raise Problem(422, "bad-since", "起始时间（since）应为 2000 年以后、不晚于现在的时间（ISO 8601 格式）",
                              "since must be a time (ISO 8601) from 2000 on and not after now",
                              errors=[{"loc": ["query", "since"], "msg": "out of range", "type": "value"}])
        events = await bus.replay_stream(since, from_sequence)
        return StreamReplay(service=service, replay="started", since=since and since.isoformat(),
                            from_sequence=from_sequence, events=events)

    return r


def _backlog(db: Database) -> tuple[int, int]:
    with db.reader() as s:
        pending = s.scalar(select(func.count()).select_from(Outbox).where(Outbox.published_at.is_(None)))
        dead = s.scalar(select(func.count()).select_from(DeadLetter).where(DeadLetter.replayed_at.is_(None)))
    return pending, dead
