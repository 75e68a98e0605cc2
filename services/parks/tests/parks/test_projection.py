"""The registry's records in parks: real events through NATS, and out-of-order, stale or repeated
records delivered straight to parks' handlers. The tier parks shows is always the newest record's,
on the date asked."""
import asyncio
import datetime as dt

import orjson

from services.parks.parks import repository as parks_repository
from services.parks.tables import Enterprise
from services.parks.tests.helpers import deliver, enterprise_in, new_park, record
from shared import projection
from shared.clock import today
from shared.contracts.registry import (CertificationAdded, CertificationRevoked, EnterpriseDemoted,
                                       EnterprisePromoted, EnterpriseRegistered)
from shared.events import new_event
from shared.testing import make_uscc

D = dt.date


def held(suite, uscc):
    """(the newest record's version, its park, the tier today by it) as parks holds them."""
    with suite.db("parks").reader() as s:
        r = projection.record_of(s, uscc)
        return r and (r.version, r.park_id, r.tier_on(today()))


async def test_promotion_and_revocation_reach_the_park(suite):
    park = await new_park(suite)
    uscc = await enterprise_in(suite, park["id"])
    parks = suite.client("parks", role="park", org=park["id"])

    async def tier():
        items = (await parks.get(f"/api/v1/parks/{park['id']}/enterprises")).json()["items"]
        return items[0]["tier"] if items else None

    await suite.wait_for(lambda: tier(), "the registration to reach parks")
    assert await tier() == "sme"
    reg = suite.client("registry")
    cert = (await reg.post(f"/api/v1/enterprises/{uscc}/certifications",
                           json={"tier": "national_little_giant", "recognized_on": "2025-08-01"})).json()

    async def is_(t):
        return await tier() == t
    await suite.wait_for(lambda: is_("national_little_giant"), "the promotion to reach parks")
    r = await reg.post(f"/api/v1/certifications/{cert['id']}/revoke",
                       json={"reason": "虚假申报", "for_cause": True, "revoked_on": "2025-10-01"})
    assert r.status_code == 200
    await suite.wait_for(lambda: is_("sme"), "the revocation to reach parks")
    version, park_id, today_tier = held(suite, uscc)
    assert (park_id, today_tier) == (park["id"], "sme") and version >= 3
    # a past date reads the same record: a giant on 2025-09-30, not from 2025-10-01
    on_sep = (await parks.get(f"/api/v1/parks/{park['id']}/enterprises?on=2025-09-30")).json()["items"]
    assert [(e["uscc"], e["tier"]) for e in on_sep] == [(uscc, "national_little_giant")]
    year = (await parks.get(f"/api/v1/parks/{park['id']}/assessment?on=2025-09-30")).json()
    giants = next(d for d in year["dimensions"] if d["dimension"] == "little_giants")
    assert giants["enterprises"] == [uscc]
    later = (await parks.get(f"/api/v1/parks/{park['id']}/assessment?on=2025-10-01")).json()
    assert next(d for d in later["dimensions"] if d["dimension"] == "little_giants")["value"] == 0


# The acceptance check's data ("titles-out-of-order"): A held 北京市专精特新 from 2020-11-20 (lapsed
# 2023-11-20) and is a national little giant from 2025-03-15; B is a municipal little giant from
# 2024-06-01 and got a back-dated 创新型 title from 2023-02-01 afterwards (a higher version).
A_SRDI = ("municipal_srdi", D(2020, 11, 20), D(2023, 11, 19))
A_GIANT = ("national_little_giant", D(2025, 3, 15), D(2028, 3, 14))
B_MLG = ("municipal_little_giant", D(2024, 6, 1), D(2027, 5, 31))
B_INNOV = ("innovative", D(2023, 2, 1), D(2026, 1, 31))


def a_records(a, park_id):
    return {1: record(a, 1, park_id=park_id), 2: record(a, 2, A_SRDI, park_id=park_id),
            3: record(a, 3, A_SRDI, A_GIANT, park_id=park_id)}


def b_records(b, park_id):
    return {1: record(b, 1, park_id=park_id), 2: record(b, 2, B_MLG, park_id=park_id),
            3: record(b, 3, B_MLG, B_INNOV, park_id=park_id)}


def promoted(r, frm, to, cert_id):
    c = r.certification(cert_id)
    return dict(from_tier=frm, to_tier=to, certification_id=cert_id, recognized_on=c.recognized_on,
                expires_on=c.expires_on, first_time_at_tier=True)


