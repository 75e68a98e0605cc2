"""Contracts only against facts outreach recorded: a scenario's phases with its chosen proposal, no
contract for a proposal that was not chosen, none dated after today, an ecosystem contract only
between two enterprises the registry has; each refusal records and publishes nothing. And the
registry's records, delivered in any order, leave outreach on the newest record's tier."""
import asyncio
import datetime as dt
import itertools

from sqlalchemy import func, select

from services.outreach.tables import Contract, Proposal, Scenario
from services.outreach.tests.helpers import SIGNED, deliver, district_enterprise, record, stream_events
from shared import projection
from shared.clock import today
from shared.contracts.registry import (CertificationAdded, EnterpriseDemoted, EnterprisePromoted,
                                       EnterpriseRegistered)
from shared.tables import Outbox
from shared.testing import make_uscc

D = dt.date
SCENARIO = {"title": "智慧水务", "owner_department": "区水务局", "need": "管网漏损监测",
            "budget_yuan": 6_000_000, "deadline": "2099-12-31"}


def recorded(suite) -> tuple[int, int]:
    """(contracts, contract.signed events in the outbox): what a refusal must leave as it was."""
    with suite.db("outreach").reader() as s:
        return (s.scalar(select(func.count()).select_from(Contract)),
                s.scalar(select(func.count()).select_from(Outbox).where(Outbox.subject == SIGNED)))


async def scenario_with_two_proposals(suite):
    econ = suite.client("outreach")
    a, b = await district_enterprise(suite), await district_enterprise(suite)
    x = (await econ.post("/api/v1/scenarios", json=SCENARIO)).json()
    pa = (await econ.post(f"/api/v1/scenarios/{x['id']}/proposals", json={"uscc": a, "summary": "声学检漏"})).json()
    pb = (await econ.post(f"/api/v1/scenarios/{x['id']}/proposals", json={"uscc": b, "summary": "压力分区"})).json()
    return x, pa, pb


def phase(proposal_id, n, **over):
    return {"proposal_id": proposal_id, "contract_yuan": 1_000_000 * n, "signed_on": f"2026-0{n}-15",
            "evidence": f"SW-2026-{n:03d}", **over}


async def test_a_scenario_has_phases_with_its_chosen_proposal(suite):
    econ = suite.client("outreach")
    x, pa, pb = await scenario_with_two_proposals(suite)
    first = await econ.post(f"/api/v1/scenarios/{x['id']}/contracts", json=phase(pa["id"], 1))
    assert first.status_code == 201, first.text
    second = await econ.post(f"/api/v1/scenarios/{x['id']}/contracts", json=phase(pa["id"], 2))
    assert second.status_code == 201, second.text
    c1, c2 = first.json(), second.json()
    assert (c1["scenario_id"], c1["proposal_id"], c2["proposal_id"], c2["uscc"]) == (x["id"], pa["id"], pa["id"], pa["uscc"])
    detail = (await econ.get(f"/api/v1/scenarios/{x['id']}")).json()
    assert [c["id"] for c in detail["contracts"]] == [c1["id"], c2["id"]] and detail["contract"]["id"] == c1["id"]
    assert {p["id"]: p["state"] for p in detail["proposals"]} == {pa["id"]: "chosen", pb["id"]: "not_chosen"}
    # GET /contracts/{id}: the contract as recorded
    got = (await econ.get(f"/api/v1/contracts/{c2['id']}")).json()
    assert {k: got[k] for k in ("id", "kind", "uscc", "scenario_id", "proposal_id", "contract_yuan", "signed_on",
                                "evidence")} == {"id": c2["id"], "kind": "scenario", "uscc": pa["uscc"],
                                                 "scenario_id": x["id"], "proposal_id": pa["id"],
                                                 "contract_yuan": 2_000_000, "signed_on": "2026-02-15",
                                                 "evidence": "SW-2026-002"}
    await suite.settled()
    events = sorted((e for e in await stream_events(suite) if e["scenario_id"] == x["id"]),
                    key=lambda e: e["contract_id"])
    assert events == [{"contract_id": c["id"], "kind": "scenario", "uscc": pa["uscc"], "buyer_uscc": None,
                       "scenario_id": x["id"], "proposal_id": pa["id"], "contract_yuan": c["contract_yuan"],
                       "signed_on": c["signed_on"], "evidence": c["evidence"]} for c in (c1, c2)]
    assert all(type(e["scenario_id"]) is int for e in events)  # an integer on the wire, as in every service


