"""Nominations: the resident ID validated, encrypted, masked and audited; quotas used once,
given back on rejection or withdrawal, refused when none is left; racing for the last one."""
import asyncio
import datetime as dt

import orjson
from sqlalchemy import select

from services.talent.nominations import pii
from services.talent.tables import Nomination
from services.talent.tests.support import (YEAR, available, body, certify, enterprise, enterprise_with_quotas, outbox,
                                           quotas, wait_granted)
from shared.clock import today
from shared.tables import AuditLog, Outbox
from shared.testing import make_resident_id, make_uscc, wrong_check

async def test_nominate_protects_the_resident_id(suite):
    uscc = await enterprise_with_quotas(suite)
    number = make_resident_id("19880315", 124)  # serial 124: even → female
    talent = suite.client("talent", role="talent")
    r = await talent.post("/api/v1/nominations", json=body(uscc, id_number=number))
    assert r.status_code == 201, r.text
    n = r.json()
    assert n["state"] == "submitted" and n["holds_quota"]
    masked = n["person"]["id_number"]
    assert masked == pii.mask(number) == n["person"]["id_number_masked"] == "1101" + "*" * 13 + number[17]
    assert n["person"]["gender"] == "female" and "birth_date" not in n["person"]  # a stored answer: no birth date
    assert await available(suite, uscc) == 0
    q = (await quotas(suite, uscc))[YEAR]
    assert (q["granted"], q["used"]) == (1, 1)

    # At rest: only a Fernet token, never the number.
    with suite.db("talent").reader() as s:
        row = s.get(Nomination, n["id"])
        assert number not in row.id_cipher and row.id_cipher.startswith("gAAAA")
        audit_before = len(s.scalars(select(AuditLog).where(AuditLog.action == "nomination.id_number.read")).all())

    # Whole to the talent role, each read audited; masked to econ and the auditor, not audited.
    r = await talent.get(f"/api/v1/nominations/{n['id']}")
    assert r.status_code == 200 and r.json()["person"]["id_number"] == number
    assert r.json()["person"]["birth_date"] == "1988-03-15"  # the talent office's own read
    for role in ("econ", "auditor"):
        r = await suite.client("talent", role=role).get(f"/api/v1/nominations/{n['id']}")
        assert r.status_code == 200 and r.json()["person"]["id_number"] == n["person"]["id_number_masked"], role
        assert "birth_date" not in r.json()["person"], role
    r = await talent.get("/api/v1/nominations", params={"uscc": uscc})
    assert [x["person"]["id_number"] for x in r.json()["items"]] == [n["person"]["id_number_masked"]]
    with suite.db("talent").reader() as s:
        reads = s.scalars(select(AuditLog).where(AuditLog.action == "nomination.id_number.read")
                          .order_by(AuditLog.id)).all()
        assert len(reads) == audit_before + 1
        assert (reads[-1].object_id, reads[-1].actor.split(":")[0]) == (str(n["id"]), "talent")
        # Never in events or in the audit log's states.
        payloads = s.scalars(select(Outbox.payload)).all() + [orjson.dumps([a.before, a.after]).decode()
                                                              for a in s.scalars(select(AuditLog))]
    assert payloads and not any(number in p for p in payloads)
    [event] = outbox(suite, "talent", "srdi.talent.nomination.changed.v1", uscc)
    assert event == {"nomination_id": n["id"], "uscc": uscc, "year": YEAR, "category": "领军人才", "state": "submitted"}


async def test_an_invalid_resident_id_is_refused_without_echo(suite):
    uscc = await enterprise_with_quotas(suite)
    good = make_resident_id("19900101", 7)
    bad_check = wrong_check(good)
    for number in (bad_check, "11011119901301007X", good[:17], "ABCDEFGHIJKLMNOPQR"):
        r = await suite.client("talent", role="talent").post("/api/v1/nominations", json=body(uscc, id_number=number))
        assert r.status_code == 422, number
        assert r.json()["errors"][0]["loc"] == ["body", "person", "id_number"]
        assert number not in r.text
    assert await available(suite, uscc) == 1