async def test_titles_out_of_order_leave_the_newest_records_tier(suite):
    park = await new_park(suite)
    a, b = make_uscc(), make_uscc()
    ra, rb = a_records(a, park["id"]), b_records(b, park["id"])

    def run():
        # A: the newest record first, then the older ones, then the newest again (a redelivery).
        deliver(suite, EnterprisePromoted, ra[3], **promoted(ra[3], "sme", "national_little_giant", 2))
        deliver(suite, EnterprisePromoted, ra[2], **promoted(ra[2], "sme", "municipal_srdi", 1))
        deliver(suite, EnterpriseRegistered, ra[1])
        deliver(suite, EnterprisePromoted, ra[3], **promoted(ra[3], "sme", "national_little_giant", 2))
        # B: in version order, the back-dated lower title last (certification.added: no promotion today)...
        deliver(suite, EnterpriseRegistered, rb[1])
        deliver(suite, EnterprisePromoted, rb[2], **promoted(rb[2], "sme", "municipal_little_giant", 1))
        deliver(suite, CertificationAdded, rb[3], certification_id=2, tier="innovative",
                recognized_on=D(2023, 2, 1))
        # ...and the promotion delivered again late, after the back-dated title.
        deliver(suite, EnterprisePromoted, rb[2], **promoted(rb[2], "sme", "municipal_little_giant", 1))
    await asyncio.to_thread(run)
    assert held(suite, a) == (3, park["id"], "national_little_giant")
    assert held(suite, b) == (3, park["id"], "municipal_little_giant")
    # Every read of parks says the same: the park's list, its counts, the assessment.
    econ = suite.client("parks")
    items = (await econ.get(f"/api/v1/parks/{park['id']}/enterprises")).json()["items"]
    assert {e["uscc"]: e["tier"] for e in items} == {a: "national_little_giant", b: "municipal_little_giant"}
    assert all(e["enterprise_version"] == 3 for e in items)
    detail = (await econ.get(f"/api/v1/parks/{park['id']}")).json()
    assert (detail["counts"]["national_little_giant"], detail["counts"]["municipal_little_giant"]) == (1, 1)
    # On past dates too: A was SRDI in 2022 and nothing in 2024; B was 创新型 in 2023.
    past = {on: {e["uscc"]: e["tier"] for e in (await econ.get(
        f"/api/v1/parks/{park['id']}/enterprises?on={on}")).json()["items"]} for on in ("2022-06-01", "2024-01-01", "2023-06-01")}
    assert (past["2022-06-01"][a], past["2024-01-01"][a], past["2023-06-01"][b]) == (
        "municipal_srdi", "sme", "innovative")
    assessment = (await econ.get(f"/api/v1/parks/{park['id']}/assessment?on={today()}")).json()
    giants = next(d for d in assessment["dimensions"] if d["dimension"] == "little_giants")
    assert giants["enterprises"] == [a]


KINDS = (EnterpriseRegistered, CertificationAdded, CertificationRevoked, EnterpriseDemoted)
# The flat fields of all four kinds (each takes those it knows): what happened is not what is read.
FLAT = dict(from_tier="sme", to_tier="sme", reason="expired", certification_id=1, on=D(2023, 11, 20),
            tier="municipal_srdi", recognized_on=D(2020, 11, 20), revoked_on=D(2023, 11, 20))


async def test_every_delivery_order_gives_the_newest_records_tier(suite):
    """All orders of A's and B's records (with the stale ones delivered again after): the tier today
    and on every day a title starts or ends is the newest record's."""
    import itertools

    park_id = "park-0rder000"
    for order in itertools.permutations((1, 2, 3)):
        a, b = make_uscc(), make_uscc()
        ra, rb = a_records(a, park_id), b_records(b, park_id)

        def run(order=order, ra=ra, rb=rb):
            for i, v in enumerate((*order, *order)):
                for r in (ra[v], rb[v]):  # each kind of event carries the record: any of them will do
                    deliver(suite, KINDS[i % len(KINDS)], r, **FLAT)
        await asyncio.to_thread(run)
        with suite.db("parks").reader() as s:
            for uscc, newest in ((a, ra[3]), (b, rb[3])):
                r = projection.record_of(s, uscc)
                assert r == newest, order
                for day in (today(), D(2020, 11, 20), D(2023, 11, 20), D(2023, 2, 1), D(2024, 6, 1), D(2025, 3, 15)):
                    assert projection.tier_of(s, uscc, day) == newest.tier_on(day), (order, day)


async def test_facts_come_from_the_newest_record_and_a_stale_one_changes_nothing(suite):
    park, other = await new_park(suite), await new_park(suite)
    uscc = make_uscc()
    newer = record(uscc, 5, A_SRDI, park_id=other["id"], name="新名称", introducer="某中介",
                   relocated_on=D(2024, 1, 2))
    older = record(uscc, 4, A_SRDI, A_GIANT, park_id=park["id"], name="旧名称")
    await asyncio.to_thread(deliver, suite, EnterpriseRegistered, newer)
    await asyncio.to_thread(deliver, suite, EnterprisePromoted, older,
                            **promoted(older, "sme", "national_little_giant", 2))
    with suite.db("parks").reader() as s:
        e = s.get(Enterprise, uscc)
        assert (e.name, e.park_id, e.introducer, e.relocated_on, e.enterprise_version) == (
            "新名称", other["id"], "某中介", D(2024, 1, 2), 5)
        assert not parks_repository.members(s, park["id"]) and list(parks_repository.members(s, other["id"])) == [uscc]
    econ = suite.client("parks")
    assert (await econ.get(f"/api/v1/parks/{park['id']}/enterprises")).json()["items"] == []
    [item] = (await econ.get(f"/api/v1/parks/{other['id']}/enterprises")).json()["items"]
    assert (item["name"], item["tier"]) == ("新名称", "sme")  # A_SRDI lapsed in 2023


async def test_an_unreadable_event_is_dead_lettered_not_lost(suite):
    uscc = make_uscc()
    good = record(uscc, 2, A_SRDI)
    bad = {"uscc": uscc, "name": good.name, "park_id": None, "from_tier": "sme", "to_tier": "gold",
           "certification_id": 1, "recognized_on": "2025-01-01", "expires_on": "2027-12-31",
           "first_time_at_tier": True, "enterprise_version": 2, "record": good.model_dump(mode="json")}
    event = new_event("registry", "enterprise.promoted.v1", uscc, bad)
    js = suite.apps["parks"].state.bus.js
    await js.publish(event.nats_subject, orjson.dumps(event.envelope()), headers={"Nats-Msg-Id": event.id})

    async def dead():
        r = await suite.client("parks").get("/api/v1/admin/events")
        return [d for d in r.json()["dead_letters"] if d["event_id"] == event.id]
    letters = await suite.wait_for(dead, "the bad event in the dead letters", timeout=30)
    assert "gold" in letters[0]["error"]
    with suite.db("parks").reader() as s:
        assert s.get(Enterprise, uscc) is None and projection.record_of(s, uscc) is None  # nothing half-applied
