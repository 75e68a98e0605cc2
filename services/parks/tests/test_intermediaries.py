"""Intermediaries (中介机构) and associations, and their service records."""
import uuid

from services.parks.tests.helpers import new_park
from shared.testing import make_uscc


async def test_register_and_serve(suite):
    econ = suite.client("parks")
    name = f"房山知识产权服务中心-{uuid.uuid4().hex[:6]}"
    r = await econ.post("/api/v1/intermediaries", json={"name": name, "kind": "intermediary", "uscc": make_uscc(),
                                                        "contact": "010-8000 0000"})
    assert r.status_code == 201, r.text
    imd = r.json()
    assert (await econ.get(f"/api/v1/intermediaries/{imd['id']}")).json()["name"] == name
    dup = await econ.post("/api/v1/intermediaries", json={"name": name, "kind": "association"})
    assert dup.status_code == 409 and dup.json()["existing"]["id"] == imd["id"]

    park = await new_park(suite)
    op = suite.client("parks", role="park", org=park["id"])
    served = make_uscc()
    r = await op.post(f"/api/v1/intermediaries/{imd['id']}/services",
                      json={"uscc": served, "served_on": "2025-04-01", "category": "declaration",
                            "description": "协助申报市级专精特新"})
    assert r.status_code == 201, r.text
    rec = r.json()
    assert (rec["park_id"], rec["uscc"], rec["category"]) == (park["id"], served, "declaration")
    assert rec["created_by"].startswith(f"park:{park['id']}:")
    r = await econ.post(f"/api/v1/intermediaries/{imd['id']}/services",
                        json={"uscc": make_uscc(), "served_on": "2025-05-01", "category": "finance"})
    assert r.status_code == 201 and r.json()["park_id"] is None  # district-wide service
    mine = (await op.get(f"/api/v1/intermediaries/{imd['id']}/services")).json()["items"]
    assert [x["id"] for x in mine] == [rec["id"]]
    everything = (await econ.get(f"/api/v1/intermediaries/{imd['id']}/services")).json()["items"]
    assert len(everything) == 2


async def test_bad_service_records(suite):
    econ = suite.client("parks")
    imd = (await econ.post("/api/v1/intermediaries", json={"name": f"商协会-{uuid.uuid4().hex[:6]}",
                                                           "kind": "association"})).json()
    path = f"/api/v1/intermediaries/{imd['id']}/services"
    for body in ({"uscc": make_uscc(), "served_on": "2025-04-01", "category": "massage"},
                 {"uscc": "123", "served_on": "2025-04-01", "category": "ip"},
                 {"uscc": make_uscc(), "category": "ip"},
                 {"uscc": make_uscc(), "served_on": "2025-04-01", "category": "ip", "park_id": "park-nothere"}):
        r = await econ.post(path, json=body)
        assert r.status_code == 422, (body, r.text)
    assert (await econ.get(path)).json()["items"] == []
    assert (await econ.post("/api/v1/intermediaries", json={"name": "x", "kind": "broker"})).status_code == 422


async def test_intermediary_pagination(suite):
    econ = suite.client("parks")
    made = set()
    for _ in range(5):
        made.add((await econ.post("/api/v1/intermediaries", json={"name": f"中介-{uuid.uuid4().hex[:8]}"})).json()["id"])
    seen, cursor = set(), None
    while True:
        page = (await econ.get("/api/v1/intermediaries", params={"limit": 2, **({"cursor": cursor} if cursor else {})})).json()
        assert len(page["items"]) <= 2
        seen |= {m["id"] for m in page["items"]}
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert made <= seen