async def test_bad_bodies_change_nothing(suite):
    uscc = await enterprise_with_quotas(suite)
    talent = suite.client("talent", role="talent")
    bad_uscc = wrong_check(uscc)
    for b in (body(uscc, category="人才"), body(uscc, year="this"), body(bad_uscc), body(uscc, year=1999),
              body(uscc, extra_field=1), {**body(uscc), "person": {"name": "李四"}}, body(uscc, documents="x")):
        r = await talent.post("/api/v1/nominations", json=b)
        assert r.status_code == 422, b
    assert await available(suite, uscc) == 1


async def test_no_quota_left_is_a_clear_409(suite):
    uscc = await enterprise_with_quotas(suite)
    talent = suite.client("talent", role="talent")
    assert (await talent.post("/api/v1/nominations", json=body(uscc))).status_code == 201
    r = await talent.post("/api/v1/nominations", json=body(uscc, id_number=make_resident_id("19920202", 11)))
    assert r.status_code == 409 and r.json()["type"].endswith("/no-quota-available")
    assert (r.json()["granted"], r.json()["used"]) == (1, 1) and "/" in r.json()["detail"]
    r = await talent.post("/api/v1/nominations", json=body(make_uscc()))  # no grant at all
    assert r.status_code == 409 and r.json()["granted"] == 0
    r = await talent.post("/api/v1/nominations", json=body(uscc, year=YEAR - 1))
    assert r.status_code == 409 and r.json()["type"].endswith("/quota-lapsed")
    # next year's quota is a quota of its own
    assert (await talent.post("/api/v1/nominations", json=body(uscc, year=YEAR + 1))).status_code == 201


async def test_rejection_and_withdrawal_give_the_quota_back_once(suite):
    uscc = await enterprise_with_quotas(suite)
    talent = suite.client("talent", role="talent")
    first = (await talent.post("/api/v1/nominations", json=body(uscc))).json()
    assert (await talent.post(f"/api/v1/nominations/{first['id']}/reject", json={})).status_code == 422
    r = await talent.post(f"/api/v1/nominations/{first['id']}/review")
    assert r.status_code == 200 and r.json()["state"] == "district_reviewed"
    r = await talent.post(f"/api/v1/nominations/{first['id']}/reject", json={"reason": "学历证明不全"})
    assert r.status_code == 200 and (r.json()["state"], r.json()["state_reason"]) == ("rejected", "学历证明不全")
    assert await available(suite, uscc) == 1
    r = await talent.post(f"/api/v1/nominations/{first['id']}/reject", json={"reason": "again"})
    assert r.status_code == 409 and r.json()["type"].endswith("/invalid-transition")
    r = await talent.post(f"/api/v1/nominations/{first['id']}/withdraw")
    assert r.status_code == 409
    assert await available(suite, uscc) == 1  # given back once only

    second = (await talent.post("/api/v1/nominations", json=body(uscc))).json()
    assert await available(suite, uscc) == 0
    assert (await talent.post(f"/api/v1/nominations/{second['id']}/withdraw")).json()["state"] == "withdrawn"
    assert await available(suite, uscc) == 1
    q = (await quotas(suite, uscc))[YEAR]
    assert (q["granted"], q["used"]) == (1, 0)


