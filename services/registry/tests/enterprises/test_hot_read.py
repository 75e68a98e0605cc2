"""The fast lane of GET /enterprises/{uscc} (shared.hotpath, issue 15 item 5): it answers the common
case with the route's own bytes, and leaves every other case to the route, which answers as before."""
from __future__ import annotations

from prometheus_client import REGISTRY

from services.registry.tests.enterprises.helpers import record_park, register
from shared.clock import today
from shared.testing import make_uscc


def lane(outcome: str) -> float:
    return REGISTRY.get_sample_value("srdi_hot_reads_total", {"service": "registry", "outcome": outcome}) or 0.0


def timed(route: str) -> float:
    return REGISTRY.get_sample_value("srdi_http_request_seconds_count", {
        "service": "registry", "method": "GET", "route": route, "status": "200"}) or 0.0


async def read(client, path: str, served: bool):
    """GET `path`; assert the lane served it, or did not (a path it looked at and left to the route
    counts as passed); the response."""
    before = lane("served"), lane("passed")
    r = await client.get(path)
    looked = 0 if "?" in path else 1
    assert (lane("served") - before[0], lane("passed") - before[1]) == ((1, 0) if served else (0, looked)), path
    return r


async def test_the_lane_answers_with_the_routes_bytes_and_leaves_the_rest_to_it(suite):
    park, other_park = f"park-{make_uscc()[-6:]}", f"park-{make_uscc()[-6:]}"
    assert await record_park(suite, park, "北京房山快读测试园") == "handled"
    mine, elsewhere = make_uscc(), make_uscc()
    await register(suite, mine, township="窦店镇", park_id=park)
    await register(suite, elsewhere, township="良乡镇")
    econ = suite.client("registry")
    r = await econ.post(f"/api/v1/enterprises/{mine}/certifications",
                        json={"tier": "municipal_srdi", "recognized_on": "2025-03-01"})
    assert r.status_code == 201, r.text
    via_route = f"/api/v1/enterprises/{mine}?on={today().isoformat()}"  # a query string: the route answers

    # Who may read it: the same bytes as the route's, the route's headers, timed under the route's name.
    readers = [econ, suite.client("registry", "auditor"), suite.client("registry", "park", park),
               suite.client("registry", "enterprise", mine), suite.client("registry", "township", "窦店镇")]
    for client in readers:
        counted = timed("/enterprises/{uscc}")
        fast = await read(client, f"/api/v1/enterprises/{mine}", served=True)
        slow = await read(client, via_route, served=False)
        assert fast.status_code == slow.status_code == 200, fast.text
        assert fast.content == slow.content and fast.json()["current_tier"] == "municipal_srdi"
        assert fast.headers["content-type"] == slow.headers["content-type"] == "application/json"
        assert fast.headers["x-request-id"] and int(fast.headers["content-length"]) == len(fast.content)
        assert timed("/enterprises/{uscc}") - counted == 2
    low = await read(econ, f"/api/v1/enterprises/{mine.lower()}", served=True)  # as the route: case-insensitive
    assert low.content == (await econ.get(via_route)).content

    # Not the caller's, not found, another role, no or a bad token: the route's own refusal.
    for client, path, status in (
            (suite.client("registry", "park", other_park), f"/api/v1/enterprises/{mine}", 404),
            (suite.client("registry", "enterprise", elsewhere), f"/api/v1/enterprises/{mine}", 404),
            (suite.client("registry", "township", "良乡镇"), f"/api/v1/enterprises/{mine}", 404),
            (econ, f"/api/v1/enterprises/{make_uscc()}", 404),
            (econ, "/api/v1/enterprises/NOT-A-CODE", 404)):
        r = await read(client, path, served=False)
        assert r.status_code == status and r.headers["content-type"] == "application/problem+json", r.text
    bank = suite.client("registry", "bank", "BOB")
    r = await read(bank, f"/api/v1/enterprises/{mine}", served=False)
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json", r.text
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eA=="}):
        before = lane("passed")
        r = await suite.client("registry", None).get(f"/api/v1/enterprises/{mine}", headers=headers)
        assert r.status_code == 401 and lane("passed") - before == 1, (headers, r.text)

    # Another route under the same prefix is never the lane's.
    before = lane("served") + lane("passed")
    r = await econ.get(f"/api/v1/enterprises/{mine}/timeline")
    assert lane("served") + lane("passed") == before and r.status_code != 500
