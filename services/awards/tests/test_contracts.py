"""Contracts signed in outreach raise scenario and ecosystem awards here, exactly once."""
import orjson
from sqlalchemy import select

from services.awards.tests.test_flow import known
from shared.contracts.outreach import ContractSigned
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
    """The contract's event, delivered twice past JetStream's de-duplication, and once more as a new
    event (a replay of outreach's stream republishes it under a new id)."""
    payload = ContractSigned(**data).model_dump(mode="json")
    event = new_event("outreach", "contract.signed.v1", data["uscc"], payload)
    replayed = new_event("outreach", "contract.signed.v1", data["uscc"], payload)
    js = suite.apps["awards"].state.bus.js
    for e, msg_id in ((event, event.id), (event, f"again-{event.id}"), (replayed, replayed.id)):
        await js.publish(e.nats_subject, orjson.dumps(e.envelope()), headers={"Nats-Msg-Id": msg_id})
    await suite.settled()


async def awards_of(suite, uscc, program):
    r = await suite.client("awards").get("/api/v1/awards", params={"uscc": uscc, "program": program})
    return r.json()["items"]


async def test_scenario_and_ecosystem_contracts_raise_awards_once(suite):
    supplier, buyer, small = make_uscc(), make_uscc(), make_uscc()
    await register(suite, supplier, "municipal_srdi")
    await register(suite, buyer)
    await register(suite, small)  # not SRDI: may not claim
    for u, n in ((supplier, 1), (buyer, 0), (small, 0)):
        await known(suite, u, n)
    await signed(suite, contract_id=1, kind="scenario", uscc=supplier, scenario_id=7, proposal_id=71,
                 contract_yuan=1_000_001, signed_on="2025-05-01", evidence="合同 FS-1")
    await signed(suite, contract_id=2, kind="ecosystem", uscc=supplier, buyer_uscc=buyer,
                 contract_yuan=400_000, signed_on="2025-06-01", evidence="合同 FS-2")
    await signed(suite, contract_id=3, kind="scenario", uscc=small, scenario_id=7, proposal_id=72,
                 contract_yuan=500_000, signed_on="2025-05-01", evidence="合同 FS-3")
    scenario = await awards_of(suite, supplier, "scenario")
    ecosystem = await awards_of(suite, supplier, "ecosystem")
    assert [a["amount_yuan"] for a in scenario] == [200_000]  # 20 %, rounded down
    assert [a["amount_yuan"] for a in ecosystem] == [20_000]  # 5 %
    assert scenario[0]["basis"]["inputs"]["evidence_ref"] == "outreach:1"
    assert scenario[0]["basis"]["inputs"]["evidence"] == "合同 FS-1"
    assert await awards_of(suite, small, "scenario") == []
    with suite.db("awards").reader() as s:
        refused = list(s.scalars(select(AuditLog).where(AuditLog.action == "award.claim_refused",
                                                        AuditLog.object_id == "3")))
    # Refused once per event (the replayed event is another event); never paid.
    assert {r.after["code"] for r in refused} == {"not-eligible"} and all(r.after["status"] == 422 for r in refused)
