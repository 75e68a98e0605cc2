"""The outbox relay's work (shared.bus runs it): claim unpublished rows by state with a lease,
publish a claimed batch at once with its acks gathered, mark published only what JetStream acked.
Rows this process's own transactions wrote while its relay runs come claimed already, handed over
at commit (shared.db.Database.handoff): they skip `claim`, not `settle`.

A relay that dies mid-batch leaves its rows to the next claim once its lease (`relay_lease_s`, a
few seconds) has passed; what it had published already comes again with the same Nats-Msg-Id and
JetStream drops it within the stream's duplicate window (beyond it, the consumers' inboxes do).
"""
from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import or_, select, update

from shared import tracing
from shared.db import Database, utcnow
from shared.tables import Outbox

BATCH = 100  # outbox rows claimed (and published at once) by one pass of the relay
Row = tuple[str, str, str]  # event id, subject, payload


def claim(db: Database, lease_s: float) -> list[Row]:
    now = utcnow()
    claimable = (Outbox.published_at.is_(None), or_(Outbox.claimed_until.is_(None), Outbox.claimed_until < now))
    with db.reader() as s:  # an idle outbox costs a read, not the write lock (SQLite)
        if s.scalar(select(Outbox.id).where(*claimable).limit(1)) is None:
            return []
    with db.transaction() as s:
        stmt = select(Outbox.id, Outbox.subject, Outbox.payload).where(*claimable).order_by(Outbox.created_at)
        stmt = stmt.limit(BATCH)
        if not db.is_sqlite:
            stmt = stmt.with_for_update(skip_locked=True)
        rows = [tuple(r) for r in s.execute(stmt)]
        if rows:
            s.execute(update(Outbox).where(Outbox.id.in_([r[0] for r in rows]))
                      .values(claimed_until=now + dt.timedelta(seconds=lease_s), attempts=Outbox.attempts + 1))
    return rows


def settle(db: Database, sent: list[str], failed: list[str]) -> None:
    with db.transaction() as s:
        if sent:
            s.execute(update(Outbox).where(Outbox.id.in_(sent)).values(published_at=utcnow()))
        if failed:  # release at once so the next pass retries them
            s.execute(update(Outbox).where(Outbox.id.in_(failed)).values(claimed_until=None))


def _traceparent(payload: str) -> str | None:
    """The emitter's traceparent, found in the stored envelope without parsing it (the hot path)."""
    at = payload.find(_TRACEPARENT_KEY)
    return payload[at + len(_TRACEPARENT_KEY):at + len(_TRACEPARENT_KEY) + 55] if at >= 0 else None


_TRACEPARENT_KEY = '"traceparent":"'


async def publish_all(js, rows: list[Row], service: str = "") -> tuple[list[str], list[str], BaseException | None]:
    """Publish every row at once (sent in claim order, so the stream keeps it while all goes well)
    and gather the acks: (acked ids, failed ids, the first error). A failed row waits for the next
    pass; consumers keep the newest record whatever the order in which events arrive. Each publish
    is a span in the trace of the change that emitted it (until its ack)."""
    spans = [tracing.start(f"publish {subject}", tracing.PRODUCER, _traceparent(payload) or "",
                           **{"srdi.service": service, "messaging.system": "nats",
                              "messaging.destination.name": subject, "messaging.message.id": event_id})
             for event_id, subject, payload in rows]
    results = await asyncio.gather(
        *(js.publish(subject, payload.encode(), headers={"Nats-Msg-Id": event_id})
          for event_id, subject, payload in rows), return_exceptions=True)
    sent, failed, error = [], [], None
    for (event_id, _, _), result, span in zip(rows, results, spans, strict=True):
        if isinstance(result, BaseException):
            failed.append(event_id)
            error = error or result
            if span is not None:
                span.set_status(tracing.ERROR, repr(result))
        else:
            sent.append(event_id)
        if span is not None:
            span.end()
    return sent, failed, error
