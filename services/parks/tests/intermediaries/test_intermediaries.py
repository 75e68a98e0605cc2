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


async def test_a_service_record_keeps_its_outcome(suite):
    econ = suite.client("parks")
    imd = (await econ.post("/api/v1/intermediaries", json={"name": f"申报服务-{uuid.uuid4().hex[:6]}"})).json()
    path = f"/api/v1/intermediaries/{imd['id']}/services"
    r = await econ.post(path, json={"uscc": make_uscc(), "served_on": "2025-04-01", "category": "declaration",
                                    "outcome": "获批北京市专精特新中小企业"})
    assert r.status_code == 201 and r.json()["outcome"] == "获批北京市专精特新中小企业"
    assert (await econ.get(path)).json()["items"][0]["outcome"] == "获批北京市专精特新中小企业"
    for outcome in ("", "成" * 2001, 5):
        r = await econ.post(path, json={"uscc": make_uscc(), "served_on": "2025-04-01", "category": "ip",
                                        "outcome": outcome})
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "outcome"], outcome
    assert len((await econ.get(path)).json()["items"]) == 1


async def test_an_intermediary_shows_the_enterprises_it_introduced(suite):
    """The registry's `introducer` of a relocated enterprise names the intermediary (by name or by
    USCC); the projection keeps it, and a park operator sees only those in its own park."""
    econ, reg = suite.client("parks"), suite.client("registry")
    name, imd_uscc = f"招商服务中心-{uuid.uuid4().hex[:6]}", make_uscc()
    imd = (await econ.post("/api/v1/intermediaries", json={"name": name, "uscc": imd_uscc})).json()
    a, b = await new_park(suite), await new_park(suite)
    by_name, by_uscc, elsewhere, other = make_uscc(), make_uscc(), make_uscc(), make_uscc()
    for uscc, park, introducer in ((by_name, a, name), (by_uscc, a, imd_uscc), (elsewhere, b, name),
                                   (other, a, "另一家中介")):
        r = await reg.post("/api/v1/enterprises", json={
            "uscc": uscc, "name": f"入区企业{uscc[-4:]}", "park_id": park["id"], "relocated_on": "2024-05-01",
            "relocated_from": "海淀区", "introducer": introducer})
        assert r.status_code == 201, r.text
    path = f"/api/v1/intermediaries/{imd['id']}/introduced"

    async def all_three():
        r = await econ.get(path)
        return r.status_code == 200 and len(r.json()["items"]) == 3
    await suite.wait_for(all_three, "the three introduced enterprises")
    items = (await econ.get(path)).json()["items"]
    assert [e["uscc"] for e in items] == sorted([by_name, by_uscc, elsewhere])
    assert {(e["introducer"], e["relocated_on"]) for e in items} == {(name, "2024-05-01"), (imd_uscc, "2024-05-01")}
    # a promotion (which carries the facts again) keeps them
    r = await reg.post(f"/api/v1/enterprises/{by_name}/certifications",
                       json={"tier": "municipal_srdi", "recognized_on": "2025-03-01"})
    assert r.status_code == 201
    await suite.settled()
    items = {e["uscc"]: e for e in (await econ.get(path)).json()["items"]}
    assert items[by_name]["tier"] == "municipal_srdi" and items[by_name]["introducer"] == name
    own = (await suite.client("parks", role="park", org=a["id"]).get(path)).json()["items"]
    assert [e["uscc"] for e in own] == sorted([by_name, by_uscc])
    theirs = (await suite.client("parks", role="park", org=b["id"]).get(path)).json()["items"]
    assert [e["uscc"] for e in theirs] == [elsewhere]
    page = (await econ.get(path, params={"limit": 2})).json()
    rest = (await econ.get(path, params={"cursor": page["next_cursor"]})).json()
    assert [e["uscc"] for e in page["items"] + rest["items"]] == sorted([by_name, by_uscc, elsewhere])
    assert (await econ.get("/api/v1/intermediaries/999999/introduced")).status_code == 404


async def test_each_change_of_an_entry_is_announced_whole(suite):
    """intermediary.changed.v1 (issue 19): the whole entry on registration and on each change, its version
    one more each time; the same values again change and announce nothing."""
    import orjson
    from sqlalchemy import select

    from shared.tables import Outbox

    def announced(imd_id):
        with suite.db("parks").reader() as s:
            rows = s.scalars(select(Outbox.payload).where(Outbox.subject == "srdi.parks.intermediary.changed.v1")
                             .order_by(Outbox.created_at))
            return [d for d in (orjson.loads(p)["data"] for p in rows) if d["intermediary_id"] == imd_id]

    econ = suite.client("parks")
    name = f"房山财税服务所-{uuid.uuid4().hex[:6]}"
    imd = (await econ.post("/api/v1/intermediaries", json={"name": name, "contact": "010-1"})).json()
    r = await econ.patch(f"/api/v1/intermediaries/{imd['id']}", json={"kind": "association", "contact": None})
    assert r.status_code == 200 and (r.json()["kind"], r.json()["contact"], r.json()["version"]) == (
        "association", None, 2)
    assert (await econ.patch(f"/api/v1/intermediaries/{imd['id']}", json={"kind": "association"})).json()[
        "version"] == 2
    assert [(d["version"], d["kind"], d["contact"], d["name"]) for d in announced(imd["id"])] == [
        (1, "intermediary", "010-1", name), (2, "association", None, name)]
    assert (await econ.patch("/api/v1/intermediaries/999999", json={"contact": "x"})).status_code == 404
