"""The registry projection: real events through NATS, and out-of-order or repeated delivery."""
import asyncio

import orjson
from sqlalchemy import select

from services.parks.models import Enterprise, TierChange
from services.parks.tests.helpers import enterprise_in, new_park
from shared.events import new_event
from shared.testing import make_uscc


def held(suite, uscc):
    with suite.db("parks").reader() as s:
        e = s.get(Enterprise, uscc)
        changes = s.scalars(select(TierChange).where(TierChange.uscc == uscc)
                            .order_by(TierChange.enterprise_version)).all()
        return e and (e.tier, e.enterprise_version, e.park_id), [(c.enterprise_version, c.to_tier) for c in changes]


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
    await suite.wait_for(lambda: is_("sme"), "the demotion to reach parks")
    assert held(suite, uscc) == (("sme", 3, park["id"]), [(2, "national_little_giant"), (3, "sme")])
    year = (await parks.get(f"/api/v1/parks/{park['id']}/assessment?on=2025-09-30")).json()
    giants = next(d for d in year["dimensions"] if d["dimension"] == "little_giants")
    assert giants["enterprises"] == [uscc]  # the tier held on that date, from the history
    later = (await parks.get(f"/api/v1/parks/{park['id']}/assessment?on=2025-10-01")).json()
    assert next(d for d in later["dimensions"] if d["dimension"] == "little_giants")["value"] == 0


def deliver(suite, name: str, data: dict) -> str:
    event = new_event("registry", name, data["uscc"], data)
    raw = orjson.dumps(event.envelope())
    return suite.apps["parks"].state.bus.handle_raw(event.nats_subject, raw), raw, event.nats_subject


def facts(uscc, park_id, version, **more):
    return {"uscc": uscc, "name": f"企业{version}", "park_id": park_id, "enterprise_version": version, **more}


async def test_out_of_order_and_repeated_events_give_the_right_final_state(suite):
    uscc, park_id = make_uscc(), "park-abcdef01"

    def run():
        promoted_3 = facts(uscc, park_id, 3, from_tier="municipal_srdi", to_tier="national_little_giant",
                           certification_id=2, recognized_on="2025-08-01", first_time_at_tier=True)
        out = [deliver(suite, "enterprise.promoted.v1", promoted_3)]
        out.append(deliver(suite, "enterprise.registered.v1", facts(uscc, park_id, 1, township="窦店镇")))
        out.append(deliver(suite, "enterprise.promoted.v1", facts(
            uscc, park_id, 2, from_tier="sme", to_tier="municipal_srdi", certification_id=1,
            recognized_on="2024-03-01", first_time_at_tier=True)))
        # the same event delivered again, and the same fact under a fresh event id
        again = suite.apps["parks"].state.bus.handle_raw(out[0][2], out[0][1])
        out.append(deliver(suite, "enterprise.promoted.v1", promoted_3))
        return [o[0] for o in out], again

    outcomes, again = await asyncio.to_thread(run)
    assert outcomes == ["handled"] * 4 and again == "duplicate"
    assert held(suite, uscc) == (("national_little_giant", 3, park_id),
                                 [(2, "municipal_srdi"), (3, "national_little_giant")])
    # a late demotion (version 4) applies; a stale promotion after it does not undo it
    await asyncio.to_thread(deliver, suite, "enterprise.demoted.v1", facts(
        uscc, park_id, 4, from_tier="national_little_giant", to_tier="municipal_srdi", reason="expired",
        certification_id=2, on="2028-08-01"))
    await asyncio.to_thread(deliver, suite, "enterprise.promoted.v1", facts(
        uscc, park_id, 2, from_tier="sme", to_tier="municipal_srdi", certification_id=1,
        recognized_on="2024-03-01", first_time_at_tier=True))
    assert held(suite, uscc)[0] == ("municipal_srdi", 4, park_id)
    assert len(held(suite, uscc)[1]) == 3


async def test_an_unreadable_event_is_dead_lettered_not_lost(suite):
    bad = {"uscc": make_uscc(), "name": "x", "park_id": None, "from_tier": "sme", "to_tier": "gold",
           "recognized_on": "2025-01-01", "enterprise_version": 2}
    event = new_event("registry", "enterprise.promoted.v1", bad["uscc"], bad)
    js = suite.apps["parks"].state.bus.js
    await js.publish(event.nats_subject, orjson.dumps(event.envelope()), headers={"Nats-Msg-Id": event.id})

    async def dead():
        r = await suite.client("parks").get("/api/v1/admin/events")
        return [d for d in r.json()["dead_letters"] if d["event_id"] == event.id]
    letters = await suite.wait_for(dead, "the bad event in the dead letters", timeout=30)
    assert "gold" in letters[0]["error"]
    with suite.db("parks").reader() as s:
        assert s.get(Enterprise, bad["uscc"]) is None  # nothing half-applied
