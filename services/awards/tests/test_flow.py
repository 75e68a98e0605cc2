"""Promotions in the registry become awards here, exactly once, with top-up and a workflow."""
import asyncio

from shared import clock
from shared.events import new_event
from shared.testing import make_uscc


async def fund(suite, program="tier", yuan=100_000_000):
    """Approval reserves the budget of the approval date's year: the treasury sets it first."""
    r = await suite.client("awards", role="treasury").put(f"/api/v1/budgets/{clock.today().year}/{program}",
                                                          json={"allocated_yuan": yuan})
    assert r.status_code == 200, r.text


async def register(suite, uscc, **facts):
    r = await suite.client("registry").post("/api/v1/enterprises", json={"uscc": uscc, "name": "北京测试精密科技有限公司", **facts})
    assert r.status_code == 201, r.text


async def certify(suite, uscc, tier, on):
    r = await suite.client("registry").post(f"/api/v1/enterprises/{uscc}/certifications",
                                            json={"tier": tier, "recognized_on": on})
    assert r.status_code == 201, r.text
    return r.json()


async def awards_of(suite, uscc, role="econ", **filters):
    query = {"uscc": uscc, **filters} if uscc else filters
    r = await suite.client("awards", role=role).get("/api/v1/awards", params=query)
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def test_climbing_the_ladder_tops_up(suite, uscc):
    await register(suite, uscc)
    for tier, on, total in (("municipal_srdi", "2024-03-01", 300_000), ("municipal_little_giant", "2024-10-01", 500_000),
                            ("national_little_giant", "2025-08-01", 1_000_000)):
        await certify(suite, uscc, tier, on)

        async def reached(total=total):
            return sum(a["amount_yuan"] for a in await awards_of(suite, uscc, program="tier")) == total
        await suite.wait_for(reached, f"tier awards to total {total}")
    items = await awards_of(suite, uscc, program="tier")
    assert [a["amount_yuan"] for a in items] == [300_000, 200_000, 500_000]
    assert items[2]["basis"]["already_awarded_yuan"] == 500_000
    assert [d["award_id"] for d in items[2]["basis"]["deductions"]] == [items[0]["id"], items[1]["id"]]
    # A renewal at a tier already reached pays nothing.
    await certify(suite, uscc, "municipal_srdi", "2027-03-01")
    await suite.settled()
    assert len(await awards_of(suite, uscc)) == 3
    totals = (await suite.client("awards").get(f"/api/v1/enterprises/{uscc}/awards")).json()
    assert totals == {"uscc": uscc, "total_yuan": 1_000_000, "by_program": {"tier": 1_000_000}}


async def test_relocation_and_introducer(suite):
    moved, early, local = make_uscc(), make_uscc(), make_uscc()
    await register(suite, moved, relocated_on="2023-05-01", relocated_from="河北省保定市", introducer="北京某咨询有限公司")
    await register(suite, early, relocated_on="2021-12-31", relocated_from="天津市", introducer="北京某咨询有限公司")
    await register(suite, local, relocated_on="2023-05-01", relocated_from="北京市海淀区")
    for u in (moved, early, local):
        await certify(suite, u, "municipal_srdi", "2024-03-01")
    await suite.wait_for(lambda: awards_of(suite, moved, program="introducer"), "the introducer award")
    await suite.settled()
    by = {u: sorted((a["program"], a["amount_yuan"]) for a in await awards_of(suite, u)) for u in (moved, early, local)}
    assert by[moved] == [("introducer", 200_000), ("relocation", 200_000), ("tier", 300_000)]
    assert by[early] == [("tier", 300_000)] and by[local] == [("tier", 300_000)]
    intro = (await awards_of(suite, moved, program="introducer"))[0]
    assert intro["payee"] == "北京某咨询有限公司" and intro["payee_type"] == "intermediary"
    # A second promotion does not pay the relocation again.
    await certify(suite, moved, "municipal_little_giant", "2024-10-01")
    await suite.settled()
    assert len(await awards_of(suite, moved, program="relocation")) == 1
    totals = (await suite.client("awards").get(f"/api/v1/enterprises/{moved}/awards")).json()
    assert totals["by_program"] == {"tier": 500_000, "relocation": 200_000}  # the introducer is paid, not the firm