async def test_a_proposal_not_chosen_gets_no_contract(suite):
    econ = suite.client("outreach")
    x, pa, pb = await scenario_with_two_proposals(suite)
    assert (await econ.post(f"/api/v1/scenarios/{x['id']}/contracts", json=phase(pa["id"], 1))).status_code == 201
    await suite.settled()
    before = recorded(suite)
    r = await econ.post(f"/api/v1/scenarios/{x['id']}/contracts", json=phase(pb["id"], 2))
    assert r.status_code == 409 and r.json()["type"].endswith("/proposal-not-chosen"), r.text
    assert r.json()["chosen_proposal_id"] == pa["id"] and "未被" in r.json()["detail_zh"]
    assert r.json()["errors"][0]["loc"] == ["body", "proposal_id"]
    # by the first path too
    assert (await econ.post(f"/api/v1/scenarios/{x['id']}/contract", json=phase(pb["id"], 3))).status_code == 409
    # another scenario's proposal, an unknown one: 422
    y = (await econ.post("/api/v1/scenarios", json={**SCENARIO, "title": "另一个"})).json()
    for body in (phase(pa["id"], 4), phase(2**31 - 1, 4)):
        r = await econ.post(f"/api/v1/scenarios/{y['id']}/contracts", json=body)
        assert r.status_code == 422, r.text
    # the same contract number again: one contract, one award
    r = await econ.post(f"/api/v1/scenarios/{x['id']}/contracts", json=phase(pa["id"], 1, contract_yuan=5))
    assert r.status_code == 409 and r.json()["type"].endswith("/duplicate-contract"), r.text
    assert recorded(suite) == before
    with suite.db("outreach").reader() as s:
        assert s.get(Proposal, pb["id"]).state == "not_chosen" and s.get(Proposal, pa["id"]).state == "chosen"
    await suite.settled()
    assert [e["proposal_id"] for e in await stream_events(suite) if e["scenario_id"] == x["id"]] == [pa["id"]]
    # a closed scenario takes no contract
    z = (await econ.post("/api/v1/scenarios", json={**SCENARIO, "title": "关闭的"})).json()
    u = await district_enterprise(suite)
    pz = (await econ.post(f"/api/v1/scenarios/{z['id']}/proposals", json={"uscc": u, "summary": "方案"})).json()
    assert (await econ.post(f"/api/v1/scenarios/{z['id']}/close")).status_code == 200
    r = await econ.post(f"/api/v1/scenarios/{z['id']}/contracts", json=phase(pz["id"], 1))
    assert r.status_code == 409 and r.json()["type"].endswith("/scenario-not-open")
    assert recorded(suite) == before


