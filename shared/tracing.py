"""Traces with OpenTelemetry: a span for each request, each database transaction inside one, each
event published and each event handled, joined across services by the W3C `traceparent` that every
event carries (the CloudEvents distributed-tracing extension).

With `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) set, spans are exported
by OTLP over HTTP (a Jaeger all-in-one in docker-compose.yml shows a promotion's whole cascade as one
trace); the SDK's own `OTEL_*` variables (sampler, headers, service name) apply. Without one, no
spans are made (they would cost the read path about a third of its speed, docs/benchmarks.md): the
ids are still made as the SDK would and reach the logs (`trace_id`) and the events, so a log search
joins one change across services.

One tracer provider per process (the in-process test suite runs every service in one): each span
names its service in `srdi.service`."""
from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Span, SpanKind, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_PROPAGATOR = TraceContextTextMapPropagator()
SERVER, CLIENT, PRODUCER, CONSUMER = SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER
ERROR = StatusCode.ERROR


_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


class _State:
    provider: TracerProvider | None = None
    tracer: trace.Tracer | None = None  # None: no exporter, so no spans (ids only; the cheap path)


def exporting() -> bool:
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def configure(service: str) -> None:
    """Once per process (the first service's name is the resource's): spans and their exporter when
    an OTLP endpoint is configured; otherwise ids only."""
    if _State.provider is not None or not exporting():
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME")
                                                        or f"srdi-{service}"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    use(provider)


def use(provider: TracerProvider | None) -> TracerProvider | None:
    """Record spans into this provider from now on (configure(); a test's in-memory exporter), or
    none (None); returns the one before, to go back to."""
    previous, _State.provider = _State.provider, provider
    _State.tracer = provider.get_tracer("srdi") if provider else None
    return previous


def traceparent_of(span: Span) -> str:
    c = span.get_span_context()
    return f"00-{c.trace_id:032x}-{c.span_id:016x}-{int(c.trace_flags):02x}"


def trace_id(traceparent: str) -> str:
    return traceparent.split("-")[1]


def child(traceparent: str | None) -> str:
    """Without spans: a new span id under the given trace when its traceparent is valid, else a new
    trace (https://www.w3.org/TR/trace-context/), as the SDK would give."""
    m = _TRACEPARENT.match(traceparent.strip().lower()) if traceparent else None
    if m and m.group(1) != "0" * 32 and m.group(2) != "0" * 16:
        trace_id_, flags = m.group(1), m.group(3)
    else:
        trace_id_, flags = os.urandom(16).hex(), "01"
    return f"00-{trace_id_}-{os.urandom(8).hex()}-{flags}"


class Traced:
    """What a span block gives its caller: the traceparent for what it causes, and (with spans on)
    the span, to name and mark when the outcome is known."""

    __slots__ = ("traceparent", "span")

    def __init__(self, traceparent: str, span: Span | None):
        self.traceparent, self.span = traceparent, span

    def finish(self, name: str | None = None, error: bool = False, **attributes) -> None:
        if self.span is None:
            return
        if name:
            self.span.update_name(name)
        if attributes:
            self.span.set_attributes(attributes)
        if error:
            self.span.set_status(StatusCode.ERROR)


def _parent(traceparent: str | None) -> Context:
    """The context of a remote parent; an empty one (a new trace) when the header is missing or broken."""
    return _PROPAGATOR.extract({"traceparent": traceparent}) if traceparent else Context()


@contextlib.contextmanager
def span(name: str, traceparent: str | None, kind: SpanKind, service: str, **attributes) -> Iterator[Traced]:
    """A span under the caller's `traceparent` (a new trace without a valid one), current while the
    block runs in this thread, so what it emits carries it."""
    tracer = _State.tracer
    if tracer is None:
        yield Traced(child(traceparent), None)
        return
    with tracer.start_as_current_span(name, context=_parent(traceparent), kind=kind,
                                      attributes={"srdi.service": service, **attributes}) as s:
        yield Traced(traceparent_of(s), s)


def start(name: str, kind: SpanKind, traceparent: str | None = None, **attributes) -> Span | None:
    """A span that is not made current (it may end on another thread, as a request's transaction
    does): under `traceparent`, else under the current span; None when spans are off or there is no
    parent (a transaction outside any request or event is not worth a trace of its own). End it with .end()."""
    tracer = _State.tracer
    if tracer is None:
        return None
    if traceparent:
        context = _parent(traceparent)
    elif trace.get_current_span().get_span_context().is_valid:
        context = None
    else:
        return None
    return tracer.start_span(name, context=context, kind=kind, attributes=attributes)
