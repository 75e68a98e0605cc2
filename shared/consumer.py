"""The consumer's database side: one delivery, or a fetched batch of them, handled in one
transaction with their inbox rows (shared.bus fetches, acks and retries).

A batch is one transaction and one commit for up to `consumer_batch` events. It is first handled
without savepoints; when an event fails on its own, that attempt is undone whole and the batch is
handled again with each event under a savepoint of its own, so the handler's own error undoes that
event alone (its inbox row and its effects) and its neighbours still commit. Only the first pass lets
the service read the batch ahead (shared.handlers.before_batch): it is undone whole on any error. A transient fault (the
database away, locked, a lost connection) is raised: the whole batch rolls back and is retried as one
(shared.faults).
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping

import structlog
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared import tracing
from shared.db import Database, deferring, utcnow
from shared.events import Event
from shared.faults import transient
from shared.tables import DeadLetter, Inbox

Handler = Callable[[Session, Event], None]
Outcome = str | Exception  # "handled", "duplicate", or the handler's own error

# Built once and run as Core (issue 15): every event passes here, and an ORM object per inbox row
# cost more than the row's INSERT.
_INBOX = Inbox.__table__
_HANDLED = select(_INBOX.c.event_id).where(_INBOX.c.consumer == bindparam("consumer"),
                                           _INBOX.c.event_id == bindparam("event_id"))
_HANDLED_AMONG = select(_INBOX.c.event_id).where(_INBOX.c.consumer == bindparam("consumer"),
                                                 _INBOX.c.event_id.in_(bindparam("ids", expanding=True)))
_ADD_INBOX = insert(_INBOX)


def _was_handled(s: Session, service: str, event_id: str) -> bool:
    return s.execute(_HANDLED, {"consumer": service, "event_id": event_id}).first() is not None


def _inbox_row(service: str, event: Event, subject: str) -> dict:
    return {"consumer": service, "event_id": event.id, "subject": subject, "handled_at": utcnow()}


def _add_inbox(s: Session, service: str, event: Event, subject: str) -> None:
    s.execute(_ADD_INBOX, _inbox_row(service, event, subject))


@contextlib.contextmanager
def _handling(service: str, event: Event) -> Iterator[None]:
    """The handler's span under the emitter's trace (shared.tracing); logs and the events the handler
    emits carry it and the correlation id of what caused them."""
    with tracing.span(f"handle {event.nats_subject}", event.traceparent, tracing.CONSUMER, service,
                      **{"messaging.system": "nats", "messaging.destination.name": event.nats_subject,
                         "messaging.message.id": event.id}) as traced:
        traceparent = traced.traceparent
        with structlog.contextvars.bound_contextvars(
                correlation_id=event.correlationid or event.id, event_id=event.id, consumer=service,
                traceparent=traceparent, trace_id=tracing.trace_id(traceparent)):
            yield


def handle_one(db: Database, service: str, handlers: Mapping, subject: str, data: bytes) -> str:
    """Handle one delivery in one transaction with its inbox row. Returns the outcome; raises the
    handler's own error or a transient fault."""
    event = Event.parse(data)
    handler = handlers.get(subject)
    try:
        with _handling(service, event), db.transaction() as s:
            if _was_handled(s, service, event.id):
                return "duplicate"
            _add_inbox(s, service, event, subject)
            if handler:
                handler(s, event)
    except IntegrityError:
        # Another replica handled the same event at the same moment, or an effect's natural
        # unique key says it exists already: either way the effect is there once.
        with db.reader() as s:
            if _was_handled(s, service, event.id):
                return "duplicate"
        raise
    return "handled"


def handle_batch(db: Database, service: str, handlers: Mapping,
                 deliveries: list[tuple[str, bytes]]) -> list[Outcome]:
    """Handle deliveries (subject, data) in one transaction: one outcome per delivery, in order,
    true once this returns (the transaction has committed). Raises a transient fault (nothing
    committed) or an error of the batch as a whole (the caller then handles one at a time)."""
    outcomes: list[Outcome] = []
    events: list[Event | None] = []
    for _, data in deliveries:
        try:
            events.append(Event.parse(data))
            outcomes.append("")
        except Exception as e:  # noqa: BLE001 - unreadable: this event's own error
            events.append(None)
            outcomes.append(e)
    ids = sorted({e.id for e in events if e is not None})
    if sum(e is not None for e in events) > 1:
        try:  # the common case first: no savepoints, one flush at the commit (issue 15: a savepoint
            # per event cost about a tenth of an event's handling)
            return _handle(db, service, handlers, deliveries, events, ids, list(outcomes), savepoints=False)
        except _OwnError:
            pass  # an event failed on its own: again, each under a savepoint, so only it is undone
    return _handle(db, service, handlers, deliveries, events, ids, outcomes, savepoints=True)


