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

USCC = "统一社会信用代码 / the enterprise's unified social credit code"


class EventData(BaseModel):
    """The `data` of one CloudEvent type. `SERVICE` publishes it as `srdi.<SERVICE>.<NAME>`.

    A concrete event (one with a `NAME`) says in `TITLE_ZH` what happened, in Chinese (the English
    is its docstring's first paragraph), and carries its own example in `model_config`
    (`json_schema_extra={"examples": [...]}`): the AsyncAPI document shows both."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    SERVICE: ClassVar[str]
    NAME: ClassVar[str]  # e.g. "enterprise.promoted.v1"
    TITLE_ZH: ClassVar[str]  # e.g. "企业晋级：认定日的层级上升"

    @classmethod
    def subject(cls) -> str:
        return f"srdi.{cls.SERVICE}.{cls.NAME}"
