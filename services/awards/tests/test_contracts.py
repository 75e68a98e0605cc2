"""Contracts signed in outreach raise scenario and ecosystem claims here, exactly once."""
import orjson
from sqlalchemy import select

from shared.events import new_event
from shared.tables import AuditLog
from shared.testing import make_uscc


async def register(suite, uscc, tier=None):
    econ = suite.client("registry")
    assert (await econ.post("/api/v1/enterprises", json={"uscc": uscc, "name": "合同企业"})).status_code == 201
    if tier:
        r = await econ.post(f"/api/v1/enterprises/{uscc}/certifications", json={"tier": tier, "recognized_on": "2024-03-01"})
        assert r.status_code == 201


async def signed(suite, **data):
    event = new_event("outreach", "contract.signed.v1", data["uscc"], data)
    js = suite.apps["awards"].state.bus.js
    for msg_id in (event.id, f"again-{event.id}"):  # and once more past the de-duplication
        await js.publish(event.nats_subject, orjson.dumps(event.envelope()), headers={"Nats-Msg-Id": msg_id})
    await suite.settled()


async def awards_of(suite, uscc, program):
    r = await suite.client("awards").get("/api/v1/awards", params={"uscc": uscc, "program": program})
    return r.json()["items"]


async def test_scenario_and_ecosystem_contracts_raise_claims_once(suite):
    supplier, buyer, small = make_uscc(), make_uscc(), make_uscc()
    await register(suite, supplier, "municipal_srdi")
    await register(suite, buyer)
    await register(suite, small)  # not SRDI: may not claim
    await suite.settled()
    await signed(suite, contract_id=1, kind="scenario", uscc=supplier, buyer_uscc=None, scenario_id="S-7",
                 contract_yuan=1_000_001, signed_on="2025-05-01", evidence="合同 FS-1")
    await signed(suite, contract_id=2, kind="ecosystem", uscc=supplier, buyer_uscc=buyer, scenario_id=None,
                 contract_yuan=400_000, signed_on="2025-06-01", evidence="合同 FS-2")
    await signed(suite, contract_id=3, kind="scenario", uscc=small, buyer_uscc=None, scenario_id="S-7",
                 contract_yuan=500_000, signed_on="2025-05-01", evidence="合同 FS-3")
    scenario = await awards_of(suite, supplier, "scenario")
    ecosystem = await awards_of(suite, supplier, "ecosystem")
    assert [a["amount_yuan"] for a in scenario] == [200_000]  # 20 %, rounded down
    assert [a["amount_yuan"] for a in ecosystem] == [20_000]  # 5 %
    assert scenario[0]["basis"]["inputs"]["evidence_ref"] == "outreach:1"
    assert await awards_of(suite, small, "scenario") == []
    with suite.db("awards").reader() as s:
        refused = list(s.scalars(select(AuditLog).where(AuditLog.action == "award.claim_refused",
                                                        AuditLog.object_id == "3")))
    assert len(refused) == 1 and refused[0].after["status"] in (409, 422)
