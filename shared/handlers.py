"""One place per service that says which events it handles: `handlers.py` builds a `Handlers` and
registers a function per event model with `@handlers.on(Model)`. The bus looks handlers up by the
model's subject and calls them inside the transaction that records the inbox row, with the event
and its data parsed into the model (a payload that does not parse is the handler's own error and
counts toward dead-lettering).

A service may also register `@handlers.before_batch` functions: the bus's first pass over a fetched
batch (one transaction, undone whole on any error: shared.consumer) hands them the batch's parsed
events with their parsed data before any handler runs, so that what every event reads (the registry's records held, an
enterprise's awards) is read once for the batch, not once an event (issue 15)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy.orm import Session

from shared.contracts import EventData
from shared.events import Event

M = TypeVar("M", bound=EventData)
BeforeBatch = Callable[[Session, list[tuple[Event, EventData]]], None]
_PARSED = "parsed_event_data"  # Session.info: an event id's data as `prepare` parsed it


class Handlers:
    def __init__(self) -> None:
        self._by_subject: dict[str, tuple[type[EventData], Callable]] = {}
        self._before_batch: list[BeforeBatch] = []

    def on(self, *models: type[M]) -> Callable[[Callable[[Session, Event, M], None]], Callable[[Session, Event, M], None]]:
        """Register the decorated function for each of `models` (one function may serve several:
        every registry event carries the same record)."""
        def register(fn: Callable[[Session, Event, M], None]):
            for model in models:
                if model.subject() in self._by_subject:
                    raise ValueError(f"two handlers for {model.subject()}")
                self._by_subject[model.subject()] = (model, fn)
            return fn
        return register

    def before_batch(self, fn: BeforeBatch) -> BeforeBatch:
        """Register the decorated function to read ahead for a batch (see the module's doc). It may
        only read, or write what the batch's handlers would write anyway: it runs in the batch's
        transaction, and only in a pass that is undone whole on any error. What it keeps in
        `Session.info` is not undone by a savepoint's rollback: a handler must not change it inside
        `begin_nested` (none does; the pass that reads ahead has no savepoints of its own)."""
        self._before_batch.append(fn)
        return fn

    def prepare(self, s: Session, batch: Sequence[tuple[str, Event]]) -> None:
        """Parse each (subject, event) of the batch that has a handler once, keep the data for its
        handler, and hand the events with their data to each read-ahead function. An event whose data does not parse is
        left out: its handler raises the error when it runs."""
        if not self._before_batch:
            return
        parsed: dict[str, EventData] = s.info.setdefault(_PARSED, {})
        for subject, event in batch:
            entry = self._by_subject.get(subject)
            if entry is not None and event.id not in parsed:
                try:
                    parsed[event.id] = entry[0].model_validate(event.data)
                except ValueError:
                    continue
        pairs = [(event, parsed[event.id]) for _, event in batch if event.id in parsed]
        for fn in self._before_batch:
            fn(s, pairs)

    def __iter__(self):
        return iter(sorted(self._by_subject))

    def __bool__(self) -> bool:
        return bool(self._by_subject)

    def get(self, subject: str) -> Callable[[Session, Event], None] | None:
        entry = self._by_subject.get(subject)
        if entry is None:
            return None
        model, fn = entry

        def handle(s: Session, event: Event) -> None:
            data = s.info.get(_PARSED, {}).get(event.id)
            fn(s, event, data if isinstance(data, model) else model.model_validate(event.data))
        return handle
