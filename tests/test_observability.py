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
