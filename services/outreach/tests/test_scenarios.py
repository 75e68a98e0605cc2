"""Application scenarios: publish, propose, sign (the event goes out once), recommend to the city."""
from sqlalchemy import select

from services.outreach.tests.helpers import district_enterprise, stream_events
from shared.tables import Outbox
from shared.testing import make_uscc

SCENARIO = {"title": "智慧供热调度", "owner_department": "区城管委", "need": "供热管网的智能调度与能耗监测",
            "budget_yuan": 3_000_000, "deadline": "2099-12-31"}


async def new_scenario(suite, **over) -> dict:
    r = await suite.client("outreach").post("/api/v1/scenarios", json={**SCENARIO, **over})
    assert r.status_code == 201, r.text
    return r.json()


async def test_auth_on_every_kind_of_route(suite):
    anon = suite.client("outreach", role=None)
    treasury = suite.client("outreach", role="treasury")
    auditor = suite.client("outreach", role="auditor")
    assert (await anon.get("/api/v1/scenarios")).status_code == 401
    assert (await anon.post("/api/v1/scenarios", json=SCENARIO)).status_code == 401
    assert (await treasury.get("/api/v1/scenarios")).status_code == 403
    assert (await treasury.post("/api/v1/scenarios", json=SCENARIO)).status_code == 403
    assert (await auditor.post("/api/v1/scenarios", json=SCENARIO)).status_code == 403
    assert (await auditor.get("/api/v1/scenarios")).status_code == 200
    for path in ("/api/v1/products", "/api/v1/contracts", "/api/v1/notices", "/api/v1/programmes",
                 "/api/v1/applications", "/api/v1/programmes/closing"):
        assert (await anon.get(path)).status_code == 401, path
        assert (await treasury.get(path)).status_code == 403, path
        assert (await auditor.get(path)).status_code == 200, path
    for path in ("/api/v1/contracts", "/api/v1/notices", "/api/v1/programmes", "/api/v1/scenarios/1/contract"):
        r = await suite.client("outreach", role="platform").post(path, json={})
        assert r.status_code == 403, path
        r = await treasury.post(path, json={})
        assert r.status_code == 403, path