class _OwnError(Exception):
    """An event of a batch handled without savepoints failed on its own (not the surroundings): the
    batch is undone and handled again with a savepoint per event."""


def _handle(db: Database, service: str, handlers: Mapping, deliveries: list[tuple[str, bytes]],
            events: list[Event | None], ids: list[str], outcomes: list[Outcome], savepoints: bool) -> list[Outcome]:
    """The batch in one transaction. Without `savepoints`, any event's own error undoes it all and
    raises _OwnError; a transient fault is raised either way (the whole batch is retried)."""
    try:
        with db.transaction() as s:
            # One read for the whole batch: events handled before (a redelivery, a replay) are acked
            # without running their handler.
            done = set(s.scalars(_HANDLED_AMONG, {"consumer": service, "ids": ids})) if ids else set()
            # Without savepoints the batch's inbox rows are one INSERT at its end, and so are its outbox
            # and audit rows (shared.db.deferring: the batch is undone whole on any error). A replica that
            # handled one of these events meanwhile (PostgreSQL) makes the inbox's fail: the batch is undone
            # and handled again with savepoints, where that event is found handled ("duplicate").
            inbox: list[dict] = []
            if not savepoints and (prepare := getattr(handlers, "prepare", None)):
                # Undone whole on any error, so a read-ahead for the batch is safe (shared.handlers)
                prepare(s, [(subject, e) for (subject, _), e in zip(deliveries, events, strict=True)
                            if e is not None and e.id not in done])
            with contextlib.nullcontext() if savepoints else deferring(s):
                for i, ((subject, _), event) in enumerate(zip(deliveries, events, strict=True)):
                    if event is None:
                        continue
                    if event.id in done:  # also the same event twice in one batch
                        outcomes[i] = "duplicate"
                        continue
                    if savepoints:
                        outcomes[i] = _handle_in_savepoint(s, service, handlers.get(subject), subject, event)
                    else:
                        with _handling(service, event):
                            inbox.append(_inbox_row(service, event, subject))
                            if handler := handlers.get(subject):
                                handler(s, event)
                        outcomes[i] = "handled"
                    if outcomes[i] == "handled":
                        done.add(event.id)
            if inbox:
                s.execute(_ADD_INBOX, inbox)
    except Exception as e:
        if savepoints or transient(e):
            raise
        raise _OwnError from e
    return outcomes


def _handle_in_savepoint(s: Session, service: str, handler: Handler | None, subject: str,
                         event: Event) -> Outcome:
    with _handling(service, event):
        try:
            with s.begin_nested():
                _add_inbox(s, service, event, subject)
                if handler:
                    handler(s, event)
                s.flush()  # the event's constraint errors are its own, not its neighbour's
        except Exception as e:  # classified here: transient, a racing replica, or its own
            # What the session read inside the rolled-back savepoint is forgotten: its rows are gone,
            # and SQLite gives their ids to the next rows a neighbour inserts.
            s.expire_all()
            if transient(e):
                raise  # the surroundings, not the event: the whole batch is retried
            if isinstance(e, IntegrityError) and _was_handled(s, service, event.id):
                return "duplicate"  # another replica committed it meanwhile (PostgreSQL)
            return e
    return "handled"


def dead_letter(db: Database, service: str, subject: str, data: bytes, error: str, event_id: str) -> None:
    try:
        with db.transaction() as s:
            s.add(DeadLetter(consumer=service, event_id=event_id[:36], subject=subject,
                             payload=data.decode(errors="replace"), error=error[:2000]))
    except IntegrityError:
        pass  # already recorded by an earlier pass


def replay_dead_letter(db: Database, service: str, handlers: Mapping, dead_letter_id: int) -> str | None:
    """Handle a dead letter again; None when there is no such dead letter."""
    with db.reader() as s:
        row = s.get(DeadLetter, dead_letter_id)
        if row is None:
            return None
        subject, payload = row.subject, row.payload
    outcome = handle_one(db, service, handlers, subject, payload.encode())
    with db.transaction() as s:
        s.get(DeadLetter, dead_letter_id).replayed_at = utcnow()
    return outcome


def event_id_of(msg) -> str:
    """The event id a message's failures are counted by."""
    try:
        return Event.parse(msg.data).id
    except Exception:  # noqa: BLE001 - unreadable: key it by the message id
        return (msg.headers or {}).get("Nats-Msg-Id") or f"seq:{msg.metadata.sequence.stream}"
