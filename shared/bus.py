"""NATS JetStream for one service: the outbox relay and the durable, idempotent consumer.

Consistency rules (ARCHITECTURE.md):
- the relay claims unpublished outbox rows by state, with a lease (never "id > last sent"),
  publishes with Nats-Msg-Id = event id, then marks them published;
- the consumer records (consumer, event id) in the inbox in the handler's own transaction,
  and acks only after that commit. A fetched batch is one transaction with a savepoint per event
  (shared.consumer): the handler's own error undoes its event alone. The app owns the retry budget (docs/architecture.md, "Failure
  model"): a transient fault is retried for as long as it lasts; the handler's own error, after
  `dead_letter_after` failures, becomes a dead letter; nothing is acked before one of the two is
  committed, and the server never drops an event on its own (max_deliver -1).
"""
from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

import nats
import psycopg
import structlog
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig
from prometheus_client import Counter

from shared import relay
from shared.consumer import Handler, dead_letter, event_id_of, handle_batch, handle_one, replay_dead_letter
from shared.db import Database
from shared.events import OUTBOX_CHANNEL
from shared.faults import BusHealth, backoff, transient
from shared.settings import Settings

log = structlog.get_logger()
__all__ = ["Bus", "Handler", "ensure_stream"]

PUBLISHED = Counter("srdi_events_published_total", "Outbox events published", ["service"])
HANDLED = Counter("srdi_events_handled_total", "Events handled by a consumer", ["service", "outcome"])



