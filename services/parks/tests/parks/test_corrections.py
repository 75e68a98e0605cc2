"""Corrections of the record (issue 18) in parks: an edited park moves the enterprise in parks'
counts, a departed enterprise stops counting from the day it left (registry events published
through the real bus, and redelivered), and parks announces its parks (park.recorded.v1)."""
import datetime as dt
import uuid

import orjson
from sqlalchemy import select

from services.parks.tests.helpers import new_park, record
from shared.clock import today
from shared.contracts.registry import EnterpriseChanged, EnterpriseDeparted, EnterpriseRegistered, FieldChange
from shared.events import Event
from shared.tables import AuditLog, Outbox
from shared.testing import make_uscc, registry_event

RECORDED = "srdi.parks.park.recorded.v1"
SRDI = ("municipal_srdi", dt.date(2024, 3, 1), dt.date(2027, 2, 28))


async def publish(suite, event: Event, msg_id: str | None = None) -> None:
    js = suite.apps["parks"].state.bus.js
    await js.publish(event.nats_subject, orjson.dumps(event.envelope()), headers={"Nats-Msg-Id": msg_id or event.id})


async def redeliver(suite, event: Event) -> None:
    """The event again under another Nats-Msg-Id, and its facts under another event id."""
    await publish(suite, event, msg_id=str(uuid.uuid4()))
    await publish(suite, Event(str(uuid.uuid4()), event.type, event.source, event.subject, event.time, event.data))
    await suite.settled()


async def detail(suite, park_id: str, on: dt.date | None = None) -> dict:
    r = await suite.client("parks").get(f"/api/v1/parks/{park_id}", params={"on": on.isoformat()} if on else {})
    assert r.status_code == 200, r.text
    return r.json()


async def members(suite, park_id: str, on: dt.date | None = None) -> set[str]:
    r = await suite.client("parks", role="auditor").get(f"/api/v1/parks/{park_id}/enterprises",
                                                        params={"on": on.isoformat()} if on else {})
    assert r.status_code == 200, r.text
    return {e["uscc"] for e in r.json()["items"]}


def announced(suite, park_id: str) -> list[dict]:
    with suite.db("parks").reader() as s:
        rows = s.scalars(select(Outbox.payload).where(Outbox.subject == RECORDED).order_by(Outbox.created_at)).all()
    return [e["data"] for e in map(orjson.loads, rows) if e["subject"] == park_id]


async def test_an_edited_park_moves_the_enterprise_in_parks_counts(suite):
    a, b = await new_park(suite), await new_park(suite)
    uscc = make_uscc()
    await publish(suite, registry_event(EnterpriseRegistered, record(uscc, 1, SRDI, park_id=a["id"])))
    await suite.wait_for(lambda: members(suite, a["id"]), "the enterprise in park A")
    assert (await detail(suite, a["id"]))["counts"]["municipal_srdi"] == 1

    moved = record(uscc, 2, SRDI, park_id=b["id"])
    change = registry_event(EnterpriseChanged, moved, changes=(FieldChange(field="park_id", before=a["id"],
                                                                           after=b["id"]),),
                            reason="园区录入错误")
    await publish(suite, change)
    await suite.wait_for(lambda: members(suite, b["id"]), "the enterprise in park B")
    await redeliver(suite, change)
    # the older record arriving late changes nothing either
    await publish(suite, registry_event(EnterpriseRegistered, record(uscc, 1, SRDI, park_id=a["id"])))
    await suite.settled()
    was, now = await detail(suite, a["id"]), await detail(suite, b["id"])
    assert (was["enterprise_count"], was["counts"]["municipal_srdi"], was["enterprises"]) == (0, 0, [])
    assert (now["enterprise_count"], now["counts"]["municipal_srdi"]) == (1, 1)
    assert [e["uscc"] for e in now["enterprises"]] == [uscc]
    assert await members(suite, a["id"]) == set() and await members(suite, b["id"]) == {uscc}
    for park, n in ((a, 0), (b, 1)):
        r = await suite.client("parks").get(f"/api/v1/parks/{park['id']}/assessment", params={"year": today().year})
        assert r.json()["enterprise_count"] == n, r.text