async def test_facts_dated_after_today_are_refused(suite):
    econ = suite.client("outreach")
    x, pa, _ = await scenario_with_two_proposals(suite)
    supplier, buyer = await district_enterprise(suite), await district_enterprise(suite)
    await suite.settled()
    before = recorded(suite)
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    r = await econ.post(f"/api/v1/scenarios/{x['id']}/contracts", json=phase(pa["id"], 1, signed_on=tomorrow))
    assert r.status_code == 422 and r.json()["errors"][0]["loc"][-1] == "signed_on", r.text
    r = await econ.post("/api/v1/contracts", json={"supplier_uscc": supplier, "buyer_uscc": buyer,
                                                   "contract_yuan": 80_000, "signed_on": tomorrow, "evidence": "ST-9"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"][-1] == "signed_on", r.text
    r = await econ.post(f"/api/v1/scenarios/{x['id']}/recommend-city", json={"recommended_on": tomorrow})
    assert r.status_code == 422, r.text
    assert recorded(suite) == before
    with suite.db("outreach").reader() as s:
        sc = s.get(Scenario, x["id"])
        assert (sc.state, sc.recommended_city, s.get(Proposal, pa["id"]).state) == ("open", False, "submitted")
    # today itself is a fact
    r = await econ.post(f"/api/v1/scenarios/{x['id']}/contracts", json=phase(pa["id"], 1, signed_on=today().isoformat()))
    assert r.status_code == 201, r.text


async def test_an_ecosystem_contract_needs_both_parties_in_the_registry(suite):
    econ = suite.client("outreach")
    known = await district_enterprise(suite)
    await suite.settled()
    before = recorded(suite)
    stranger = make_uscc()
    for supplier, buyer, field in ((known, stranger, "buyer_uscc"), (stranger, known, "supplier_uscc"),
                                   (stranger, make_uscc(), "supplier_uscc")):
        r = await econ.post("/api/v1/contracts", json={"supplier_uscc": supplier, "buyer_uscc": buyer,
                                                       "contract_yuan": 50_000, "signed_on": "2026-03-01",
                                                       "evidence": f"EC-{field}"})
        assert r.status_code == 422 and r.json()["type"].endswith("/not-in-registry"), r.text
        assert r.json()["errors"][0]["loc"] == ["body", field]
    assert recorded(suite) == before


# -- the registry's records, out of order ------------------------------------------------------------
# The acceptance check's data ("titles-out-of-order"): A's 北京市专精特新 (2020-11-20) lapsed before it
# became a national little giant (2025-03-15); B, a municipal little giant from 2024-06-01, got a
# back-dated 创新型 title from 2023-02-01 afterwards (a higher version).
A_SRDI = ("municipal_srdi", D(2020, 11, 20), D(2023, 11, 19))
A_GIANT = ("national_little_giant", D(2025, 3, 15), D(2028, 3, 14))
B_MLG = ("municipal_little_giant", D(2024, 6, 1), D(2027, 5, 31))
B_INNOV = ("innovative", D(2023, 2, 1), D(2026, 1, 31))
KINDS = (EnterpriseRegistered, EnterprisePromoted, CertificationAdded, EnterpriseDemoted)
# The flat fields of every kind (each takes those it knows): what happened is not what is read.
FLAT = dict(from_tier="sme", to_tier="municipal_srdi", certification_id=1, recognized_on=D(2020, 11, 20),
            expires_on=D(2023, 11, 19), first_time_at_tier=True, tier="municipal_srdi", reason="expired",
            on=D(2023, 11, 20))


async def test_records_in_any_order_leave_the_newest_records_tier(suite):
    econ = suite.client("outreach")
    for order in itertools.permutations((1, 2, 3)):
        a, b = make_uscc(), make_uscc()
        ra = {1: record(a, 1, township="阎村镇"), 2: record(a, 2, A_SRDI, township="阎村镇"),
              3: record(a, 3, A_SRDI, A_GIANT, township="阎村镇", name="北京示例氢能科技有限公司")}
        rb = {1: record(b, 1), 2: record(b, 2, B_MLG), 3: record(b, 3, B_MLG, B_INNOV)}

        def run(order=order, ra=ra, rb=rb):
            for i, v in enumerate((*order, *order)):  # every record twice: the second pass is all stale
                deliver(suite, KINDS[i % len(KINDS)], ra[v], **FLAT)
                deliver(suite, KINDS[(i + 1) % len(KINDS)], rb[v], **FLAT)
        await asyncio.to_thread(run)
        with suite.db("outreach").reader() as s:
            assert projection.record_of(s, a) == ra[3] and projection.record_of(s, b) == rb[3], order
            assert (projection.tier_of(s, a, today()), projection.tier_of(s, b, today())) == (
                "national_little_giant", "municipal_little_giant"), order
        # notices target by the tier of the day they are sent
        for tier, want in (("national_little_giant", [a]), ("municipal_little_giant", [b]),
                           ("municipal_srdi", []), ("innovative", [])):
            n = (await econ.post("/api/v1/notices", json={
                "programme": "测试", "title": f"{tier}", "body": "正文", "window_opens": "2026-11-01",
                "window_closes": "2026-12-31", "target": {"tiers": [tier], "usccs": [a, b]}})).json()
            sent = (await econ.post(f"/api/v1/notices/{n['id']}/send")).json()
            usccs = [d["uscc"] for d in (await econ.get(f"/api/v1/notices/{n['id']}/deliveries")).json()["items"]]
            assert (sent["enterprises"], usccs) == (len(want), want), (order, tier)
    # a contract's party name is the newest record's
    r = await econ.post("/api/v1/contracts", json={"supplier_uscc": b, "buyer_uscc": a, "contract_yuan": 10_000,
                                                   "signed_on": "2026-06-01", "evidence": "ORDER-1"})
    assert r.status_code == 201 and r.json()["buyer_name"] == "北京示例氢能科技有限公司", r.text
