"""The assessment through the API: dated parameters set by econ (through the policy endpoints
every service has, with parks' own value check as SPEC.policy_validator), cited and applied by date.
(Its own module: the parameters it sets live in this module's parks database only.)"""
import pytest

from services.parks.tests.helpers import enterprise_in, new_park


def dimension(result, name):
    return next(d for d in result["dimensions"] if d["dimension"] == name)


SRDI_COUNT = {"key": "parks.assessment.dimension.srdi_count", "effective_from": "2025-01-01",
              "legal_ref": "区经信局〔2025〕1号（测试）",
              "value": {"measure": "count", "floor": "municipal_srdi", "weight": 30, "threshold": 2,
                        "label": "专精特新企业数量"}}
PASS_50 = {"key": "parks.assessment.pass_score", "value": 50, "effective_from": "2025-06-01", "legal_ref": "测试"}


@pytest.fixture(scope="module")
async def dated(suite):
    """From 2025-01-01 srdi_count needs 2 (not 10); from 2025-06-01 the pass score is 50 (not 60)."""
    econ = suite.client("parks")
    for body in (SRDI_COUNT, PASS_50):
        r = await econ.put("/api/v1/policy", json=body)
        assert r.status_code == 201, r.text
        assert r.json()["set_by"].startswith("econ:")


async def test_parameters_are_dated_and_validated(suite, dated):
    econ = suite.client("parks")
    body = SRDI_COUNT
    assert (await econ.put("/api/v1/policy", json=body)).status_code == 409
    history = (await econ.get("/api/v1/policy/history")).json()["items"]
    # a key with no version: shared.policy's 404 (a new dimension comes with a migration's seed row)
    for bad in ({**body, "key": "award.tier.amount"}, {**body, "key": "parks.assessment.dimension.brand_new"}):
        r = await econ.put("/api/v1/policy", json=bad)
        assert r.status_code == 404 and r.json()["type"].endswith("unknown-parameter"), (bad, r.text)
    body = {**SRDI_COUNT, "effective_from": "2030-01-01"}  # a free date: a taken one is 409 before any value check
    for bad in ({**body, "value": {**body["value"], "measure": "vibes"}},  # parks' rules (policy_validator)
                {**body, "value": {**body["value"], "floor": "gold"}},
                {**body, "value": {**body["value"], "weight": -1}},  # the kind check (shared.policy)
                {**body, "key": "parks.assessment.pass_score", "value": "sixty"},
                {**body, "value": {k: v for k, v in body["value"].items() if k != "label"}}):
        r = await econ.put("/api/v1/policy", json=bad)
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "value"], (bad, r.text)
    r = await econ.put("/api/v1/policy", json={**body, "effective_from": "2025-13-01"})
    assert r.status_code == 422, r.text
    assert (await econ.get("/api/v1/policy/history")).json()["items"] == history  # nothing written

    def in_force(body):
        return {p["key"]: p["effective_from"] for p in body["parameters"]}
    auditor = suite.client("parks", role="auditor")
    assert in_force((await auditor.get("/api/v1/policy?on=2024-12-31")).json())[SRDI_COUNT["key"]] == "2022-01-01"
    assert in_force((await econ.get("/api/v1/policy?on=2025-01-01")).json())[SRDI_COUNT["key"]] == "2025-01-01"
    versions = (await auditor.get("/api/v1/policy/history", params={"key": SRDI_COUNT["key"]})).json()["items"]
    assert [(v["effective_from"], v["value"]["threshold"]) for v in versions] == [("2022-01-01", 10), ("2025-01-01", 2)]


async def test_the_assessment_applies_the_parameters_of_its_date(suite, dated):
    econ = suite.client("parks")
    two, one = await new_park(suite), await new_park(suite)
    for _ in range(2):
        await enterprise_in(suite, two["id"], ("municipal_srdi", "2024-03-01"))
    await enterprise_in(suite, one["id"], ("municipal_srdi", "2024-03-01"))
    await suite.settled()

    y2024 = (await econ.get(f"/api/v1/parks/{two['id']}/assessment?year=2024")).json()
    count = dimension(y2024, "srdi_count")
    assert (count["value"], count["threshold"], count["met"], count["param"]["effective_from"]) == (2, 10, False, "2022-01-01")

    # 2025: count 2 ≥ 2 (30) + share 100 % (20) = 50; nothing new in 2025, no giant, none incubated
    may = (await econ.get(f"/api/v1/parks/{two['id']}/assessment?on=2025-05-31")).json()
    assert (may["score"], may["pass_score"], may["passed"]) == (50, 60, False)
    june = (await econ.get(f"/api/v1/parks/{two['id']}/assessment?on=2025-06-01")).json()
    assert (june["score"], june["pass_score"], june["passed"]) == (50, 50, True)
    assert june["pass_param"]["effective_from"] == "2025-06-01"
    count = dimension(june, "srdi_count")
    assert (count["value"], count["threshold"], count["met"], count["points"]) == (2, 2, True, 30)
    # one SRDI enterprise: one short of the threshold
    single = (await econ.get(f"/api/v1/parks/{one['id']}/assessment?year=2025")).json()
    count = dimension(single, "srdi_count")
    assert (count["value"], count["met"], single["score"], single["passed"]) == (1, False, 20, False)
    # a designation on the passing date needs no reason; on the failing one it would
    r = await econ.post(f"/api/v1/parks/{one['id']}/designations",
                        json={"designation": "srdi_featured", "designated_on": "2025-06-01"})
    assert r.status_code == 422
    r = await econ.post(f"/api/v1/parks/{two['id']}/designations",
                        json={"designation": "srdi_featured", "designated_on": "2025-06-01"})
    assert r.status_code == 201 and r.json()["assessment"]["score"] == 50


async def test_assessment_query(suite):
    econ = suite.client("parks")
    park = await new_park(suite)
    base = f"/api/v1/parks/{park['id']}/assessment"
    for query in ("", "?year=2025&on=2025-01-01", "?year=1999", "?on=2025-02-30", "?year=abc"):
        assert (await econ.get(base + query)).status_code == 422, query
    r = await econ.get(base + "?year=2021")  # before any parameter is in force: nothing to pass
    assert r.status_code == 200 and r.json()["dimensions"] == [] and r.json()["passed"] is False