async def test_the_whole_way_to_approval_keeps_the_quota_used(suite):
    uscc = await enterprise_with_quotas(suite)
    talent = suite.client("talent", role="talent")
    n = (await talent.post("/api/v1/nominations", json=body(uscc))).json()
    r = await talent.post(f"/api/v1/nominations/{n['id']}/recommend")
    assert r.status_code == 409  # the district reviews first
    for action, state in (("review", "district_reviewed"), ("recommend", "recommended"), ("approve", "approved")):
        r = await talent.post(f"/api/v1/nominations/{n['id']}/{action}")
        assert r.status_code == 200 and r.json()["state"] == state, r.text
    assert (await talent.post(f"/api/v1/nominations/{n['id']}/withdraw")).status_code == 409
    assert (await talent.post(f"/api/v1/nominations/{n['id']}/promote")).status_code == 422
    assert (await talent.post("/api/v1/nominations/999999/review")).status_code == 404
    q = (await quotas(suite, uscc))[YEAR]
    assert (q["granted"], q["used"], q["available"]) == (1, 1, 0)
    states = [e["state"] for e in outbox(suite, "talent", "srdi.talent.nomination.changed.v1", uscc)]
    assert states == ["submitted", "district_reviewed", "recommended", "approved"]
    auditor = suite.client("talent", role="auditor")
    r = await auditor.get("/api/v1/nominations", params={"uscc": uscc, "state": "approved"})
    assert [x["id"] for x in r.json()["items"]] == [n["id"]]


async def test_two_nominations_racing_for_the_last_quota(suite):
    uscc = await enterprise_with_quotas(suite)
    talent = suite.client("talent", role="talent")
    bodies = [body(uscc, id_number=make_resident_id("19850505", i)) for i in (21, 22, 23, 24)]
    answers = await asyncio.gather(*(talent.post("/api/v1/nominations", json=b) for b in bodies))
    assert sorted(r.status_code for r in answers) == [201, 409, 409, 409], [r.text for r in answers]
    q = (await quotas(suite, uscc))[YEAR]
    assert (q["granted"], q["used"], q["available"]) == (1, 1, 0)
    with suite.db("talent").reader() as s:
        assert len(s.scalars(select(Nomination).where(Nomination.uscc == uscc)).all()) == 1


async def test_a_retry_with_the_same_idempotency_key_uses_no_second_quota(suite):
    uscc = await enterprise(suite)
    await certify(suite, uscc, "national_little_giant", f"{YEAR}-02-01")
    await wait_granted(suite, uscc, {YEAR: 1, YEAR + 1: 1, YEAR + 2: 1})
    talent = suite.client("talent", role="talent")
    b = body(uscc, year=YEAR + 2)
    first = await talent.post("/api/v1/nominations", json=b, headers={"Idempotency-Key": f"nom-{uscc}"})
    again = await talent.post("/api/v1/nominations", json=b, headers={"Idempotency-Key": f"nom-{uscc}"})
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again.headers.get("idempotent-replayed") == "true"
    assert (await quotas(suite, uscc))[YEAR + 2]["used"] == 1


async def test_revocation_keeps_a_used_quota_until_it_is_given_back(suite):
    uscc = await enterprise(suite)
    cert = await certify(suite, uscc, "national_little_giant", f"{YEAR}-03-01")
    await wait_granted(suite, uscc, {YEAR: 1, YEAR + 1: 1, YEAR + 2: 1})
    talent = suite.client("talent", role="talent")
    n = (await talent.post("/api/v1/nominations", json=body(uscc, year=YEAR + 1))).json()
    r = await suite.client("registry").post(f"/api/v1/certifications/{cert['id']}/revoke",
                                            json={"reason": "虚假申报", "for_cause": True})
    assert r.status_code == 200
    await wait_granted(suite, uscc, {YEAR: 1, YEAR + 1: 1})  # YEAR + 2 cancelled; YEAR + 1 is in use
    q = (await quotas(suite, uscc))[YEAR + 1]
    assert q["basis"]["kept_in_use"] == 1 and q["basis"]["certification_id"] is None
    await talent.post(f"/api/v1/nominations/{n['id']}/reject", json={"reason": "企业资格已撤销"})
    await wait_granted(suite, uscc, {YEAR: 1})
    cancelled = [(e["year"], e["count"]) for e in outbox(suite, "talent", "srdi.talent.quota.cancelled.v1", uscc)]
    assert sorted(cancelled) == [(YEAR + 1, 0), (YEAR + 2, 0)]


