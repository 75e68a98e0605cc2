"""Promotions in the registry become awards here, exactly once, with top-up and a workflow."""
import asyncio
import datetime as dt

import orjson
from sqlalchemy import select

from shared import clock, projection
from shared.contracts import EventData
from shared.contracts.parks import ParkDesignated
from shared.events import new_event
from shared.tables import Outbox
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


async def publish(suite, event):
    js = suite.apps["awards"].state.bus.js
    await js.publish(event.nats_subject, orjson.dumps(event.envelope()), headers={"Nats-Msg-Id": event.id})


async def publish_model(suite, subject: str, data: EventData):
    """A typed event as its publisher would emit it (for the departments whose services are not driven
    here, or for facts the publisher would refuse)."""
    event = new_event(data.SERVICE, data.NAME, subject, data.model_dump(mode="json"))
    await publish(suite, event)
    return event


def held(suite, uscc):
    """The registry's record of the enterprise as awards holds it (None before it has heard of it)."""
    with suite.db("awards").reader() as s:
        return projection.record_of(s, uscc)


async def known(suite, uscc, certifications=0):
    """Wait until awards holds the enterprise's record with that many certifications."""
    await suite.wait_for(lambda: (r := held(suite, uscc)) is not None and len(r.certifications) >= certifications,
                         f"awards to hold the record of {uscc}")


def registry_events(suite, subject, uscc):
    """The registry's own events about an enterprise (from its outbox), to deliver again."""
    from shared.events import Event
    with suite.db("registry").reader() as s:
        found = [Event.parse(p.encode()) for p in s.scalars(select(Outbox.payload).where(Outbox.subject == subject))]
    return [e for e in found if e.data["uscc"] == uscc]


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
    # A renewal at a tier already reached pays nothing (recognised before the first title lapsed, so
    # the registry publishes it as certification.added; awards decides it all the same).
    await certify(suite, uscc, "municipal_srdi", "2026-11-01")
    await known(suite, uscc, 4)
    await suite.settled()
    assert len(await awards_of(suite, uscc)) == 3
    totals = (await suite.client("awards").get(f"/api/v1/enterprises/{uscc}/awards")).json()
    assert totals == {"uscc": uscc, "total_yuan": 1_000_000, "by_program": {"tier": 1_000_000}}


async def test_relocation_and_introducer(suite):
    """Outside Beijing is the origin's GB/T 2260 code; the relocation must come no later than the
    first title (award.relocation.before_title); the introducer is paid only with a relocation award."""
    moved, early, local, zgc, late = (make_uscc() for _ in range(5))
    agent = "北京某咨询有限公司"
    await register(suite, moved, relocated_on="2023-05-01", relocated_from_code="130600",
                   relocated_from="河北省保定市", introducer=agent)
    await register(suite, early, relocated_on="2021-12-31", relocated_from_code="120000", relocated_from="天津市",
                   introducer=agent)
    await register(suite, local, relocated_on="2023-05-01", relocated_from_code="110108", relocated_from="北京市海淀区")
    # Written without "北京", which a text prefix took for outside Beijing (400,000 元 with its introducer).
    await register(suite, zgc, relocated_on="2023-05-01", relocated_from_code="110108", relocated_from="海淀区中关村",
                   introducer=agent)
    # From outside Beijing, but after it already held the title.
    await register(suite, late, relocated_on="2024-06-01", relocated_from_code="130600",
                   relocated_from="河北省保定市", introducer=agent)
    for u in (moved, early, local, zgc, late):
        await certify(suite, u, "municipal_srdi", "2024-03-01")
    await suite.wait_for(lambda: awards_of(suite, moved, program="introducer"), "the introducer award")
    for u in (early, local, zgc, late):
        await suite.wait_for(lambda u=u: awards_of(suite, u, program="tier"), "the tier award")
    await suite.settled()
    by = {u: sorted((a["program"], a["amount_yuan"]) for a in await awards_of(suite, u))
          for u in (moved, early, local, zgc, late)}
    assert by[moved] == [("introducer", 200_000), ("relocation", 200_000), ("tier", 300_000)]
    for u in (early, local, zgc, late):
        assert by[u] == [("tier", 300_000)], u
    relocation = (await awards_of(suite, moved, program="relocation"))[0]
    assert relocation["basis"]["inputs"]["relocated_from_code"] == "130600"
    assert relocation["basis"]["inputs"]["first_titled_on"] == "2024-03-01"
    assert "award.relocation.before_title" in {p["key"] for p in relocation["basis"]["parameters"]}
    intro = (await awards_of(suite, moved, program="introducer"))[0]
    assert intro["payee"] == agent and intro["payee_type"] == "intermediary"
    # A second promotion does not pay the relocation again, nor does a later promotion of the
    # enterprise that moved in after its first title.
    await certify(suite, moved, "municipal_little_giant", "2024-10-01")
    await certify(suite, late, "national_little_giant", "2025-08-01")
    async def topped_up():
        return len(await awards_of(suite, late, program="tier")) == 2
    await suite.wait_for(topped_up, "the late top-up")
    await suite.settled()
    assert len(await awards_of(suite, moved, program="relocation")) == 1
    assert await awards_of(suite, late, program="relocation") == []
    assert await awards_of(suite, late, program="introducer") == []
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