async def test_a_departed_enterprise_stops_counting_from_the_day_it_left(suite):
    park = await new_park(suite)
    stays, leaves = make_uscc(), make_uscc()
    for uscc in (stays, leaves):
        await publish(suite, registry_event(EnterpriseRegistered, record(uscc, 1, SRDI, park_id=park["id"])))
    await suite.wait_for(lambda: _count(suite, park["id"], 2), "both enterprises in the park")

    left = today() - dt.timedelta(days=20)
    gone = record(leaves, 2, SRDI, park_id=park["id"], status="closed", status_on=left)
    event = registry_event(EnterpriseDeparted, gone, status="closed", status_on=left, on=left, reason="注销")
    await publish(suite, event)
    await suite.wait_for(lambda: _count(suite, park["id"], 1), "the closed enterprise out of the counts")
    await redeliver(suite, event)

    now = await detail(suite, park["id"])
    assert (now["enterprise_count"], now["counts"]["municipal_srdi"]) == (1, 1)
    assert [e["uscc"] for e in now["enterprises"]] == [stays]
    assert await members(suite, park["id"]) == {stays}
    assert await members(suite, park["id"], left) == {stays}  # from the day it left
    before = await detail(suite, park["id"], left - dt.timedelta(days=1))  # the day before it still counted
    assert before["enterprise_count"] == 2
    listed = {e["uscc"]: e for e in before["enterprises"]}
    assert (listed[leaves]["status"], listed[leaves]["status_on"]) == ("closed", left.isoformat())
    on = {"on": today().isoformat()}
    assessment = (await suite.client("parks").get(f"/api/v1/parks/{park['id']}/assessment", params=on)).json()
    assert assessment["enterprise_count"] == 1
    srdi_count = next(d for d in assessment["dimensions"] if d["dimension"] == "srdi_count")
    assert srdi_count["enterprises"] == [stays]


async def _count(suite, park_id: str, n: int) -> bool:
    return (await detail(suite, park_id))["enterprise_count"] == n


async def test_parks_announce_their_parks_with_a_version(suite):
    econ = suite.client("parks")
    park = await new_park(suite, township="窦店镇")
    assert park["version"] == 1
    [first] = announced(suite, park["id"])
    assert first == {"park_id": park["id"], "name": park["name"], "township": "窦店镇", "version": 1}

    path = f"/api/v1/parks/{park['id']}"
    r = await econ.patch(path, json={"name": park["name"] + "（更名）"})
    assert r.status_code == 200 and r.json()["version"] == 2
    r = await econ.patch(path, json={"operator_org": "园区运营公司"})  # not announced, still a new version
    assert r.status_code == 200 and r.json()["version"] == 3
    r = await suite.client("parks", role="park", org=park["id"]).patch(path, json={"township": "长阳镇"})
    assert r.status_code == 200 and r.json()["version"] == 4
    r = await econ.patch(path, json={"township": "长阳镇"})  # the same again: no change at all
    assert r.status_code == 200 and r.json()["version"] == 4
    other = await new_park(suite)
    r = await econ.patch(path, json={"name": other["name"]})  # refused: nothing announced
    assert r.status_code == 409
    assert [(e["version"], e["name"], e["township"]) for e in announced(suite, park["id"])] == [
        (1, park["name"], "窦店镇"), (2, park["name"] + "（更名）", "窦店镇"), (4, park["name"] + "（更名）", "长阳镇")]


async def test_an_operator_re_announces_every_park(suite):
    parks = [await new_park(suite) for _ in range(2)]
    for role, org in (("park", parks[0]["id"]), ("auditor", None), ("finance", None)):
        r = await suite.client("parks", role=role, org=org).post("/api/v1/admin/announce-parks")
        assert r.status_code == 403, role
    assert (await suite.client("parks", role=None).post("/api/v1/admin/announce-parks")).status_code == 401
    assert all(len(announced(suite, p["id"])) == 1 for p in parks)

    r = await suite.client("parks").post("/api/v1/admin/announce-parks")
    assert r.status_code == 200 and r.json()["announced"] >= 2
    for p in parks:
        assert [e["version"] for e in announced(suite, p["id"])] == [1, 1]  # as it stands, not bumped
    with suite.db("parks").reader() as s:
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "park.announce")).all()
    assert audit and audit[-1].after == {"announced": r.json()["announced"]}
