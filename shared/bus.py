"""NATS JetStream for one service: the outbox relay and the durable, idempotent consumer.

Consistency rules (ARCHITECTURE.md):
- the relay claims unpublished outbox rows by state, with a lease (never "id > last sent"),
  publishes with Nats-Msg-Id = event id, then marks them published;
- the consumer records (consumer, event id) in the inbox in the handler's own transaction,
  and acks only after that commit; a message failing max_deliver times becomes a dead letter.
"""
from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

import nats
import structlog
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig
from prometheus_client import Counter
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared import tracing
from shared.db import Database, utcnow
from shared.events import Event
from shared.settings import Settings
from shared.tables import DeadLetter, Inbox, Outbox

log = structlog.get_logger()
Handler = Callable[[Session, Event], None]

PUBLISHED = Counter("srdi_events_published_total", "Outbox events published", ["service"])
HANDLED = Counter("srdi_events_handled_total", "Events handled by a consumer", ["service", "outcome"])

LEASE = dt.timedelta(seconds=30)  # a relay that dies mid-batch leaves its rows to others after this
BATCH = 100


class Bus:
    def __init__(self, settings: Settings, service: str, db: Database, handlers: dict[str, Handler]):
        self.settings, self.service, self.db, self.handlers = settings, service, db, handlers
        self.nc: nats.NATS | None = None
        self.js = None
        self._tasks: list[asyncio.Task] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()
        self._ready = asyncio.Event()
        db.after_commit_hooks.append(self.kick)

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._tasks = [asyncio.create_task(self._run(), name=f"{self.service}-bus")]

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.nc and not self.nc.is_closed:
            await self.nc.close()

    @property
    def connected(self) -> bool:
        return bool(self.nc and self.nc.is_connected and self._ready.is_set())

    def kick(self) -> None:
        """Wake the relay now (called after every commit, from any thread)."""
        if self._loop and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _run(self) -> None:
        while True:  # connect until it works: a service starts even while NATS is down
            try:
                self.nc = await nats.connect(self.settings.resolved_nats_url(), name=self.service,
                                             max_reconnect_attempts=-1, reconnect_time_wait=0.5,
                                             connect_timeout=2)
                self.js = self.nc.jetstream(timeout=5)
                await ensure_stream(self.js, self.settings)
                break
            except Exception as e:  # noqa: BLE001 - any failure means "not yet"
                _reraise_if_cancelled()
                log.warning("nats not reachable yet", service=self.service, error=str(e))
                if self.nc:
                    await self.nc.close()
                await asyncio.sleep(1)
        self._ready.set()
        tasks = [self._relay()]
        if self.handlers:
            tasks.append(self._consume())
        await asyncio.gather(*tasks)

    # -- relay -----------------------------------------------------------------------------
    def _claim(self) -> list[tuple[str, str, str]]:
        now = utcnow()
        with self.db.transaction() as s:
            stmt = (select(Outbox.id, Outbox.subject, Outbox.payload)
                    .where(Outbox.published_at.is_(None),
                           or_(Outbox.claimed_until.is_(None), Outbox.claimed_until < now))
                    .order_by(Outbox.created_at).limit(BATCH))
            if not self.db.is_sqlite:
                stmt = stmt.with_for_update(skip_locked=True)
            rows = [tuple(r) for r in s.execute(stmt)]
            if rows:
                s.execute(update(Outbox).where(Outbox.id.in_([r[0] for r in rows]))
                          .values(claimed_until=now + LEASE, attempts=Outbox.attempts + 1))
        return rows

    def _settle(self, sent: list[str], failed: list[str]) -> None:
        with self.db.transaction() as s:
            if sent:
                s.execute(update(Outbox).where(Outbox.id.in_(sent)).values(published_at=utcnow()))
            if failed:  # release at once so the next pass retries them
                s.execute(update(Outbox).where(Outbox.id.in_(failed)).values(claimed_until=None))

    async def relay_once(self) -> int:
        rows = await asyncio.to_thread(self._claim)
        sent: list[str] = []
        failed: list[str] = []
        for i, (event_id, subject, payload) in enumerate(rows):
            try:
                await self.js.publish(subject, payload.encode(), headers={"Nats-Msg-Id": event_id})
                sent.append(event_id)
            except Exception as e:  # noqa: BLE001 - NATS down: the rows wait in the outbox
                log.warning("publish failed; events stay in the outbox", service=self.service, error=str(e))
                failed = [r[0] for r in rows[i:]]  # keep order: stop at the first failure
                break
        if rows:
            await asyncio.to_thread(self._settle, sent, failed)
            PUBLISHED.labels(self.service).inc(len(sent))
        if failed:
            raise ConnectionError("publish failed")
        return len(sent)

    async def _relay(self) -> None:
        while True:
            _reraise_if_cancelled()
            self._wake.clear()
            try:
                if await self.relay_once() == BATCH:
                    continue  # more waiting: go on at once
            except Exception:  # noqa: BLE001
                _reraise_if_cancelled()
                await asyncio.sleep(0.5)  # back off while NATS or the database is away
                continue
            try:  # asyncio.timeout, unlike wait_for, never swallows a cancellation (3.11)
                async with asyncio.timeout(self.settings.relay_interval_s):
                    await self._wake.wait()
            except TimeoutError:
                pass

    # -- consumer --------------------------------------------------------------------------
    def consumer_config(self, deliver=DeliverPolicy.ALL) -> ConsumerConfig:
        return ConsumerConfig(durable_name=self.service, ack_policy=AckPolicy.EXPLICIT,
                              deliver_policy=deliver, filter_subjects=sorted(self.handlers),
                              max_deliver=self.settings.max_deliver, ack_wait=self.settings.ack_wait_s,
                              max_ack_pending=1000)

    async def _subscribe(self):
        # Creating an existing durable consumer updates what the server lets change (its subjects:
        # a service that handles a new event type gets it without an operator's step). A change it
        # refuses (say the deliver policy) keeps the consumer as it is, and it is still consumed.
        try:
            await self.js.add_consumer(self.settings.stream, self.consumer_config())
        except (nats.js.errors.BadRequestError, nats.js.errors.ServerError) as e:
            log.warning("durable consumer kept with its existing config", service=self.service, error=str(e))
        return await self.js.pull_subscribe_bind(durable=self.service, stream=self.settings.stream)

    async def _consume(self) -> None:
        sub = None
        while True:
            _reraise_if_cancelled()  # a cancellation nats-py swallowed must still end the loop
            try:
                if sub is None:
                    sub = await self._subscribe()
                msgs = await sub.fetch(50, timeout=1)
            except nats.errors.TimeoutError:
                continue
            except Exception as e:  # noqa: BLE001 - NATS away or consumer gone: subscribe again
                _reraise_if_cancelled()
                log.warning("consumer fetch failed", service=self.service, error=str(e))
                if sub is not None:
                    try:
                        await sub.unsubscribe()
                    except Exception:  # noqa: BLE001
                        pass
                sub = None
                await asyncio.sleep(0.5)
                continue
            for msg in msgs:
                await self._deliver(msg)

    async def _deliver(self, msg) -> None:
        try:
            outcome = await asyncio.to_thread(self.handle_raw, msg.subject, msg.data)
        except Exception as e:  # noqa: BLE001
            delivered = msg.metadata.num_delivered
            if delivered >= self.settings.max_deliver:
                await asyncio.to_thread(self._dead_letter, msg.subject, msg.data, repr(e),
                                        (msg.headers or {}).get("Nats-Msg-Id"))
                HANDLED.labels(self.service, "dead_letter").inc()
                log.error("event dead-lettered", service=self.service, subject=msg.subject, error=repr(e))
                await msg.ack_sync()
            else:
                log.warning("event failed; will be redelivered", service=self.service,
                            subject=msg.subject, delivered=delivered, error=repr(e))
                await msg.nak(delay=min(2 ** delivered * 0.2, 10))
            return
        HANDLED.labels(self.service, outcome).inc()
        try:
            await msg.ack_sync()
        except Exception as e:  # noqa: BLE001 - a lost ack means a redelivery; the inbox absorbs it
            log.warning("ack failed", service=self.service, error=str(e))

    def handle_raw(self, subject: str, data: bytes) -> str:
        """Handle one delivery in one transaction with its inbox row. Returns the outcome."""
        event = Event.parse(data)
        handler = self.handlers.get(subject)
        # Logs and the events this handler emits carry the correlation id of what caused it.
        traceparent = tracing.child(event.traceparent)  # this handler's span, under the emitter's trace
        structlog.contextvars.bind_contextvars(correlation_id=event.correlationid or event.id,
                                               event_id=event.id, consumer=self.service,
                                               traceparent=traceparent, trace_id=tracing.trace_id(traceparent))
        try:
            with self.db.transaction() as s:
                if s.get(Inbox, (self.service, event.id)) is not None:
                    return "duplicate"
                s.add(Inbox(consumer=self.service, event_id=event.id, subject=subject))
                s.flush()
                if handler:
                    handler(s, event)
        except IntegrityError:
            # Another replica handled the same event at the same moment, or an effect's natural
            # unique key says it exists already: either way the effect is there once.
            with self.db.reader() as s:
                if s.get(Inbox, (self.service, event.id)) is not None:
                    return "duplicate"
            raise
        return "handled"

    def _dead_letter(self, subject: str, data: bytes, error: str, msg_id: str | None) -> None:
        try:
            event_id = Event.parse(data).id
        except Exception:  # noqa: BLE001 - unreadable: key it by the message id
            event_id = msg_id or "unparseable"
        try:
            with self.db.transaction() as s:
                s.add(DeadLetter(consumer=self.service, event_id=event_id[:36], subject=subject,
                                 payload=data.decode(errors="replace"), error=error[:2000]))
        except IntegrityError:
            pass  # already recorded by an earlier pass

    def replay_dead_letter(self, dead_letter_id: int) -> str | None:
        """Handle a dead letter again; None when there is no such dead letter."""
        with self.db.reader() as s:
            row = s.get(DeadLetter, dead_letter_id)
            if row is None:
                return None
            subject, payload = row.subject, row.payload
        outcome = self.handle_raw(subject, payload.encode())
        with self.db.transaction() as s:
            s.get(DeadLetter, dead_letter_id).replayed_at = utcnow()
        return outcome

    async def replay_stream(self) -> None:
        """Deliver the whole stream again to this service's consumer (the inbox makes it a no-op
        for what was handled; a projection rebuilt from scratch is filled again)."""
        try:
            await self.js.delete_consumer(self.settings.stream, self.service)
        except nats.js.errors.NotFoundError:
            pass
        await self.js.add_consumer(self.settings.stream, self.consumer_config())


def _reraise_if_cancelled() -> None:
    """nats-py can turn a cancellation into its own error while awaiting the server; a loop that
    catches that error must still stop when its task is being cancelled."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def ensure_stream(js, settings: Settings) -> None:
    try:
        await js.stream_info(settings.stream)
    except nats.js.errors.NotFoundError:
        try:
            await js.add_stream(StreamConfig(
                name=settings.stream, subjects=["srdi.>"], storage=StorageType.FILE,
                num_replicas=settings.stream_replicas, duplicate_window=settings.stream_duplicate_window_s))
        except nats.js.errors.BadRequestError:
            pass  # another service created it first
