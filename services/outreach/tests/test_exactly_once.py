"""A contract signed while NATS is down reaches the stream exactly once when it returns."""
from sqlalchemy import func, select

from services.outreach.tests.helpers import district_enterprise, stream_events
from shared.tables import Outbox


def unpublished(suite) -> int:
    with suite.db("outreach").reader() as s:
        return s.scalar(select(func.count()).select_from(Outbox).where(Outbox.published_at.is_(None)))


async def test_contracts_signed_during_an_outage_publish_once(fresh_suite):
    suite = fresh_suite
    econ = suite.client("outreach")
    a = await district_enterprise(suite)
    b = await district_enterprise(suite)
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
