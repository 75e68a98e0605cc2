"""CloudEvents 1.0 envelopes and the transactional outbox (EVENTS.md)."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
import structlog
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from shared.db import append, utcnow
from shared.tables import Outbox

if TYPE_CHECKING:
    from shared.contracts import EventData

TYPE_PREFIX = "cn.gov.fangshan."
OUTBOX_CHANNEL = "srdi_outbox"  # PostgreSQL LISTEN/NOTIFY: a commit with new outbox rows (per database)


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    source: str
    subject: str
    time: str
    data: dict
    # CloudEvents extension: the id of the request (or event) that caused this one, so logs can
    # follow one change from the HTTP call through every consumer.
    correlationid: str | None = None
    # CloudEvents distributed-tracing extension: W3C trace context of the span that emitted it.
    traceparent: str | None = None

    @property
    def nats_subject(self) -> str:
        return self.type.removeprefix(TYPE_PREFIX)

    def envelope(self) -> dict:
        env = {"specversion": "1.0", "id": self.id, "source": self.source, "type": self.type,
               "subject": self.subject, "time": self.time, "datacontenttype": "application/json",
               "data": self.data}
        if self.correlationid:
            env["correlationid"] = self.correlationid
        if self.traceparent:
            env["traceparent"] = self.traceparent
        return env

    @classmethod
    def parse(cls, raw: bytes) -> Event:
        env = orjson.loads(raw)
        if env.get("specversion") != "1.0" or not isinstance(env.get("data"), dict):
            raise ValueError("not a CloudEvents 1.0 JSON envelope with object data")
        return cls(str(env["id"]), str(env["type"]), str(env["source"]), str(env.get("subject", "")),
                   str(env.get("time", "")), env["data"], env.get("correlationid"),
                   env.get("traceparent"))


def new_event(service: str, name: str, subject: str, data: dict[str, Any]) -> Event:
    """`name` is the part after the service, e.g. "enterprise.promoted.v1"."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    context = structlog.contextvars.get_contextvars()
    return Event(str(uuid.uuid4()), f"{TYPE_PREFIX}srdi.{service}.{name}", f"/services/{service}",
                 subject, now, data, context.get("correlation_id"), context.get("traceparent"))


HANDOFF_MAX = 100  # rows of one transaction handed to the relay at commit; beyond, it claims them as ever


def _outbox_columns(event: Event, now: dt.datetime) -> dict:
    """An event's outbox row, as inserted (one by `emit`, many at once by `Emitter`)."""
    return {"id": event.id, "subject": event.nats_subject, "payload": orjson.dumps(event.envelope()).decode(),
            "created_at": now, "published_at": None, "claimed_until": None, "attempts": 0}


# One Core INSERT per event, not an ORM object (issue 15: the object and its flush cost several
# times the row's INSERT, and every consumer hop writes one).
_ADD = insert(Outbox.__table__)


def emit(session: Session, event: Event) -> Event:
    """Write an event to the outbox in the caller's transaction; the relay publishes it after commit.

    While this process's relay runs (shared.db.Database.transaction marks the session), the row is
    born claimed by it with the relay's lease, and handed to it once the transaction has committed:
    it goes out with no claim transaction of its own (issue 15). A row of a savepoint that rolls back
    is not handed (shared.db hands only the rows still in the outbox just before the commit); one the
    relay never gets to (it stopped, the process died) is claimed by any relay once its lease has passed."""
    now = utcnow()
    row = _outbox_columns(event, now)
    handoff = session.info.get("outbox_handoff")
    if handoff is not None and len(handoff.rows) < HANDOFF_MAX:
        row["claimed_until"] = now + handoff.lease
        handoff.rows.append((row["id"], row["subject"], row["payload"]))
    append(session, _ADD, row)
    if not session.info.get("outbox_written") and session.get_bind().dialect.name == "postgresql":
        # Delivered at commit (and dropped with a rollback): wakes the relay of every replica
        # listening on this database (shared.bus), not only this process's.
        session.execute(text(f"NOTIFY {OUTBOX_CHANNEL}"))
    session.info["outbox_written"] = True
    return event


class Emitter:
    """Many events of one transaction written as one INSERT (a bulk import): `emit_data`, row for
    row. The first events still go through `emit` itself: the one that marks the transaction as
    having written events (and notifies on PostgreSQL), and those the running relay takes from the
    commit while its hand-off has room; the rest wait in the outbox for the relay's next claim."""

    def __init__(self, session: Session):
        self.session, self.rows = session, []

    def emit_data(self, subject: str, data: EventData) -> None:
        handoff = self.session.info.get("outbox_handoff")
        if not self.session.info.get("outbox_written") or (handoff is not None and len(handoff.rows) < HANDOFF_MAX):
            emit_data(self.session, subject, data)
            return
        event = new_event(data.SERVICE, data.NAME, subject, data.model_dump(mode="json"))
        self.rows.append(_outbox_columns(event, utcnow()))

    def write(self) -> None:
        if self.rows:
            self.session.execute(_ADD, self.rows)
        self.rows = []


def emit_data(session: Session, subject: str, data: EventData) -> Event:
    """Emit a typed payload (shared.contracts) as its own event type; `subject` is the CloudEvents
    subject (the enterprise's USCC, the park id)."""
    return emit(session, new_event(data.SERVICE, data.NAME, subject, data.model_dump(mode="json")))