async def test_bad_input_is_4xx_never_500(suite):
    econ = suite.client("outreach")
    for body in ({}, {**SCENARIO, "budget_yuan": -1}, {**SCENARIO, "budget_yuan": 1.5},
                 {**SCENARIO, "deadline": "2026-02-30"}, {**SCENARIO, "title": ""}, {**SCENARIO, "extra": 1},
                 {**SCENARIO, "budget_yuan": 10**30}, [1, 2], "x"):
        r = await econ.post("/api/v1/scenarios", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["detail_zh"]
    for path in ("/api/v1/scenarios/0", "/api/v1/scenarios/abc", "/api/v1/scenarios/99999999999999999999"):
        assert (await econ.get(path)).status_code == 422, path
    assert (await econ.get("/api/v1/scenarios/2147483647")).status_code == 404
    assert (await econ.get("/api/v1/scenarios?cursor=%%%")).status_code == 422
    assert (await econ.get("/api/v1/scenarios?state=bogus")).status_code == 422
    assert (await econ.post("/api/v1/scenarios/2147483647/proposals",
                            json={"uscc": make_uscc(), "summary": "x"})).status_code == 404
    assert (await econ.post("/api/v1/scenarios/1/proposals", json={"uscc": "123", "summary": "x"})).status_code == 422


async def test_scenario_to_contract_publishes_once(suite):
    econ = suite.client("outreach")
    a = await district_enterprise(suite, name="北京储热科技有限公司")
    b = await district_enterprise(suite)
    x = await new_scenario(suite)
    assert x["state"] == "open" and x["recommended_city"] is False
    # A proposal from an enterprise the registry does not know is refused in both languages.
    r = await econ.post(f"/api/v1/scenarios/{x['id']}/proposals", json={"uscc": make_uscc(), "summary": "方案"})
    assert r.status_code == 422 and r.json()["type"].endswith("not-in-registry")
    assert "企业库" in r.json()["detail_zh"] and "registry" in r.json()["detail_en"]
    pa = (await econ.post(f"/api/v1/scenarios/{x['id']}/proposals",
                          json={"uscc": a, "summary": "蓄热式调度系统", "price_yuan": 2_800_000})).json()
    platform = suite.client("outreach", role="platform")
    rb = await platform.post(f"/api/v1/scenarios/{x['id']}/proposals", json={"uscc": b, "summary": "另一方案"})
    assert rb.status_code == 201, rb.text
    again = await econ.post(f"/api/v1/scenarios/{x['id']}/proposals", json={"uscc": a, "summary": "再来"})
    assert again.status_code == 409
    body = {"proposal_id": pa["id"], "contract_yuan": 2_750_000, "signed_on": "2026-05-20",
            "evidence": "合同扫描件 HT-2026-001"}
    # Not this scenario's proposal, a zero amount: refused.
    other = await new_scenario(suite, title="另一个场景")
    assert (await econ.post(f"/api/v1/scenarios/{other['id']}/contract", json=body)).status_code == 422
    assert (await econ.post(f"/api/v1/scenarios/{x['id']}/contract",
                            json={**body, "contract_yuan": 0})).status_code == 422
    assert (await econ.post(f"/api/v1/scenarios/{x['id']}/contract",
                            json={**body, "evidence": "x" * 201})).status_code == 422
    r = await econ.post(f"/api/v1/scenarios/{x['id']}/contract", json=body)
    assert r.status_code == 201, r.text
    c = r.json()
    assert (c["kind"], c["uscc"], c["buyer_uscc"], c["scenario_id"]) == ("scenario", a, None, x["id"])
    again = await econ.post(f"/api/v1/scenarios/{x['id']}/contract", json=body)  # the same contract number
    assert again.status_code == 409 and again.json()["contract_id"] == c["id"], again.text
    detail = (await econ.get(f"/api/v1/scenarios/{x['id']}")).json()
    assert detail["state"] == "contracted" and detail["contract"]["id"] == c["id"]
    assert [k["id"] for k in detail["contracts"]] == [c["id"]]
    assert sorted(p["state"] for p in detail["proposals"]) == ["chosen", "not_chosen"]
    await suite.settled()
    mine = [e for e in await stream_events(suite) if e["contract_id"] == c["id"] and e["kind"] == "scenario"]
    assert mine == [{"contract_id": c["id"], "kind": "scenario", "uscc": a, "buyer_uscc": None,
                     "scenario_id": x["id"], "proposal_id": pa["id"], "contract_yuan": 2_750_000, "signed_on": "2026-05-20",
                     "evidence": "合同扫描件 HT-2026-001"}]
    with suite.db("outreach").reader() as s:
        assert s.scalars(select(Outbox.id).where(Outbox.id == c["event_id"])).first() is not None
    # Proposals to a contracted scenario are refused.
    r = await econ.post(f"/api/v1/scenarios/{x['id']}/proposals", json={"uscc": b, "summary": "晚了"})
    assert r.status_code == 409


async def test_an_enterprise_reads_open_scenarios_and_proposes_for_itself(suite):
    """An enterprise signed in (org = its USCC) sees the open scenarios and those it proposed to, its own
    proposal and contract only, and proposes for itself alone."""
    econ = suite.client("outreach")
    a = await district_enterprise(suite, name="北京场景自荐科技有限公司")
    b = await district_enterprise(suite)
    ent_a = suite.client("outreach", role="enterprise", org=a)
    ent_b = suite.client("outreach", role="enterprise", org=b)
    x = await new_scenario(suite, title="企业自荐场景")
    shut = await new_scenario(suite, title="已关闭的场景")
    assert (await econ.post(f"/api/v1/scenarios/{shut['id']}/close")).status_code == 200
    seen = [i["id"] for i in (await ent_a.get("/api/v1/scenarios?limit=500")).json()["items"]]
    assert x["id"] in seen and shut["id"] not in seen
    assert (await ent_a.get(f"/api/v1/scenarios/{shut['id']}")).status_code == 404
    # for another enterprise: refused, nothing recorded
    r = await ent_a.post(f"/api/v1/scenarios/{x['id']}/proposals", json={"uscc": b, "summary": "代报"})
    assert r.status_code == 403 and "本企业" in r.json()["detail_zh"]
    r = await ent_a.post(f"/api/v1/scenarios/{x['id']}/proposals", json={"uscc": a, "summary": "自荐方案"})
    assert r.status_code == 201, r.text
    pa = r.json()
    assert (await ent_b.post(f"/api/v1/scenarios/{x['id']}/proposals",
                             json={"uscc": b, "summary": "另一家"})).status_code == 201
    assert [p["uscc"] for p in (await ent_a.get(f"/api/v1/scenarios/{x['id']}")).json()["proposals"]] == [a]
    assert len((await econ.get(f"/api/v1/scenarios/{x['id']}")).json()["proposals"]) == 2
    # contracted with a: a still reads it (its proposal, chosen, and its contract); b reads no contract
    body = {"proposal_id": pa["id"], "contract_yuan": 1_000_000, "signed_on": "2026-05-20", "evidence": "HT-ENT-1"}
    assert (await econ.post(f"/api/v1/scenarios/{x['id']}/contracts", json=body)).status_code == 201
    da = (await ent_a.get(f"/api/v1/scenarios/{x['id']}")).json()
    assert da["state"] == "contracted" and da["proposals"][0]["state"] == "chosen" and len(da["contracts"]) == 1
    db = (await ent_b.get(f"/api/v1/scenarios/{x['id']}")).json()
    assert db["contracts"] == [] and db["contract"] is None and db["proposals"][0]["state"] == "not_chosen"
    assert (await ent_a.post(f"/api/v1/scenarios/{x['id']}/close")).status_code == 403
    assert (await ent_a.post("/api/v1/scenarios", json=SCENARIO)).status_code == 403


async def test_recommend_to_city_and_close(suite):
    econ = suite.client("outreach")
    x = await new_scenario(suite, title="园区安防")
    r = await econ.post(f"/api/v1/scenarios/{x['id']}/recommend-city", json={"recommended_on": "2026-06-01"})
    assert r.status_code == 200 and r.json()["recommended_city"] and r.json()["recommended_on"] == "2026-06-01"
    listed = (await econ.get("/api/v1/scenarios?recommended_city=true")).json()["items"]
    assert x["id"] in [i["id"] for i in listed]
    assert (await econ.post(f"/api/v1/scenarios/{x['id']}/recommend-city", json={})).status_code == 422
    r = await econ.post(f"/api/v1/scenarios/{x['id']}/close")
    assert r.status_code == 200 and r.json()["state"] == "closed"
    past = await new_scenario(suite, deadline="2020-01-01")
    u = await district_enterprise(suite)
    r = await econ.post(f"/api/v1/scenarios/{past['id']}/proposals", json={"uscc": u, "summary": "过期"})
    assert r.status_code == 409 and "截止" in r.json()["detail_zh"]


async def test_concurrent_signing_makes_one_contract(suite):
    import asyncio

    econ = suite.client("outreach")
    u = await district_enterprise(suite)
    x = await new_scenario(suite, title="并发签约")
    p = (await econ.post(f"/api/v1/scenarios/{x['id']}/proposals", json={"uscc": u, "summary": "方案"})).json()
    body = {"proposal_id": p["id"], "contract_yuan": 100_000, "signed_on": "2026-05-01", "evidence": "合同"}
    rs = await asyncio.gather(*(econ.post(f"/api/v1/scenarios/{x['id']}/contract", json=body) for _ in range(8)))
    assert sorted(r.status_code for r in rs) == [201] + [409] * 7
    await suite.settled()
    assert len([e for e in await stream_events(suite) if e["scenario_id"] == x["id"]]) == 1
