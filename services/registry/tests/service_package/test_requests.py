"""The service package: requests routed by category, moved by their owner, overdue lists."""
import datetime as dt

import pytest

from services.registry.service_package import rules
from shared.testing import make_uscc


@pytest.mark.parametrize("state, to, ok", [("open", "accepted", True), ("open", "resolved", True),
                                           ("accepted", "rejected", True), ("accepted", "accepted", False),
                                           ("resolved", "accepted", False), ("rejected", "resolved", False)])
def test_moves(state, to, ok):
    assert rules.can_move(state, to) == ok


def test_overdue_edges():
    due = dt.date(2025, 3, 15)
    assert not rules.overdue("open", due, due) and rules.overdue("open", due, dt.date(2025, 3, 16))
    assert not rules.overdue("resolved", due, dt.date(2026, 1, 1))


@pytest.mark.parametrize("routed_to, park_id, owner", [("park", "P-1", "park"), ("park", None, "econ"),
                                                       ("park", "", "econ"), ("treasury", None, "treasury")])
def test_a_parks_request_for_an_enterprise_in_no_park_goes_to_the_lead_bureau(routed_to, park_id, owner):
    assert rules.owner(routed_to, park_id) == owner


async def test_a_land_request_of_an_enterprise_in_no_park_is_the_lead_bureaus(suite):
    econ = suite.client("registry")
    u = make_uscc()
    assert (await econ.post("/api/v1/enterprises", json={"uscc": u, "name": "无园区企业"})).status_code == 201
    r = await econ.post("/api/v1/service-requests", json={"uscc": u, "category": "land_space", "summary": "扩产用地"})
    assert r.status_code == 201 and r.json()["department"] == "econ", r.text
    assert r.json()["moves"]["accepted"] == ["econ"]


async def test_requests_are_routed_moved_and_listed(suite):
    econ = suite.client("registry")
    u = make_uscc()
    await econ.post("/api/v1/enterprises", json={"uscc": u, "name": "服务包测试", "park_id": "P-SP"})
    r = await econ.post("/api/v1/service-requests", json={"uscc": u, "category": "subsidy", "summary": "奖励资金何时拨付",
                                                           "opened_on": "2025-03-01"})
    assert r.status_code == 201, r.text
    sub = r.json()
    assert (sub["department"], sub["due_on"], sub["overdue"]) == ("treasury", "2025-03-16", True)
    # What may be done now, and by whom: the answer says it (a page offers exactly these).
    assert sub["moves"] == {"accepted": ["econ", "treasury"], "resolved": ["econ", "treasury"],
                            "rejected": ["econ", "treasury"]}
    land = (await econ.post("/api/v1/service-requests", json={"uscc": u, "category": "land_space", "summary": "扩产用地"})).json()
    assert land["department"] == "park" and land["overdue"] is False
    # Only the owner (or the lead bureau) moves a request.
    assert (await suite.client("registry", role="talent").post(
        f"/api/v1/service-requests/{sub['id']}/transition", json={"state": "accepted"})).status_code == 403
    treasury = suite.client("registry", role="treasury")
    r = await treasury.post(f"/api/v1/service-requests/{sub['id']}/transition", json={"state": "accepted"})
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    assert r.json()["moves"] == {"resolved": ["econ", "treasury"], "rejected": ["econ", "treasury"]}
    assert (await treasury.post(f"/api/v1/service-requests/{sub['id']}/transition", json={"state": "accepted"})).status_code == 409
    assert (await treasury.post(f"/api/v1/service-requests/{sub['id']}/transition", json={"state": "resolved"})).status_code == 422
    overdue = (await econ.get("/api/v1/service-requests", params={"overdue": "true", "on": "2025-03-17"})).json()["items"]
    assert sub["id"] in [i["id"] for i in overdue] and land["id"] not in [i["id"] for i in overdue]
    r = await treasury.post(f"/api/v1/service-requests/{sub['id']}/transition", json={"state": "resolved", "note": "已拨付"})
    assert r.json()["state"] == "resolved" and r.json()["overdue"] is False and r.json()["moves"] == {}
    # A park moves and sees only its own enterprises' requests.
    other = suite.client("registry", role="park", org="P-OTHER")
    assert (await other.post(f"/api/v1/service-requests/{land['id']}/transition", json={"state": "accepted"})).status_code == 404
    assert (await other.get("/api/v1/service-requests", params={"uscc": u})).json()["items"] == []
    mine = suite.client("registry", role="park", org="P-SP")
    assert (await mine.post(f"/api/v1/service-requests/{land['id']}/transition", json={"state": "accepted"})).status_code == 200
    listed = (await mine.get("/api/v1/service-requests", params={"department": "park"})).json()["items"]
    assert [i["id"] for i in listed] == [land["id"]]
    page = (await econ.get("/api/v1/service-requests", params={"uscc": u, "limit": 1})).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    # Roles and bad input.
    assert (await suite.client("registry", role=None).get("/api/v1/service-requests")).status_code == 401
    assert (await suite.client("registry", role="bank", org="B1").get("/api/v1/service-requests")).status_code == 403
    assert (await treasury.post("/api/v1/service-requests", json={"uscc": u, "category": "other", "summary": "x"})).status_code == 403
    for body in ({"uscc": u, "category": "gold", "summary": "x"}, {"uscc": u, "category": "other"},
                 {"uscc": u, "category": "other", "summary": ""}, {"uscc": "bad", "category": "other", "summary": "x"}):
        assert (await econ.post("/api/v1/service-requests", json=body)).status_code == 422
    assert (await econ.post("/api/v1/service-requests", json={"uscc": make_uscc(), "category": "other", "summary": "x"})).status_code == 404
    assert (await econ.post("/api/v1/service-requests/999999/transition", json={"state": "accepted"})).status_code == 404
    assert (await econ.get("/api/v1/service-requests?state=done")).status_code == 422
    assert (await econ.get("/api/v1/service-requests?cursor=%%")).status_code == 422