async def test_a_voucher_pays_one_award(suite):
    """The same payment voucher (however it is typed) cannot record the payment of a second award."""
    first, second = make_uscc(), make_uscc()
    ids = []
    for u in (first, second):
        await register(suite, u)
        await certify(suite, u, "municipal_srdi", "2024-03-01")
        ids.append((await suite.wait_for(lambda u=u: awards_of(suite, u), "the award"))[0]["id"])
    await fund(suite)
    econ, treasury = suite.client("awards"), suite.client("awards", role="treasury")
    for award_id in ids:
        assert (await econ.post(f"/api/v1/awards/{award_id}/review")).status_code == 200
        assert (await treasury.post(f"/api/v1/awards/{award_id}/approve")).status_code == 200
    r = await treasury.post(f"/api/v1/awards/{ids[0]}/disburse", json={"voucher": "FS-2026-V-77"})
    assert r.status_code == 200, r.text
    again = await treasury.post(f"/api/v1/awards/{ids[1]}/disburse", json={"voucher": " fs-2026-v-77 "})
    assert again.status_code == 409 and again.json()["type"].endswith("/voucher-used"), again.text
    assert again.json()["award_id"] == ids[0] and again.json()["detail_zh"]
    detail = (await suite.client("awards", role="auditor").get(f"/api/v1/awards/{ids[1]}")).json()
    assert detail["state"] == "approved" and [h["to_state"] for h in detail["history"]][-1] == "approved"
    ledger = (await suite.client("awards").get("/api/v1/ledger", params={"year": clock.today().year,
                                                                         "uscc": second})).json()["items"]
    assert "disbursed" not in [e["kind"] for e in ledger]
    assert (await treasury.post(f"/api/v1/awards/{ids[1]}/disburse",
                                json={"voucher": "FS-2026-V-78"})).json()["state"] == "disbursed"


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
    for n, park in enumerate(("park-a", "park-b", "park-a"), 1):
        await publish_model(suite, park, ParkDesignated(park_id=park, park_name=f"园区{park}", designation="srdi_featured",
                                                        designated_on="2025-06-01", designation_id=n))
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


async def test_facts_dated_after_today_pay_and_take_back_nothing(suite):
    """The registry refuses such facts; should one reach awards all the same (an old stream, another
    publisher), a title recognised after today is not paid now and a revocation dated after today
    takes nothing back now."""
    from shared.contracts.registry import (CertificationRecord, CertificationRevoked, EnterprisePromoted,
                                           EnterpriseRecord)
    from shared.tables import AuditLog
    u = make_uscc()
    await register(suite, u)
    cert = await certify(suite, u, "municipal_srdi", "2024-03-01")
    [paid] = await suite.wait_for(lambda: awards_of(suite, u), "the award")
    tomorrow = clock.today() + dt.timedelta(days=1)
    now_held = held(suite, u)
    future = CertificationRecord(id=10**6 + 7, tier="national_little_giant", recognized_on=tomorrow,
                                 expires_on=tomorrow + dt.timedelta(days=1094))
    r1 = EnterpriseRecord(**{**now_held.model_dump(), "version": now_held.version + 1,
                             "certifications": (*now_held.certifications, future)})
    await publish_model(suite, u, EnterprisePromoted(
        uscc=u, enterprise_version=r1.version, record=r1, name=r1.name, from_tier="municipal_srdi",
        to_tier="national_little_giant", certification_id=future.id, recognized_on=tomorrow,
        expires_on=future.expires_on, first_time_at_tier=True))
    revoked = r1.certifications[0].model_copy(update={"revoked_on": tomorrow, "for_cause": True, "state": "revoked"})
    r2 = EnterpriseRecord(**{**r1.model_dump(), "version": r1.version + 1,
                             "certifications": (revoked, future)})
    await publish_model(suite, u, CertificationRevoked(
        uscc=u, enterprise_version=r2.version, record=r2, name=r2.name, certification_id=cert["id"],
        tier="municipal_srdi", reason="虚假申报", for_cause=True, revoked_on=tomorrow))
    await suite.wait_for(lambda: held(suite, u).version == r2.version, "the newer record")
    await suite.settled()
    assert [(a["id"], a["state"], a["amount_yuan"]) for a in await awards_of(suite, u)] == [
        (paid["id"], "computed", 300_000)]
    with suite.db("awards").reader() as s:
        refused = [a.after["code"] for a in s.scalars(select(AuditLog).where(AuditLog.action == "award.refused",
                                                                              AuditLog.after["uscc"].as_string() == u))]
    assert refused == ["future-date", "future-date"]
