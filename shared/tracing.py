"""Traces with OpenTelemetry: a span for each request, each database transaction inside one, each
event published and each event handled, joined across services by the W3C `traceparent` that every
event carries (the CloudEvents distributed-tracing extension).

With `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) set, spans are exported
by OTLP over HTTP (a Jaeger all-in-one in docker-compose.yml shows a promotion's whole cascade as one
trace); the SDK's own `OTEL_*` variables (sampler, headers, service name) apply. Without one, spans
are made and dropped: their ids still reach the logs (`trace_id`) and the events, so a log search
joins one change across services; the cost is in docs/benchmarks.md.

One tracer provider per process (the in-process test suite runs every service in one): each span
names its service in `srdi.service`."""
from __future__ import annotations

import contextlib
import os
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


class _State:
    provider: TracerProvider | None = None
    tracer: trace.Tracer = TracerProvider().get_tracer("srdi")  # until configure(): made and dropped


def exporting() -> bool:
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def configure(service: str) -> None:
    """Once per process (the first service's name is the resource's): the exporter when configured."""
    if _State.provider is not None:
        return
    provider = TracerProvider(resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME")
                                                        or f"srdi-{service}"}))
    if exporting():
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    use(provider)


def use(provider: TracerProvider | None) -> TracerProvider | None:
    """Record into this provider from now on (configure(); a test's in-memory exporter, then back to
    the one this returns)."""
    previous, _State.provider = _State.provider, provider
    _State.tracer = (provider or TracerProvider()).get_tracer("srdi")
    return previous


def traceparent_of(span: Span) -> str:
    c = span.get_span_context()
    return f"00-{c.trace_id:032x}-{c.span_id:016x}-{int(c.trace_flags):02x}"


def trace_id(traceparent: str) -> str:
    return traceparent.split("-")[1]


def _parent(traceparent: str | None) -> Context:
    """The context of a remote parent; an empty one (a new trace) when the header is missing or broken."""
    return _PROPAGATOR.extract({"traceparent": traceparent}) if traceparent else Context()


@contextlib.contextmanager
def span(name: str, traceparent: str | None, kind: SpanKind, service: str, **attributes) -> Iterator[Span]:
    """A span under the caller's `traceparent` (a new trace without a valid one), current while the
    block runs in this thread, so what it emits carries it."""
    with _State.tracer.start_as_current_span(name, context=_parent(traceparent), kind=kind,
                                             attributes={"srdi.service": service, **attributes}) as s:
        yield s


def start(name: str, kind: SpanKind, traceparent: str | None = None, **attributes) -> Span | None:
    """A span that is not made current (it may end on another thread, as a request's transaction
    does): under `traceparent`, else under the current span; None when there is neither (a
    transaction outside any request or event is not worth a trace of its own). End it with .end()."""
    if traceparent:
        context = _parent(traceparent)
    elif trace.get_current_span().get_span_context().is_valid:
        context = None
    else:
        return None
    return _State.tracer.start_span(name, context=context, kind=kind, attributes=attributes)