async def test_visits(suite):
    econ = suite.client("registry")
    u = make_uscc()
    await econ.post("/api/v1/enterprises", json={"uscc": u, "name": "走访测试", "park_id": "P-V"})
    r = await econ.post("/api/v1/visits", json={"uscc": u, "visited_on": "2025-04-01", "visitors": "区经信局 张三",
                                                 "findings": "拟申报专精特新，研发费用占比不足"})
    assert r.status_code == 201, r.text
    await econ.post("/api/v1/visits", json={"uscc": u, "visited_on": "2025-06-01", "visitors": "窦店镇", "findings": "已整改"})
    got = (await econ.get("/api/v1/visits", params={"uscc": u, "from": "2025-05-01"})).json()["items"]
    assert [v["visited_on"] for v in got] == ["2025-06-01"]
    assert len((await suite.client("registry", role="park", org="P-V").get("/api/v1/visits", params={"uscc": u})).json()["items"]) == 2
    assert (await suite.client("registry", role="park", org="P-X").get("/api/v1/visits", params={"uscc": u})).json()["items"] == []
    assert (await suite.client("registry", role=None).get("/api/v1/visits")).status_code == 401
    assert (await suite.client("registry", role="bank", org="B1").get("/api/v1/visits")).status_code == 403
    assert (await suite.client("registry", role="auditor").post("/api/v1/visits", json={})).status_code == 403
    for body in ({"uscc": u, "visited_on": "2025-13-01", "visitors": "x", "findings": "y"}, {"uscc": u}):
        assert (await econ.post("/api/v1/visits", json=body)).status_code == 422
    assert (await econ.post("/api/v1/visits", json={"uscc": make_uscc(), "visited_on": "2025-04-01", "visitors": "x",
                                                     "findings": "y"})).status_code == 404
    await suite.settled()  # stop the module's suite with no events in flight
