"""A contract signed while NATS is down reaches the stream exactly once when it returns, and the
awards service raises exactly one claim per contract (scenario 20 %, ecosystem 5 %), even when the
event is delivered again."""
from sqlalchemy import func, select

from services.outreach.tests.helpers import district_enterprise, stream_events
from shared.tables import Outbox


def unpublished(suite) -> int:
    with suite.db("outreach").reader() as s:
        return s.scalar(select(func.count()).select_from(Outbox).where(Outbox.published_at.is_(None)))


async def test_contracts_signed_during_an_outage_publish_once(fresh_suite):
    suite = fresh_suite
    econ = suite.client("outreach")
    # SRDI suppliers, so that awards grants the claims (a plain SME's would be refused and audited).
    a = await district_enterprise(suite, tier=("municipal_srdi", "2025-01-10"))
    b = await district_enterprise(suite, tier=("municipal_srdi", "2025-01-10"))
    x = (await econ.post("/api/v1/scenarios", json={"title": "应急指挥", "owner_department": "区应急局",
                                                    "need": "无人机巡检", "budget_yuan": 500_000,
                                                    "deadline": "2099-01-01"})).json()
    prop = (await econ.post(f"/api/v1/scenarios/{x['id']}/proposals", json={"uscc": a, "summary": "巡检方案"})).json()
    await suite.settled()
    suite.nats.stop()
    await suite.wait_for(lambda: not suite.apps["outreach"].state.bus.nc.is_connected, "outreach to see NATS go")
    r = await econ.post(f"/api/v1/scenarios/{x['id']}/contract",
                        json={"proposal_id": prop["id"], "contract_yuan": 480_000, "signed_on": "2026-07-01",
                              "evidence": "合同 YJ-1"})
    assert r.status_code == 201, r.text
    sc = r.json()
    r = await econ.post("/api/v1/contracts", json={"supplier_uscc": b, "buyer_uscc": a, "contract_yuan": 90_000,
                                                   "signed_on": "2026-07-02", "evidence": "合同 ST-2"})
    assert r.status_code == 201, r.text
    eco = r.json()
    assert unpublished(suite) == 2
    suite.nats.start()
    await suite.wait_for(lambda: unpublished(suite) == 0, "the outbox to drain", timeout=60)
    await suite.settled(timeout=60)
    events = await stream_events(suite)
    assert sorted((e["contract_id"], e["kind"]) for e in events) == sorted(
        [(sc["id"], "scenario"), (eco["id"], "ecosystem")])
    # The relay running again (as after a restart) publishes nothing more.
    await suite.apps["outreach"].state.bus.relay_once()
    assert len(await stream_events(suite)) == 2

    # The awards service turned each contract into exactly one claim, with no re-typing.
    async def awards_of(uscc, program):
        r = await suite.client("awards").get("/api/v1/awards", params={"uscc": uscc, "program": program})
        assert r.status_code == 200, r.text
        return [x for x in r.json()["items"] if x["basis"]["inputs"].get("evidence_ref", "").startswith("outreach:")]

    async def claims():
        return ([(x["amount_yuan"], x["basis"]["inputs"]["evidence_ref"]) for x in await awards_of(a, "scenario")],
                [(x["amount_yuan"], x["basis"]["inputs"]["evidence_ref"]) for x in await awards_of(b, "ecosystem")])
    expected = ([(96_000, f"outreach:{sc['id']}")], [(4_500, f"outreach:{eco['id']}")])  # 20 % and 5 %

    async def raised():
        return await claims() == expected
    await suite.wait_for(raised, "awards to raise the two claims", timeout=30)
    # The same events delivered again (past JetStream's de-duplication, as after a replay): no more claims.
    js = suite.apps["outreach"].state.bus.js
    with suite.db("outreach").reader() as s:
        rows = list(s.scalars(select(Outbox).where(Outbox.id.in_([sc["event_id"], eco["event_id"]]))))
    assert len(rows) == 2
    for row in rows:
        await js.publish(row.subject, row.payload.encode(), headers={"Nats-Msg-Id": f"again-{row.id}"})
    await suite.settled(timeout=60)
    assert await claims() == expected
