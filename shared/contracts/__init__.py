"""Typed event payloads: one pydantic model per event type and version, used by the service that
publishes it and by every service that consumes it (EVENTS.md; docs/events.md).

A model names its own subject (`SUBJECT`); publishers build the model and `emit_data` it, consumers
register a handler for the model (shared.handlers) and receive it parsed and validated. Consumers
ignore fields they do not know (a later, additive version of the same event still parses); a
breaking change is a new `.vN` model published beside the old one.
"""
from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class EventData(BaseModel):
    """The `data` of one CloudEvent type. `SERVICE` publishes it as `srdi.<SERVICE>.<NAME>`."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    SERVICE: ClassVar[str]
    NAME: ClassVar[str]  # e.g. "enterprise.promoted.v1"

    @classmethod
    def subject(cls) -> str:
        return f"srdi.{cls.SERVICE}.{cls.NAME}"