async def test_a_void_keeps_this_year_s_quota_a_nomination_holds_until_it_is_given_back(suite):
    """A voided certification takes this year's unused quota too (deemed never recognised), but
    not the one a nomination already holds: that goes when the nomination ends."""
    uscc = await enterprise(suite)
    cert = await certify(suite, uscc, "national_little_giant", f"{YEAR}-03-01")
    await wait_granted(suite, uscc, {YEAR: 1, YEAR + 1: 1, YEAR + 2: 1})
    talent = suite.client("talent", role="talent")
    n = (await talent.post("/api/v1/nominations", json=body(uscc, year=YEAR))).json()
    r = await suite.client("registry").post(f"/api/v1/certifications/{cert['id']}/void", json={"reason": "误录"})
    assert r.status_code == 200, r.text
    await wait_granted(suite, uscc, {YEAR: 1})  # later years cancelled; this year's is in use
    q = (await quotas(suite, uscc))[YEAR]
    assert q["basis"]["kept_in_use"] == 1 and q["available"] == 0
    await talent.post(f"/api/v1/nominations/{n['id']}/withdraw")
    await wait_granted(suite, uscc, {})
    r = await talent.post("/api/v1/nominations", json=body(uscc, year=YEAR))
    assert r.status_code in (409, 422), r.text  # nothing left to nominate for


async def test_a_void_leaves_nothing_of_its_title_to_nominate_for_and_keeps_history(suite):
    """Deemed never recognised (视为从未认定): no quota the title granted can be used for a new
    nomination, this year's unused one included; an approved nomination stays as history, its
    year's quota kept and shown as resting on the voided certification."""
    uscc = await enterprise(suite)
    cert = await certify(suite, uscc, "national_little_giant", f"{YEAR}-01-15")
    await wait_granted(suite, uscc, {YEAR: 1, YEAR + 1: 1, YEAR + 2: 1})
    talent = suite.client("talent", role="talent")
    n = (await talent.post("/api/v1/nominations", json=body(uscc, year=YEAR + 1))).json()
    for action in ("review", "recommend", "approve"):
        r = await talent.post(f"/api/v1/nominations/{n['id']}/{action}")
        assert r.status_code == 200, r.text
    r = await suite.client("registry").post(f"/api/v1/certifications/{cert['id']}/void", json={"reason": "误录"})
    assert r.status_code == 200, r.text
    await wait_granted(suite, uscc, {YEAR + 1: 1})  # only the approved nomination's quota is left
    for year in (YEAR, YEAR + 2):
        r = await talent.post("/api/v1/nominations", json=body(uscc, year=year))
        assert r.status_code == 409 and r.json()["type"].endswith("/no-quota-available"), (year, r.text)
    assert (await talent.get(f"/api/v1/nominations/{n['id']}")).json()["state"] == "approved"
    q = (await quotas(suite, uscc))[YEAR + 1]
    assert q["basis"]["kept_in_use"] == 1 and q["available"] == 0
    [ent] = q["basis"]["entitlements"]
    assert ent["state"] == "cancelled" and ent["cancel_reason"].startswith("认定作废（误录）")
    assert ent["certification_status"]["state"] == "voided"


