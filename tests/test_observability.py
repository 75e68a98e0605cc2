"""Metrics per service, and a correlation id from the HTTP request through events to consumers."""
import re

import orjson
from sqlalchemy import select

from shared.tables import Outbox
from shared.testing import make_uscc


def outbox_envelopes(suite, service):
    with suite.db(service).reader() as s:
        return [orjson.loads(p) for p in s.scalars(select(Outbox.payload))]


async def test_correlation_id_follows_the_promotion(suite):
    uscc = make_uscc()
    econ = suite.client("registry")
    await econ.post("/api/v1/enterprises", json={"uscc": uscc, "name": "追踪测试"})
    r = await econ.post(f"/api/v1/enterprises/{uscc}/certifications", headers={"X-Request-ID": "trace-123"},
                        json={"tier": "municipal_srdi", "recognized_on": "2024-03-01"})
    assert r.headers["x-request-id"] == "trace-123"
    promoted = [e for e in outbox_envelopes(suite, "registry") if e["subject"] == uscc and e["type"].endswith("promoted.v1")]
    assert promoted[0]["correlationid"] == "trace-123"

    def award_event():
        return [e for e in outbox_envelopes(suite, "awards") if e["data"].get("uscc") == uscc]
    events = await suite.wait_for(award_event, "the award event")
    assert events[0]["correlationid"] == "trace-123"  # carried by the awards consumer into its own event
    other = await econ.get("/healthz")
    assert len(other.headers["x-request-id"]) == 32  # made here when the caller sends none


async def test_trace_context_follows_the_promotion(suite):
    """W3C traceparent: the caller's trace id is kept by the request, the event it emits, the
    consumer that handles it and the event that consumer emits; each with a span id of its own."""
    uscc = make_uscc()
    econ = suite.client("registry")
    await econ.post("/api/v1/enterprises", json={"uscc": uscc, "name": "链路测试"})
    trace, parent = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    r = await econ.post(f"/api/v1/enterprises/{uscc}/certifications", headers={"traceparent": f"00-{trace}-{parent}-01"},
                        json={"tier": "municipal_srdi", "recognized_on": "2024-03-01"})
    assert r.status_code == 201
    [promoted] = [e for e in outbox_envelopes(suite, "registry") if e["subject"] == uscc and e["type"].endswith("promoted.v1")]
    version, trace_id, span, flags = promoted["traceparent"].split("-")
    assert (version, trace_id, flags) == ("00", trace, "01") and span != parent and re.fullmatch("[0-9a-f]{16}", span)

    def award_event():
        return [e for e in outbox_envelopes(suite, "awards") if e["data"].get("uscc") == uscc]
    [award] = await suite.wait_for(award_event, "the award event")
    assert award["traceparent"].split("-")[1] == trace and award["traceparent"].split("-")[2] not in (span, parent)
    # A caller with no (or a broken) header starts a trace of its own.
    other = make_uscc()
    await econ.post("/api/v1/enterprises", json={"uscc": other, "name": "新链路"}, headers={"traceparent": "garbage"})
    [registered] = [e for e in outbox_envelopes(suite, "registry") if e["subject"] == other]
    # sampled (01), and OpenTelemetry marks the new trace id random (02: W3C Trace Context level 2)
    assert re.fullmatch("00-[0-9a-f]{32}-[0-9a-f]{16}-0[13]", registered["traceparent"])
    assert registered["traceparent"].split("-")[1] != trace


async def test_metrics_expose_latency_and_backlog(suite):
    await suite.client("registry").get("/api/v1/stats/tiers")
    await suite.settled()
    for service in suite.apps:
        text = (await suite.client(service, role=None).get("/metrics")).text
        assert f'srdi_outbox_pending{{service="{service}"}} 0.0' in text
        assert f'srdi_dead_letters{{service="{service}"}}' in text
    text = (await suite.client("registry", role=None).get("/metrics")).text
    assert re.search(r'srdi_http_request_seconds_count\{method="GET",route="[^"]*/stats/tiers",service="registry",status="200"\} [1-9]', text)
    awards = (await suite.client("awards", role=None).get("/metrics")).text
    assert 'srdi_consumer_lag{service="awards"} 0.0' in awards
