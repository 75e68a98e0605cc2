"""W3C Trace Context (`traceparent`) carried from the HTTP request through the events it causes.

Not a tracer: no spans are recorded or exported here. Each request and each event handler gets
its own span id under the caller's trace id, so an OpenTelemetry collector fed by a proxy, or
plain log search on `trace_id`, joins one change across every service. A caller without a valid
header starts a new trace (https://www.w3.org/TR/trace-context/)."""
from __future__ import annotations

import os
import re

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


def child(traceparent: str | None) -> str:
    """A traceparent for a new span: under the given one's trace when it is valid, else a new trace."""
    m = _TRACEPARENT.match(traceparent.strip().lower()) if traceparent else None
    if m and m.group(1) != "0" * 32 and m.group(2) != "0" * 16:
        trace_id, flags = m.group(1), m.group(3)
    else:
        trace_id, flags = os.urandom(16).hex(), "01"
    return f"00-{trace_id}-{os.urandom(8).hex()}-{flags}"


def trace_id(traceparent: str) -> str:
    return traceparent.split("-")[1]