async def test_nominations_the_four_cases(suite):
    uscc = await enterprise_with_quotas(suite)
    n = (await suite.client("talent", role="talent").post("/api/v1/nominations", json=body(uscc))).json()
    anonymous = suite.client("talent", role=None)
    assert (await anonymous.get(f"/api/v1/nominations/{n['id']}")).status_code == 401
    assert (await anonymous.post("/api/v1/nominations", json=body(uscc))).status_code == 401
    for role, org in (("bank", "B1"), ("park", "P-A"), ("treasury", None)):
        c = suite.client("talent", role=role, org=org)
        assert (await c.get(f"/api/v1/nominations/{n['id']}")).status_code == 403, role
        assert (await c.get("/api/v1/nominations")).status_code == 403, role
    for role in ("econ", "auditor"):  # readers, not writers
        c = suite.client("talent", role=role)
        assert (await c.post("/api/v1/nominations", json=body(uscc, year=YEAR + 1))).status_code == 403, role
        assert (await c.post(f"/api/v1/nominations/{n['id']}/review")).status_code == 403, role
    assert (await suite.client("talent", role="talent").get("/api/v1/nominations/999999")).status_code == 404
    r = await suite.client("talent", role="econ").get("/api/v1/nominations", params={"uscc": make_uscc()})
    assert r.json() == {"items": [], "next_cursor": None}
    assert (await available(suite, uscc, YEAR + 1)) == 1


async def test_nomination_pages(suite):
    uscc = await enterprise_with_quotas(suite)
    talent = suite.client("talent", role="talent")
    made = [(await talent.post("/api/v1/nominations", json=body(uscc, year=y))).json()["id"]
            for y in (YEAR, YEAR + 1, YEAR + 2)]
    seen, cursor = [], None
    while True:
        page = {"uscc": uscc, "limit": 2, **({"cursor": cursor} if cursor else {})}
        r = await talent.get("/api/v1/nominations", params=page)
        assert r.status_code == 200 and len(r.json()["items"]) <= 2
        seen += [n["id"] for n in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert seen == made
    for query in ({"cursor": "%%%"}, {"cursor": "eA=="}, {"state": "lost"}, {"limit": 0}):
        assert (await talent.get("/api/v1/nominations", params=query)).status_code == 422, query


async def test_gender_and_birth_date_given_are_checked_against_the_id(suite):
    uscc = await enterprise_with_quotas(suite)
    number = make_resident_id("19920229", 31)  # odd serial: male; a leap-day birth
    talent = suite.client("talent", role="talent")

    def with_person(**facts):
        b = body(uscc, id_number=number)
        return {**b, "person": {**b["person"], **facts}}
    for facts in ({"gender": "female"}, {"birth_date": "1992-02-28"}, {"gender": "male", "birth_date": "1992-03-01"},
                  {"gender": "x"}):
        r = await talent.post("/api/v1/nominations", json=with_person(**facts))
        assert r.status_code == 422, (facts, r.text)
        assert number not in r.text and number[6:14] not in r.text  # never echoed, not even in parts
    assert await available(suite, uscc) == 1
    r = await talent.post("/api/v1/nominations", json=with_person(gender="male", birth_date="1992-02-29"))
    assert r.status_code == 201, r.text
    assert r.json()["person"]["gender"] == "male" and "birth_date" not in r.json()["person"]
    r = await talent.get(f"/api/v1/nominations/{r.json()['id']}")
    assert (r.json()["person"]["gender"], r.json()["person"]["birth_date"]) == ("male", "1992-02-29")


async def test_a_birth_date_after_today_is_refused(suite):
    """A resident ID or a birth date saying the person is not born yet is not a fact (never echoed)."""
    uscc = await enterprise_with_quotas(suite)
    talent = suite.client("talent", role="talent")
    tomorrow = today() + dt.timedelta(days=1)
    unborn = make_resident_id(tomorrow.strftime("%Y%m%d"), 12)
    r = await talent.post("/api/v1/nominations", json=body(uscc, id_number=unborn))
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "person", "id_number"]
    assert unborn not in r.text and unborn[6:14] not in r.text
    b = body(uscc)
    r = await talent.post("/api/v1/nominations",
                          json={**b, "person": {**b["person"], "birth_date": tomorrow.isoformat()}})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"][:3] == ["body", "person", "birth_date"]
    assert await available(suite, uscc) == 1
