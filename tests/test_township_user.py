"""A township or street office (乡镇/街道) signed in: its own enterprises, the visits it records to them,
the policy sessions it holds and who attended; nothing of another township's."""
import pytest

from shared.auth import issue_token
from shared.testing import SIGNING_KEY, make_uscc


def test_a_township_token_names_a_unit_on_the_fixed_list():
    assert issue_token(SIGNING_KEY, "township", "良乡镇")
    for org in ("良乡", "朝阳区望京街道", None, "park-1"):
        with pytest.raises(ValueError):
            issue_token(SIGNING_KEY, "township", org)


async def test_a_township_reads_and_records_its_own(suite):
    econ = suite.client("registry")
    here, there = make_uscc(), make_uscc()
    for u, town in ((here, "良乡镇"), (there, "窦店镇")):
        r = await econ.post("/api/v1/enterprises", json={"uscc": u, "name": f"乡镇企业{u[-4:]}", "township": town})
        assert r.status_code == 201, r.text
    me = suite.client("registry", role="township", org="良乡镇")
    listed = {e["uscc"] for e in (await me.get("/api/v1/enterprises", params={"limit": 500})).json()["items"]}
    assert here in listed and there not in listed
    assert (await me.get(f"/api/v1/enterprises/{here}")).status_code == 200
    assert (await me.get(f"/api/v1/enterprises/{there}")).status_code == 404
    assert (await me.get("/api/v1/stats/tiers")).status_code == 403

    visit = {"visited_on": "2025-04-10", "visitors": "良乡镇 王科长", "findings": "扩产需要用地"}
    r = await me.post("/api/v1/visits", json={**visit, "uscc": here})
    assert r.status_code == 201, r.text
    assert (await me.post("/api/v1/visits", json={**visit, "uscc": there})).status_code == 404
    assert (await econ.post("/api/v1/visits", json={**visit, "uscc": there})).status_code == 201
    assert {v["uscc"] for v in (await me.get("/api/v1/visits")).json()["items"]} == {here}

    body = {"title": "专精特新政策宣讲", "held_on": "2025-05-20", "topic": "认定条件与奖励"}
    r = await me.post("/api/v1/policy-sessions", json={**body, "township": "良乡镇"})
    assert r.status_code == 201, r.text
    ours = r.json()["id"]
    r = await me.post("/api/v1/policy-sessions", json={**body, "township": "窦店镇"})
    assert r.status_code == 403 and r.json()["errors"][0]["loc"] == ["body", "township"]
    theirs = (await econ.post("/api/v1/policy-sessions", json={**body, "township": "窦店镇"})).json()["id"]
    assert (await me.put(f"/api/v1/policy-sessions/{ours}/attendance/{here}", json={"attendees": 3})).status_code == 201
    assert (await me.put(f"/api/v1/policy-sessions/{ours}/attendance/{there}", json={"attendees": 1})).status_code == 404
    assert (await me.put(f"/api/v1/policy-sessions/{theirs}/attendance/{here}", json={"attendees": 1})).status_code == 404
    assert {s["id"] for s in (await me.get("/api/v1/policy-sessions")).json()["items"]} == {ours}
    assert (await me.get(f"/api/v1/policy-sessions/{theirs}")).status_code == 404
    assert (await me.get(f"/api/v1/policy-sessions/{ours}")).json()["attendees"] == 3
    # Nothing of the district's money or lists.
    assert (await suite.client("awards", role="township", org="良乡镇").get("/api/v1/awards")).status_code == 403
    assert (await me.post("/api/v1/enterprises", json={"uscc": make_uscc(), "name": "x"})).status_code == 403
