"""One place per service that says which events it handles: `handlers.py` builds a `Handlers` and
registers a function per event model with `@handlers.on(Model)`. The bus looks handlers up by the
model's subject and calls them inside the transaction that records the inbox row, with the event
and its data parsed into the model (a payload that does not parse is the handler's own error and
counts toward dead-lettering)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from shared.contracts import EventData
from shared.events import Event

M = TypeVar("M", bound=EventData)


class Handlers:
    def __init__(self) -> None:
        self._by_subject: dict[str, tuple[type[EventData], Callable]] = {}

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
            fn(s, event, model.model_validate(event.data))
        return handle
