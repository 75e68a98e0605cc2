"""Parks and designations: creation, listing, detail, the one-designation rule and the event."""
import datetime as dt
import re

import orjson
from sqlalchemy import func, select

from services.parks.tables import Designation, Park
from services.parks.tests.helpers import enterprise_in, new_park
from shared.clock import today
from shared.tables import AuditLog, Outbox

FEATURED = {"designation": "srdi_featured", "designated_on": "2025-06-30"}


def count(suite, model, *where):
    with suite.db("parks").reader() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


async def test_create_and_read_a_park(suite):
    econ = suite.client("parks")
    r = await econ.post("/api/v1/parks", json={"name": "房山园·窦店产业园", "operator_org": "窦店管委会",
                                               "area_mu": "1250.5", "township": "窦店镇"})
    assert r.status_code == 201, r.text
    park = r.json()
    assert re.fullmatch(r"park-[0-9a-f]{8}", park["id"])
    assert (park["area_mu"], park["township"], park["operator_org"]) == (1250.5, "窦店镇", "窦店管委会")
    got = (await econ.get(f"/api/v1/parks/{park['id']}")).json()
    assert got["name"] == "房山园·窦店产业园" and got["enterprise_count"] == 0 and got["enterprises"] == []
    again = await econ.post("/api/v1/parks", json={"name": "房山园·窦店产业园"})
    assert again.status_code == 409 and again.json()["existing"]["id"] == park["id"]


