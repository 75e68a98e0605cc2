"""The introducer award's payee linked to the intermediary directory (issue 19): parks announces each
entry whole (srdi.parks.intermediary.changed.v1), awards keeps the newest version, and the treasury's
intermediary payee is matched to it by name (its id recorded) or refused. A redelivered or older
announcement changes nothing."""
import uuid

import orjson
import pytest
from sqlalchemy import select

from services.awards.tables import KnownIntermediary
from shared.consumer import handle_one
from shared.contracts.parks import IntermediaryChanged
from shared.events import new_event
from shared.tables import Outbox
from shared.testing import Suite

SUBJECT = IntermediaryChanged.subject()


@pytest.fixture(scope="module")
async def suite(tmp_path_factory):
    s = await Suite(tmp_path_factory.mktemp("intermediary-payee"), services=("parks", "awards")).start()
    yield s
    await s.stop()


def known(suite, intermediary_id):
    with suite.db("awards").reader() as s:
        k = s.get(KnownIntermediary, intermediary_id)
        return None if k is None else (k.name, k.kind, k.uscc, k.version)


def payee_body(name, account="6222020200007777"):
    return {"kind": "intermediary", "ref": name, "name": name, "bank_name": "北京银行房山支行", "account": account}


async def test_an_intermediary_payee_is_matched_to_the_directory(suite):
    econ, treasury = suite.client("parks"), suite.client("awards", role="treasury")
    name = f"房山科创服务中心-{uuid.uuid4().hex[:6]}"

    # not in the directory: refused beside the field, nothing written
    r = await treasury.put("/api/v1/payees", json=payee_body(name))
    assert r.status_code == 422 and r.json()["type"].endswith("/unknown-intermediary"), r.text
    assert r.json()["detail_zh"] and r.json()["errors"][0]["loc"] == ["body", "ref"]
    assert (await treasury.get("/api/v1/payees", params={"kind": "intermediary", "ref": name})).json()["items"] == []

    r = await econ.post("/api/v1/intermediaries", json={"name": name, "kind": "intermediary"})
    assert r.status_code == 201, r.text
    imd = r.json()
    assert imd["version"] == 1
    await suite.wait_for(lambda: known(suite, imd["id"]) == (name, "intermediary", None, 1), "awards to learn it")

    r = await treasury.put("/api/v1/payees", json=payee_body(name))
    assert r.status_code == 200, r.text
    assert (r.json()["intermediary_id"], r.json()["account_masked"]) == (imd["id"], "6222 **** **** 7777")
    log = (await suite.client("awards", role="auditor").get(
        "/api/v1/audit-log", params={"object_type": "payee", "object_id": str(r.json()["id"])})).json()["items"]
    assert log[-1]["after"]["intermediary_id"] == imd["id"]
    # an enterprise payee is not looked up in the directory
    assert (await treasury.put("/api/v1/payees", json={**payee_body("91110111MA01ABCD2U"), "kind": "enterprise"})
            ).json()["intermediary_id"] is None

    # a change of the entry is announced with the next version; the same values again announce nothing
    path = f"/api/v1/intermediaries/{imd['id']}"
    assert (await econ.patch(path, json={"contact": "王经理", "uscc": "91110108MA00XYY125"})).json()["version"] == 2
    assert (await econ.patch(path, json={"contact": "王经理"})).json()["version"] == 2
    await suite.wait_for(lambda: known(suite, imd["id"]) == (name, "intermediary", "91110108MA00XYY125", 2),
                         "awards to learn the change")
    with suite.db("parks").reader() as s:
        sent = [orjson.loads(p) for p in s.scalars(select(Outbox.payload).where(Outbox.subject == SUBJECT))]
    mine = [e for e in sent if e["data"]["intermediary_id"] == imd["id"]]
    assert [e["data"]["version"] for e in mine] == [1, 2]
    assert (await suite.client("parks", role="park", org="P1").patch(path, json={"contact": "x"})).status_code == 403
    for bad in ({}, {"name": None}, {"kind": "bank"}, {"contact": "x", "more": 1}):
        assert (await econ.patch(path, json=bad)).status_code == 422, bad
    other = (await econ.post("/api/v1/intermediaries", json={"name": f"{name}-二", "kind": "association"})).json()
    clash = await econ.patch(path, json={"name": other["name"]})
    assert clash.status_code == 409 and clash.json()["type"].endswith("/intermediary-exists")

    # exactly once: the same delivery again is a duplicate; a replay (new id) of an older version, or of
    # the same version with other facts, changes nothing
    handlers = suite.apps["awards"].state.handlers
    assert handle_one(suite.db("awards"), "awards", handlers, SUBJECT, orjson.dumps(mine[0])) == "duplicate"
    for version, new_name in ((1, "改名前的旧名称"), (2, "同版本的另一名称")):
        replay = new_event("parks", IntermediaryChanged.NAME, str(imd["id"]), IntermediaryChanged(
            intermediary_id=imd["id"], name=new_name, kind="association", version=version).model_dump(mode="json"))
        assert handle_one(suite.db("awards"), "awards", handlers, SUBJECT, orjson.dumps(replay.envelope())) == "handled"
    assert known(suite, imd["id"]) == (name, "intermediary", "91110108MA00XYY125", 2)

    # entries registered before awards listened: the announcement re-sends every one at its version
    assert (await suite.client("parks", role="auditor").post("/api/v1/admin/announce-intermediaries")
            ).status_code == 403
    r = await econ.post("/api/v1/admin/announce-intermediaries")
    assert r.status_code == 200 and r.json()["announced"] >= 2
    await suite.settled()
    assert known(suite, imd["id"]) == (name, "intermediary", "91110108MA00XYY125", 2)
    assert known(suite, other["id"])[3] == 1
