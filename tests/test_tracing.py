"""OpenTelemetry: one promotion is one trace across the departments — the registry's request, its
transaction and publish, then each consumer's handling and what it publishes in turn."""
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from shared import tracing

TRACE, CALLER = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"


async def test_a_promotion_is_one_trace_across_the_departments(suite, uscc):
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    previous = tracing.use(provider)
    try:
        econ = suite.client("registry")
        await econ.post("/api/v1/enterprises", json={"uscc": uscc, "name": "全链路追踪"})
        r = await econ.post(f"/api/v1/enterprises/{uscc}/certifications",
                            headers={"traceparent": f"00-{TRACE}-{CALLER}-01"},
                            json={"tier": "municipal_srdi", "recognized_on": "2024-03-01"})
        assert r.status_code == 201, r.text

        def handled_everywhere():
            spans = [s for s in exporter.get_finished_spans() if f"{s.context.trace_id:032x}" == TRACE]
            consumers = {s.attributes["srdi.service"] for s in spans if s.kind == SpanKind.CONSUMER}
            return spans if {"awards", "talent", "finance", "parks"} <= consumers and any(
                s.name == "publish srdi.awards.award.changed.v1" for s in spans) else None
        spans = await suite.wait_for(handled_everywhere, "every department's handling in the caller's trace")
    finally:
        tracing.use(previous)

    [request] = [s for s in spans if s.kind == SpanKind.SERVER and s.attributes["srdi.service"] == "registry"
                 and s.name == "POST /enterprises/{uscc}/certifications"]
    assert f"{request.parent.span_id:016x}" == CALLER and request.attributes["http.response.status_code"] == 201
    children = [s for s in spans if s.parent is not None and s.parent.span_id == request.context.span_id]
    assert {(s.kind, s.name.split(" ")[0]) for s in children} >= {(SpanKind.CLIENT, "db.transaction")}
    [publish] = [s for s in spans if s.name == "publish srdi.registry.enterprise.promoted.v1"]
    assert publish.kind == SpanKind.PRODUCER and publish.parent.span_id == request.context.span_id
    handled = [s for s in spans if s.kind == SpanKind.CONSUMER and s.name == "handle srdi.registry.enterprise.promoted.v1"]
    # each department's handling hangs under the request that emitted the event
    assert {s.attributes["srdi.service"] for s in handled} >= {"awards", "talent", "finance", "parks"}
    assert all(s.parent.span_id == request.context.span_id for s in handled)
    [award_handling] = [s for s in handled if s.attributes["srdi.service"] == "awards"]
    [award_publish] = [s for s in spans if s.name == "publish srdi.awards.award.changed.v1"]
    assert award_publish.parent.span_id == award_handling.context.span_id  # the cascade goes on