class Bus:
    def __init__(self, settings: Settings, service: str, db: Database, handlers: dict[str, Handler]):
        self.settings, self.service, self.db, self.handlers = settings, service, db, handlers
        self.nc: nats.NATS | None = None
        self.js = None
        self._tasks: list[asyncio.Task] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()
        self._ready = asyncio.Event()
        self._failures: dict[str, int] = {}  # the handler's own failures per event id, in this process
        self._handed: list[relay.Row] = []  # rows committed here, born claimed by this relay (shared.events.emit)
        self.nats_error: str | None = None  # the last error the NATS client reported, until it reconnects
        self.health = BusHealth(settings.stall_after_s)
        db.after_commit_hooks.append(self.kick)

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._tasks = [asyncio.create_task(self._run(), name=f"{self.service}-bus")]

    async def stop(self) -> None:
        if self.db.handoff == self._take:
            self.db.handoff = None  # from now on rows are born unclaimed, for whichever relay runs next
        handed, self._handed = [r[0] for r in self._handed], []
        if handed:  # given to this relay but not sent: release them at once rather than after the lease
            try:
                await asyncio.to_thread(relay.settle, self.db, [], handed)
            except Exception as e:  # noqa: BLE001 - the lease frees them anyway
                log.warning("handed rows not released; their lease frees them", service=self.service, error=repr(e))
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.nc and not self.nc.is_closed:
            try:  # while NATS is away the client's flush on close fails: nothing is left to send
                await self.nc.close()  # (rows are marked published, messages acked, only on the server's answer)
            except Exception as e:  # noqa: BLE001 - a stop must finish (the database is disposed after it)
                log.warning("nats connection not closed cleanly", service=self.service, error=repr(e))

    @property
    def connected(self) -> bool:
        return bool(self.nc and self.nc.is_connected and self._ready.is_set())

    def kick(self) -> None:
        """Wake the relay now (called after every commit, from any thread)."""
        if self._loop and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    def _take(self, rows: list[relay.Row]) -> None:
        """A transaction's committed rows, claimed at birth by this relay (shared.db; any thread):
        published on the relay's next pass without a claim transaction. Lost only with the process
        (or a stop), in which case their lease frees them for any relay."""
        if self._loop and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._handed_arrived, rows)

    def _handed_arrived(self, rows: list[relay.Row]) -> None:
        self._handed.extend(rows)
        self._wake.set()

    async def _run(self) -> None:
        while True:  # connect until it works: a service starts even while NATS is down
            try:
                # Pings every few seconds: a server that hangs (frozen, a half-open connection) is
                # noticed as gone in seconds, not after nats-py's default 2 × 120 s of silence.
                self.nc = await nats.connect(self.settings.resolved_nats_url(), name=self.service,
                                             max_reconnect_attempts=-1, reconnect_time_wait=0.5,
                                             connect_timeout=2, error_cb=self._nats_error,
                                             disconnected_cb=self._nats_disconnected,
                                             reconnected_cb=self._nats_reconnected,
                                             ping_interval=self.settings.nats_ping_interval_s,
                                             max_outstanding_pings=2)
                self.js = self.nc.jetstream(timeout=5)
                await ensure_stream(self.js, self.settings)
                break
            except Exception as e:  # noqa: BLE001 - any failure means "not yet"
                _reraise_if_cancelled()
                log.warning("nats not reachable yet", service=self.service, error=str(e))
                if self.nc:
                    await self.nc.close()
                await asyncio.sleep(1)
        if self.nats_error is not None:  # it waited for NATS: say when it came (reconnected_cb does not)
            log.info("nats connected", service=self.service)
            self.nats_error = None
        self._ready.set()
        self.db.handoff_lease = dt.timedelta(seconds=self.settings.relay_lease_s)
        self.db.handoff = self._take  # this process's commits hand their rows straight to this relay
        tasks = [self._supervised("relay", self._relay)]
        if not self.db.is_sqlite:
            tasks.append(self._supervised("outbox listener", self._listen))
        if self.handlers:
            tasks.append(self._supervised("consumer", self._consume))
        await asyncio.gather(*tasks)

    async def _nats_error(self, e: Exception) -> None:
        """nats-py's default logs a traceback for every failed reconnection, two a second per service
        while NATS is away; one line per new error says it (and /readyz and the metrics show the outage)."""
        error = repr(e)
        if error != self.nats_error:
            self.nats_error = error
            log.warning("nats error", service=self.service, error=error)

    async def _nats_disconnected(self) -> None:
        log.warning("nats disconnected", service=self.service)

    async def _nats_reconnected(self) -> None:
        self.nats_error = None
        log.info("nats reconnected", service=self.service)

    async def _supervised(self, name: str, loop: Callable) -> None:
        """Run a loop for as long as the service runs: an unexpected error is logged, shown by
        /readyz while it lasts, and the loop restarts after a back-off."""
        attempt = 0
        while True:
            self.health.running(name, True)
            try:
                await loop()
            except asyncio.CancelledError:
                raise
            except Exception as e:  # noqa: BLE001 - restarted below
                attempt += 1
                self.health.running(name, False, repr(e))
                log.error("bus loop died; restarting", service=self.service, loop=name, error=repr(e))
                await asyncio.sleep(backoff(attempt, self.settings.retry_backoff_max_s))

    # -- relay -----------------------------------------------------------------------------
    def _claim(self) -> list[relay.Row]:
        return relay.claim(self.db, self.settings.relay_lease_s)

    async def relay_once(self) -> int:
        rows, self._handed = self._handed[:relay.BATCH], self._handed[relay.BATCH:]
        if not rows:  # none handed over: claim what waits (another process's, a failed publish's, an old lease's)
            rows = await asyncio.to_thread(self._claim)
        if not rows:
            return 0
        sent, failed, error = await relay.publish_all(self.js, rows, self.service)
        _reraise_if_cancelled()
        if failed:  # NATS down: the rows wait in the outbox
            log.warning("publish failed; events stay in the outbox", service=self.service,
                        failed=len(failed), error=str(error))
        await asyncio.to_thread(relay.settle, self.db, sent, failed)
        PUBLISHED.labels(self.service).inc(len(sent))
        if failed:  # the client's own words, for /readyz (nats: timeout, no responders, …)
            raise ConnectionError(f"publish failed: {error}")
        return len(sent)

    async def _relay(self) -> None:
        while True:
            _reraise_if_cancelled()
            self._wake.clear()
            try:
                sent = await self.relay_once()
                self.health.progressed("relay")
                if sent == relay.BATCH:
                    continue  # more waiting: go on at once
            except Exception as e:  # noqa: BLE001
                _reraise_if_cancelled()
                self.health.waiting("relay", repr(e))
                await asyncio.sleep(0.5)  # back off while NATS or the database is away
                continue
            try:  # asyncio.timeout, unlike wait_for, never swallows a cancellation (3.11)
                async with asyncio.timeout(self.settings.relay_interval_s):
                    await self._wake.wait()
            except TimeoutError:
                pass

    async def _listen(self) -> None:
        """PostgreSQL: every replica's commit with new outbox rows NOTIFYs (shared.events.emit); wake
        the relay on it, so an idle relay needs no quick polling and a row another replica wrote (or
        left behind) goes out at once. The relay's own poll stays as the fallback."""
        url = self.db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            await conn.execute(f"LISTEN {OUTBOX_CHANNEL}")
            self._wake.set()  # rows committed before the listener came up (or while it was away)
            async for _ in conn.notifies():
                self._wake.set()

    # -- consumer --------------------------------------------------------------------------
    def consumer_config(self, deliver=DeliverPolicy.ALL, **start) -> ConsumerConfig:
        # The server never gives up on an event (max_deliver -1): crashes and ack timeouts are not
        # failures. The app owns the retry budget: transient faults are retried for as long as they
        # last, the handler's own errors become a dead letter after `dead_letter_after` (_deliver).
        return ConsumerConfig(durable_name=self.service, ack_policy=AckPolicy.EXPLICIT,
                              deliver_policy=deliver, filter_subjects=sorted(self.handlers),
                              max_deliver=-1, ack_wait=self.settings.ack_wait_s,
                              max_ack_pending=1000, **start)

    async def _subscribe(self):
        # Creating an existing durable consumer updates what the server lets change (its subjects,
        # max_deliver: a service that handles a new event type gets it without an operator's step).
        # A change it refuses (say the deliver policy) keeps the consumer as it is, and it is still consumed.
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
                msgs = await self._fetch(sub)
            except TimeoutError:  # nothing waiting (nats-py raises nats' or a bare asyncio timeout) —
                if self.connected:  # unless the connection is gone: then a fetch times out too
                    self.health.progressed("consumer")
                else:
                    self.health.waiting("consumer", f"nats not connected: {self.nats_error or 'reconnecting'}")
                continue
            except Exception as e:  # noqa: BLE001 - NATS away or consumer gone: subscribe again
                _reraise_if_cancelled()
                log.warning("consumer fetch failed", service=self.service, error=repr(e))
                self.health.waiting("consumer", f"fetch failed: {e!r}")
                if sub is not None:
                    try:
                        await sub.unsubscribe()
                    except Exception:  # noqa: BLE001
                        pass
                sub = None
                await asyncio.sleep(0.5)
                continue
            if len(msgs) > 1:
                await self._deliver_batch(msgs)
            elif msgs:
                await self._deliver(msgs[0])

    async def _fetch(self, sub) -> list:
        """The next events: wait for one, then take at once those still pending behind it (the
        consumer's `num_pending` when it was delivered), up to a batch.

        Not `fetch(batch, timeout=1)` to wait: nats-py's batch fetch (2.16, `_fetch_n`; nats.py issues
        933 and 986) can leave a pull for a whole batch open on the server (its second request, sent
        when a late 408 of the previous, expired pull answers its first); an event that pull takes
        then waits in a later fetch for the rest of its batch, up to 1 s (about one promotion in
        3,000 did). `fetch(1)` returns at the first event, whichever of our pulls the server gave it
        to. The events behind it (its `num_pending`) are there now: a fetch for them returns at
        once; its short timeout only bounds the case where another replica took them meanwhile."""
        msgs = await sub.fetch(1, timeout=1)
        try:
            behind = min(self.settings.consumer_batch - 1, msgs[0].metadata.num_pending)
        except Exception:  # noqa: BLE001 - no JetStream metadata: handle it alone
            behind = 0
        if behind > 0:
            try:
                msgs += await sub.fetch(behind, timeout=0.05)
            except Exception:  # noqa: BLE001 - none left (a timeout), or NATS trouble the next fetch meets
                _reraise_if_cancelled()  # again: handle what we have (an unacked event comes again)
        return msgs

    async def _deliver_batch(self, msgs: list) -> None:
        """Handle a fetched batch in one transaction; never raises. Each message is acked once the
        batch has committed (its effect, or "handled before"); one whose handler failed is nak-ed
        or becomes a dead letter, exactly as one handled alone."""
        self.health.waiting("consumer")
        keepalive = asyncio.create_task(self._in_progress(*msgs))
        try:
            outcomes = await self._handle_batch_until_not_transient(msgs)
            if outcomes is None:  # the batch failed as a whole on an error of its own
                for msg in msgs:
                    await self._deliver(msg)
                return
            done = [(m, o) for m, o in zip(msgs, outcomes, strict=True) if not isinstance(o, Exception)]
            for msg, outcome in done:
                self._settled(msg, outcome)
            for msg, _ in done:
                await self._ack(msg)
            for msg, error in zip(msgs, outcomes, strict=True):
                if isinstance(error, Exception):
                    outcome = await self._failed(msg, error)
                    if outcome is not None:
                        self._settled(msg, outcome)
                        await self._ack(msg)
        finally:
            keepalive.cancel()
            await asyncio.gather(keepalive, return_exceptions=True)
            self.health.progressed("consumer")

    async def _handle_batch_until_not_transient(self, msgs: list) -> list | None:
        """Each message's outcome or its handler's own error, all committed; None when the batch
        failed as a whole for another reason (then its events are handled one at a time). A
        transient fault rolls the whole batch back; it is retried as one, spending no budget."""
        deliveries = [(m.subject, m.data) for m in msgs]
        attempt = 0
        while True:
            try:
                return await asyncio.to_thread(handle_batch, self.db, self.service, self.handlers, deliveries)
            except Exception as e:  # noqa: BLE001 - classified below
                _reraise_if_cancelled()
                if not transient(e):
                    log.warning("batch failed; handling its events one at a time", service=self.service,
                                events=len(msgs), error=repr(e))
                    return None
                attempt += 1
                log.warning("transient failure; retrying the batch", service=self.service, events=len(msgs),
                            attempt=attempt, error=repr(e))
                self.health.waiting("consumer", repr(e))
                HANDLED.labels(self.service, "retried").inc(len(msgs))
                await asyncio.sleep(backoff(attempt, self.settings.retry_backoff_max_s))

    def _settled(self, msg, outcome: str) -> None:
        """It went through (or is a dead letter now): forget its failures, count it."""
        if self._failures:
            self._failures.pop(event_id_of(msg), None)
        HANDLED.labels(self.service, outcome).inc()

    async def _ack(self, msg) -> None:
        """Acked without waiting for the server's word (ack_sync's round trip was about half of a
        batch's NATS cost, issue 15): an ack that never arrives only means the event comes again after
        ack_wait, and the inbox finds it handled."""
        try:
            await msg.ack()
        except Exception as e:  # noqa: BLE001 - a lost ack means a redelivery; the inbox absorbs it
            log.warning("ack failed", service=self.service, error=repr(e))

    async def _deliver(self, msg) -> None:
        """Handle one message; never raises. Acked only once its effect or its dead letter is
        committed; anything else leaves it to be delivered again."""
        self.health.waiting("consumer")
        keepalive = asyncio.create_task(self._in_progress(msg))
        try:
            outcome = await self._handle_until_not_transient(msg)
            if isinstance(outcome, Exception):
                outcome = await self._failed(msg, outcome)
            if outcome is None:
                return  # nak-ed: delivered again later
            self._settled(msg, outcome)
            await self._ack(msg)
        finally:
            keepalive.cancel()
            await asyncio.gather(keepalive, return_exceptions=True)
            self.health.progressed("consumer")

    async def _handle_until_not_transient(self, msg) -> str | Exception:
        """The outcome, or the handler's own error. Transient faults (the database away, locked,
        full) are retried here with growing back-off for as long as they last; they spend none of
        the event's failure budget."""
        attempt = 0
        while True:
            try:
                return await asyncio.to_thread(self.handle_raw, msg.subject, msg.data)
            except Exception as e:  # noqa: BLE001 - classified below
                _reraise_if_cancelled()
                if not transient(e):
                    return e
                attempt += 1
                log.warning("transient failure; retrying", service=self.service, subject=msg.subject,
                            attempt=attempt, error=repr(e))
                self.health.waiting("consumer", repr(e))
                HANDLED.labels(self.service, "retried").inc()
                await asyncio.sleep(backoff(attempt, self.settings.retry_backoff_max_s))

    async def _failed(self, msg, error: Exception) -> str | None:
        """The handler's own error: nak with back-off until it has failed `dead_letter_after`
        times in this process, then record a dead letter (retried while the database is away)."""
        event_id = event_id_of(msg)
        failures = self._failures[event_id] = self._failures.get(event_id, 0) + 1
        if failures < self.settings.dead_letter_after:
            log.warning("event failed; will be redelivered", service=self.service, subject=msg.subject,
                        failures=failures, error=repr(error))
            await _nak(msg, backoff(failures, 10))
            return None
        attempt = 0
        while True:
            try:
                await asyncio.to_thread(self._dead_letter, msg.subject, msg.data, repr(error), event_id)
                break
            except Exception as e:  # noqa: BLE001 - not recorded yet: never acked before it is
                _reraise_if_cancelled()
                attempt += 1
                log.warning("dead letter not recorded yet; retrying", service=self.service, error=repr(e))
                await asyncio.sleep(backoff(attempt, self.settings.retry_backoff_max_s))
        log.error("event dead-lettered", service=self.service, subject=msg.subject, error=repr(error))
        return "dead_letter"

    async def _in_progress(self, *msgs) -> None:
        """While messages are being handled (or retried), tell the server they are still ours."""
        while True:
            await asyncio.sleep(max(self.settings.ack_wait_s / 3, 0.1))
            # the server redelivers one whose word is lost; the inbox absorbs that
            await asyncio.gather(*(msg.in_progress() for msg in msgs), return_exceptions=True)

    def handle_raw(self, subject: str, data: bytes) -> str:
        """Handle one delivery in one transaction with its inbox row. Returns the outcome."""
        return handle_one(self.db, self.service, self.handlers, subject, data)

    def _dead_letter(self, subject: str, data: bytes, error: str, event_id: str) -> None:
        dead_letter(self.db, self.service, subject, data, error, event_id)

    def replay_dead_letter(self, dead_letter_id: int) -> str | None:
        """Handle a dead letter again; None when there is no such dead letter."""
        return replay_dead_letter(self.db, self.service, self.handlers, dead_letter_id)

    async def replay_stream(self, since: dt.datetime | None = None, from_sequence: int | None = None) -> int | None:
        """Deliver the stream again to this service's consumer — all of it, or from a time or a
        stream sequence (the inbox makes it a no-op for what was handled; a projection rebuilt from
        scratch is filled again). Returns how many events the new consumer has to deliver (the
        stream's events on this service's subjects from that start), as the server counted them
        when it created the consumer; None when it did not say."""
        if since is not None:
            config = self.consumer_config(DeliverPolicy.BY_START_TIME, opt_start_time=since.isoformat())
        elif from_sequence is not None:
            config = self.consumer_config(DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=from_sequence)
        else:
            config = self.consumer_config()
        try:
            await self.js.delete_consumer(self.settings.stream, self.service)
        except nats.js.errors.NotFoundError:
            pass
        info = await self.js.add_consumer(self.settings.stream, config)
        pending = getattr(info, "num_pending", None)
        return pending if isinstance(pending, int) else None


async def _nak(msg, delay: float) -> None:
    try:
        await msg.nak(delay=delay)
    except Exception as e:  # noqa: BLE001 - the server redelivers it after ack_wait anyway
        log.warning("nak failed", error=repr(e))


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
                num_replicas=settings.stream_replicas, duplicate_window=settings.stream_duplicate_window_s,
                max_age=settings.stream_max_age_days * 86400 or None))
        except nats.js.errors.BadRequestError:
            pass  # another service created it first
