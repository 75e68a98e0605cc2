"""The incubation award: parks announces a promoted incubatee (incubatee.promoted.v1), awards pays the
park `award.incubation.per_enterprise` once per (park, enterprise); 0 (the seed) pays nothing."""
import json

from sqlalchemy import func, select

from services.awards.tables import Award
from shared.events import Event, new_event
from shared.tables import Outbox
from shared.testing import make_uscc

SUBJECT = "srdi.parks.incubatee.promoted.v1"


async def park(suite) -> str:
    r = await suite.client("parks").post("/api/v1/parks", json={"name": f"孵化园区-{make_uscc()[-8:]}"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def incubated_and_promoted(suite, park_id: str, entered_on: str, tier: str, on: str) -> str:
    uscc = make_uscc()
    r = await suite.client("registry").post("/api/v1/enterprises", json={"uscc": uscc, "name": f"孵化企业{uscc[-6:]}",
                                                                         "park_id": park_id})
    assert r.status_code == 201, r.text
    await suite.settled()  # parks records incubation only for an enterprise the registry places in the park
    r = await suite.client("parks").post(f"/api/v1/parks/{park_id}/incubations",
                                         json={"uscc": uscc, "entered_on": entered_on})
    assert r.status_code == 201, r.text
    r = await suite.client("registry").post(f"/api/v1/enterprises/{uscc}/certifications",
                                            json={"tier": tier, "recognized_on": on})
    assert r.status_code == 201, r.text
    await suite.settled()
    return uscc


async def incubation_awards(suite, role="econ", org=None) -> list[dict]:
    r = await suite.client("awards", role=role, org=org).get("/api/v1/awards", params={"program": "incubation"})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def announced(suite, uscc: str) -> list[dict]:
    with suite.db("parks").reader() as s:
        payloads = s.scalars(select(Outbox.payload).where(Outbox.subject == SUBJECT))
        return [d for d in (json.loads(p)["data"] for p in payloads) if d["uscc"] == uscc]


def count_awards(suite) -> int:
    with suite.db("awards").reader() as s:
        return s.scalar(select(func.count()).select_from(Award).where(Award.program == "incubation"))


async def test_incubation_award_zero_then_set(suite):
    park_id = await park(suite)
    # The seed (0 from 2022-01-01): parks announces, awards pays nothing.
    unpaid = await incubated_and_promoted(suite, park_id, "2022-03-01", "municipal_srdi", "2023-05-01")
    assert [(d["park_id"], d["to_tier"], d["recognized_on"]) for d in announced(suite, unpaid)] == [
        (park_id, "municipal_srdi", "2023-05-01")]
    assert await incubation_awards(suite) == []

    # The district sets an amount from a later date (a second version on 2022-01-01 would be 409).
    econ = suite.client("awards")
    body = {"key": "award.incubation.per_enterprise", "value": 100000, "effective_from": "2022-01-01",
            "legal_ref": "区经信局 孵化奖励"}
    assert (await econ.put("/api/v1/policy", json=body)).status_code == 409
    assert (await econ.put("/api/v1/policy", json={**body, "value": -1, "effective_from": "2024-01-01"})).status_code == 422
    r = await econ.put("/api/v1/policy", json={**body, "effective_from": "2024-01-01"})
    assert r.status_code == 201, r.text

    paid = await incubated_and_promoted(suite, park_id, "2023-06-01", "municipal_srdi", "2024-03-01")
    [award] = await incubation_awards(suite)
    assert (award["uscc"], award["payee"], award["payee_type"], award["amount_yuan"], award["state"]) == (
        paid, park_id, "park", 100000, "computed")
    detail = (await econ.get(f"/api/v1/awards/{award['id']}")).json()
    assert detail["basis"]["rule"] == "incubation_award"
    assert [p["key"] for p in detail["basis"]["parameters"]] == ["award.incubation.per_enterprise"]
    assert detail["basis"]["parameters"][0]["effective_from"] == "2024-01-01"
    # The park sees its award; another park does not; the enterprise's own total does not count it.
    assert [a["id"] for a in await incubation_awards(suite, role="park", org=park_id)] == [award["id"]]
    assert await incubation_awards(suite, role="park", org="park-other") == []
    assert (await econ.get(f"/api/v1/enterprises/{paid}/awards")).json()["total_yuan"] == 300000  # its tier award

    # A higher tier later is announced (once per tier), but the park is paid once per enterprise.
    r = await suite.client("registry").post(f"/api/v1/enterprises/{paid}/certifications",
                                            json={"tier": "municipal_little_giant", "recognized_on": "2024-09-01"})
    assert r.status_code == 201, r.text
    await suite.settled()
    assert [d["to_tier"] for d in announced(suite, paid)] == ["municipal_srdi", "municipal_little_giant"]
    assert len(await incubation_awards(suite)) == 1

    # Redelivery under new ids: the registry's promotion to parks, parks' announcement to awards.
    js = suite.apps["awards"].state.bus.js
    with suite.db("registry").reader() as s:
        promotions = [Event.parse(p.encode()) for p in s.scalars(
            select(Outbox.payload).where(Outbox.subject == "srdi.registry.enterprise.promoted.v1"))]
    again = [new_event("registry", "enterprise.promoted.v1", e.subject, e.data)
             for e in promotions if e.data["uscc"] == paid]
    again += [new_event("parks", "incubatee.promoted.v1", paid, d) for d in announced(suite, paid)]
    for e in again:
        await js.publish(e.nats_subject, json.dumps(e.envelope()).encode(), headers={"Nats-Msg-Id": e.id})
    await suite.settled()
    assert len(announced(suite, paid)) == 2
    # Replay of the whole stream to parks and awards.
    for name in ("parks", "awards"):
        assert (await suite.client(name).post("/api/v1/admin/replay")).status_code == 202
    await suite.settled(timeout=60)
    assert len(announced(suite, paid)) == 2 and len(announced(suite, unpaid)) == 1
    assert count_awards(suite) == 1
    assert [(a["uscc"], a["amount_yuan"]) for a in await incubation_awards(suite)] == [(paid, 100000)]


async def test_the_incubation_award_rests_on_the_registrys_title(suite):
    """It carries the registry's certification: a revocation for cause takes it back like any award on
    the title, and parks' announcement of a title the registry has not recorded pays nothing."""
    econ = suite.client("awards")
    r = await econ.put("/api/v1/policy", json={"key": "award.incubation.per_enterprise", "value": 50000,
                                              "effective_from": "2023-01-01", "legal_ref": "区经信局 孵化奖励"})
    assert r.status_code in (201, 409), r.text
    park_id = await park(suite)
    uscc = await incubated_and_promoted(suite, park_id, "2023-02-01", "municipal_srdi", "2024-04-01")
    [award] = [a for a in await incubation_awards(suite) if a["uscc"] == uscc]
    with suite.db("registry").reader() as s:
        from services.registry.tables import Certification
        [cert_id] = s.scalars(select(Certification.id).where(Certification.uscc == uscc))
    assert award["certification_id"] == cert_id

    r = await suite.client("registry").post(f"/api/v1/certifications/{cert_id}/revoke",
                                            json={"reason": "虚假申报", "for_cause": True, "revoked_on": "2024-12-01"})
    assert r.status_code == 200, r.text
    await suite.settled()
    [award] = [a for a in await incubation_awards(suite) if a["uscc"] == uscc]
    assert award["state"] == "rejected" and award["amount_yuan"] > 0

    # Parks announces a title the registry never recorded (a forged or mistaken event): nothing is paid.
    stranger = make_uscc()
    e = new_event("parks", "incubatee.promoted.v1", stranger,
                  {"park_id": park_id, "uscc": stranger, "to_tier": "municipal_srdi", "recognized_on": "2024-05-01",
                   "incubation_id": 999999})
    await suite.apps["awards"].state.bus.js.publish(e.nats_subject, json.dumps(e.envelope()).encode(),
                                                    headers={"Nats-Msg-Id": e.id})
    await suite.settled()
    assert [a for a in await incubation_awards(suite) if a["uscc"] == stranger] == []
    # … and once the registry records that very title (its events came late), the park is paid on it.
    r = await suite.client("registry").post("/api/v1/enterprises", json={"uscc": stranger, "name": "迟到的记录"})
    assert r.status_code == 201, r.text
    r = await suite.client("registry").post(f"/api/v1/enterprises/{stranger}/certifications",
                                            json={"tier": "municipal_srdi", "recognized_on": "2024-05-01"})
    assert r.status_code == 201, r.text
    await suite.settled()
    [late] = [a for a in await incubation_awards(suite) if a["uscc"] == stranger]
    assert (late["payee"], late["amount_yuan"], late["certification_id"]) == (park_id, award["amount_yuan"],
                                                                              r.json()["id"])