async def test_review_approve_disburse_with_roles(suite, uscc):
    await register(suite, uscc)
    await certify(suite, uscc, "municipal_srdi", "2024-03-01")
    award = (await suite.wait_for(lambda: awards_of(suite, uscc), "the award"))[0]
    path = f"/api/v1/awards/{award['id']}"
    await fund(suite)
    econ, treasury = suite.client("awards"), suite.client("awards", role="treasury")
    assert (await treasury.post(path + "/review")).status_code == 403
    assert (await suite.client("awards", role=None).post(path + "/review")).status_code == 401
    assert (await treasury.post(path + "/approve")).status_code == 409  # not reviewed yet
    assert (await econ.post(path + "/review")).json()["state"] == "reviewed"
    assert (await econ.post(path + "/approve")).status_code == 403
    assert (await treasury.post(path + "/approve")).json()["state"] == "approved"
    assert (await treasury.post(path + "/disburse", json={})).status_code == 422  # a voucher is required
    r = await treasury.post(path + "/disburse", json={"voucher": "FS-2024-0001"})
    assert r.status_code == 200 and r.json()["state"] == "disbursed"
    assert (await econ.post(path + "/reject", json={"reason": "late"})).status_code == 409
    detail = (await suite.client("awards", role="auditor").get(path)).json()
    assert [h["to_state"] for h in detail["history"]] == ["computed", "reviewed", "approved", "disbursed"]
    assert detail["history"][-1]["voucher"] == "FS-2024-0001" and detail["history"][1]["actor"].startswith("econ:")
    assert detail["basis"]["parameters"][0]["legal_ref"]
    assert (await suite.client("awards", role="park", org="P1").get(path)).status_code == 404
    assert (await suite.client("awards", role="bank", org="B1").get(path)).status_code == 403


async def test_revocation_for_cause_claws_back(suite, uscc):
    await register(suite, uscc)
    cert = await certify(suite, uscc, "municipal_srdi", "2024-03-01")
    award = (await suite.wait_for(lambda: awards_of(suite, uscc), "the award"))[0]
    path = f"/api/v1/awards/{award['id']}"
    await fund(suite)
    await suite.client("awards").post(path + "/review")
    await suite.client("awards", role="treasury").post(path + "/approve")
    await suite.client("awards", role="treasury").post(path + "/disburse", json={"voucher": "V1"})
    r = await suite.client("registry").post(f"/api/v1/certifications/{cert['id']}/revoke",
                                            json={"reason": "虚假申报", "for_cause": True, "revoked_on": "2025-01-01"})
    assert r.status_code == 200

    async def clawed():
        return (await awards_of(suite, uscc))[0]["state"] == "clawed_back"
    await suite.wait_for(clawed, "the claw-back")
    totals = (await suite.client("awards").get(f"/api/v1/enterprises/{uscc}/awards")).json()
    assert totals["total_yuan"] == 0


async def test_first_featured_park_only(suite):
    js = suite.apps["awards"].state.bus.js
    for park in ("park-a", "park-b", "park-a"):
        event = new_event("parks", "park.designated.v1", park,
                          {"park_id": park, "designation": "srdi_featured", "designated_on": "2025-06-01"})
        await js.publish(event.nats_subject, __import__("orjson").dumps(event.envelope()),
                         headers={"Nats-Msg-Id": event.id})
    await suite.settled()
    paid = await awards_of(suite, None, program="featured_park")
    assert len(paid) == 1 and paid[0]["amount_yuan"] == 3_000_000
    park = paid[0]["payee"]
    mine = (await suite.client("awards", role="park", org=park).get("/api/v1/awards")).json()["items"]
    assert [a["id"] for a in mine] == [paid[0]["id"]]
    other = "park-b" if park == "park-a" else "park-a"
    assert (await suite.client("awards", role="park", org=other).get("/api/v1/awards")).json()["items"] == []
    # The ledger: the park sees its own award's entry, and nothing of anyone else's.
    own = (await suite.client("awards", role="park", org=park).get("/api/v1/ledger", params={"year": 2025})).json()
    assert [(e["award_id"], e["kind"], e["amount_yuan"]) for e in own["items"]] == [(paid[0]["id"], "awarded", 3_000_000)]
    theirs = await suite.client("awards", role="park", org=other).get("/api/v1/ledger", params={"year": 2025})
    assert theirs.json()["items"] == []


async def test_twenty_concurrent_promotions_one_award(suite, uscc):
    await register(suite, uscc)
    results = await asyncio.gather(*[suite.client("registry").post(
        f"/api/v1/enterprises/{uscc}/certifications", json={"tier": "national_little_giant", "recognized_on": "2025-08-01"})
        for _ in range(20)])
    assert sorted(r.status_code for r in results) == [201] + [409] * 19
    await suite.settled()
    assert [a["amount_yuan"] for a in await awards_of(suite, uscc)] == [1_000_000]