async def test_bad_input_changes_nothing(suite):
    econ = suite.client("parks")
    before = count(suite, Park), count(suite, Outbox)
    for body in ({}, {"name": ""}, {"name": "x", "area_mu": -1}, {"name": "x", "area_mu": "1.234"},
                 {"name": "x", "township": "镇" * 51}, {"name": "x", "id": "park-mine"}, [1]):
        r = await econ.post("/api/v1/parks", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["errors"]
    assert (count(suite, Park), count(suite, Outbox)) == before


async def test_an_idempotent_retry_creates_one_park(suite):
    econ = suite.client("parks")
    body = {"name": "幂等园区"}
    first = await econ.post("/api/v1/parks", json=body, headers={"Idempotency-Key": "park-create-1"})
    retry = await econ.post("/api/v1/parks", json=body, headers={"Idempotency-Key": "park-create-1"})
    assert first.status_code == retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"] and retry.headers.get("idempotent-replayed") == "true"
    assert count(suite, Park, Park.name == "幂等园区") == 1


async def test_pagination_walks_every_park(suite):
    econ = suite.client("parks")
    made = {(await new_park(suite, township="分页镇"))["id"] for _ in range(5)}
    seen, cursor = [], None
    while True:
        r = await econ.get("/api/v1/parks", params={"township": "分页镇", "limit": 2, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200 and len(r.json()["items"]) <= 2
        seen += [p["id"] for p in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(made)
    assert (await econ.get("/api/v1/parks?cursor=%%%")).status_code == 422
    assert (await econ.get("/api/v1/parks?limit=501")).status_code == 422


async def test_detail_shows_the_parks_enterprises_and_counts_per_tier(suite):
    park = await new_park(suite)
    other = await new_park(suite)
    giant = await enterprise_in(suite, park["id"], ("municipal_srdi", "2024-03-01"), ("national_little_giant", "2025-07-01"))
    srdi = await enterprise_in(suite, park["id"], ("municipal_srdi", "2025-02-01"))
    plain = await enterprise_in(suite, park["id"])
    await enterprise_in(suite, other["id"], ("municipal_srdi", "2025-02-01"))
    await suite.settled()
    detail = (await suite.client("parks").get(f"/api/v1/parks/{park['id']}")).json()
    tiers = {e["uscc"]: e["tier"] for e in detail["enterprises"]}
    assert tiers == {giant: "national_little_giant", srdi: "municipal_srdi", plain: "sme"}
    assert detail["enterprise_count"] == 3
    assert (detail["counts"]["national_little_giant"], detail["counts"]["municipal_srdi"],
            detail["counts"]["sme"], detail["counts"]["innovative"]) == (1, 1, 1, 0)
    own = suite.client("parks", role="park", org=park["id"])
    only_srdi = (await own.get(f"/api/v1/parks/{park['id']}/enterprises?tier=municipal_srdi")).json()["items"]
    assert [e["uscc"] for e in only_srdi] == [srdi]
    pages = (await own.get(f"/api/v1/parks/{park['id']}/enterprises?limit=2")).json()
    assert len(pages["items"]) == 2 and pages["next_cursor"]
    rest = (await own.get(f"/api/v1/parks/{park['id']}/enterprises", params={"cursor": pages["next_cursor"]})).json()
    assert {e["uscc"] for e in pages["items"] + rest["items"]} == {giant, srdi, plain} and rest["next_cursor"] is None


async def test_designation_is_published_once_with_its_park(suite):
    econ = suite.client("parks")
    park = await new_park(suite)
    outbox_before = count(suite, Outbox)
    r = await econ.post(f"/api/v1/parks/{park['id']}/designations", json={**FEATURED, "reason": "区政府决定先行试点"})
    assert r.status_code == 201, r.text
    d = r.json()
    assert (d["designation"], d["designated_on"], d["reason"]) == ("srdi_featured", "2025-06-30", "区政府决定先行试点")
    assert d["assessment"]["on"] == "2025-06-30" and "dimensions" in d["assessment"]
    # the event was written with the designation, in its transaction
    with suite.db("parks").reader() as s:
        rows = s.scalars(select(Outbox).where(Outbox.subject == "srdi.parks.park.designated.v1")).all()
    envelopes = [orjson.loads(o.payload) for o in rows]
    mine = [e for e in envelopes if e["subject"] == park["id"]]
    assert len(mine) == 1 and count(suite, Outbox) == outbox_before + 1
    assert mine[0]["type"] == "cn.gov.fangshan.srdi.parks.park.designated.v1"
    assert {k: mine[0]["data"][k] for k in ("park_id", "designation", "designated_on")} == {
        "park_id": park["id"], "designation": "srdi_featured", "designated_on": "2025-06-30"}
    # ... and reaches the stream
    await suite.settled()
    js = suite.apps["parks"].state.bus.js
    last = await js.get_last_msg(suite.settings.stream, "srdi.parks.park.designated.v1")
    assert orjson.loads(last.data)["id"] == mine[0]["id"]
    # a second designation of the kind is refused and publishes nothing
    again = await econ.post(f"/api/v1/parks/{park['id']}/designations",
                            json={**FEATURED, "designated_on": "2025-07-01", "reason": "again"})
    assert again.status_code == 409 and again.json()["existing"]["id"] == d["id"]
    assert count(suite, Outbox) == outbox_before + 1
    assert count(suite, Designation, Designation.park_id == park["id"]) == 1
    listed = (await suite.client("parks", role="park", org=park["id"]).get(
        f"/api/v1/parks/{park['id']}/designations")).json()["items"]
    assert [x["id"] for x in listed] == [d["id"]] and listed[0]["assessment"]["park_id"] == park["id"]
    detail = (await econ.get(f"/api/v1/parks/{park['id']}")).json()
    assert [x["designation"] for x in detail["designations"]] == ["srdi_featured"]


async def test_designating_a_failing_park_needs_a_reason(suite):
    econ = suite.client("parks")
    park = await new_park(suite)  # no enterprises: fails every dimension
    before = count(suite, Outbox), count(suite, Designation)
    r = await econ.post(f"/api/v1/parks/{park['id']}/designations", json=FEATURED)
    assert r.status_code == 422
    problem = r.json()
    assert problem["errors"][0]["loc"] == ["body", "reason"]
    assert problem["assessment"]["passed"] is False and problem["assessment"]["score"] == 0
    assert (count(suite, Outbox), count(suite, Designation)) == before
    r = await econ.post(f"/api/v1/parks/{park['id']}/designations", json={**FEATURED, "reason": "  "})
    assert r.status_code == 422  # a blank reason is no reason
    r = await econ.post(f"/api/v1/parks/{park['id']}/designations", json={**FEATURED, "reason": "首批试点"})
    assert r.status_code == 201 and r.json()["assessment_passed"] is False


async def test_designating_a_passing_park_needs_no_reason(suite):
    park = await new_park(suite)
    # seed dimensions: 10 SRDI enterprises (30), share 100 % (20), 10 new in 2025 (20) → 70 ≥ 60
    for _ in range(10):
        await enterprise_in(suite, park["id"], ("municipal_srdi", "2025-03-01"))
    await suite.settled()
    r = await suite.client("parks").post(f"/api/v1/parks/{park['id']}/designations", json=FEATURED)
    assert r.status_code == 201, r.text
    assert r.json()["assessment_passed"] is True and r.json()["assessment"]["score"] == 70


async def test_designation_bad_input(suite):
    econ = suite.client("parks")
    park = await new_park(suite)
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    for body in ({"designation": "gold", "designated_on": "2025-01-01", "reason": "x"},
                 {"designation": "srdi_featured", "reason": "x"},
                 {"designation": "srdi_featured", "designated_on": "2025-02-30", "reason": "x"},
                 {"designation": "srdi_featured", "designated_on": tomorrow, "reason": "x"},
                 {**FEATURED, "reason": "x", "extra": 1}):
        r = await econ.post(f"/api/v1/parks/{park['id']}/designations", json=body)
        assert r.status_code == 422, (body, r.text)
    assert count(suite, Designation, Designation.park_id == park["id"]) == 0


async def test_an_operator_keeps_its_own_park_current(suite):
    econ = suite.client("parks")
    park, other = await new_park(suite, township="琉璃河镇"), await new_park(suite)
    op = suite.client("parks", role="park", org=park["id"])
    r = await op.patch(f"/api/v1/parks/{park['id']}", json={"operator_org": "琉璃河园区运营公司", "area_mu": "820.25"})
    assert r.status_code == 200, r.text
    assert (r.json()["operator_org"], r.json()["area_mu"], r.json()["township"]) == ("琉璃河园区运营公司", 820.25, "琉璃河镇")
    r = await econ.patch(f"/api/v1/parks/{park['id']}", json={"township": None})
    assert r.status_code == 200 and r.json()["township"] is None and r.json()["operator_org"] == "琉璃河园区运营公司"
    assert (await op.patch(f"/api/v1/parks/{other['id']}", json={"area_mu": 1})).status_code == 404
    r = await op.patch(f"/api/v1/parks/{park['id']}", json={"name": other["name"]})
    assert r.status_code == 409 and r.json()["existing"]["id"] == other["id"]
    for bad in ({}, {"name": None}, {"area_mu": -1}, {"area_mu": "1.234"}, {"id": "park-mine"}, [1]):
        r = await op.patch(f"/api/v1/parks/{park['id']}", json=bad)
        assert r.status_code == 422, (bad, r.text)
    got = (await econ.get(f"/api/v1/parks/{park['id']}")).json()
    assert (got["name"], got["area_mu"], got["township"]) == (park["name"], 820.25, None)
    with suite.db("parks").reader() as s:
        changes = s.scalars(select(AuditLog).where(AuditLog.action == "park.update", AuditLog.object_id == park["id"])
                            .order_by(AuditLog.id)).all()
    assert [(a.before["township"], a.after["township"]) for a in changes] == [("琉璃河镇", "琉璃河镇"), ("琉璃河镇", None)]
    assert changes[0].actor.startswith(f"park:{park['id']}")
