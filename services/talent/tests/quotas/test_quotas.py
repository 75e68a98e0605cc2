"""Quota grants from registry events, and GET /api/v1/quotas: the four cases, the seed's ladder,
redelivered and duplicated events, out-of-order arrival and revocation for cause."""
import datetime as dt
import uuid

from sqlalchemy import func, select

from services.talent.tables import QuotaEntitlement, QuotaGrant
from services.talent.tests.support import cert as support_cert
from services.talent.tests.support import (certify, enterprise, granted, handled, outbox, promotion, publish, quotas,
                                           record, registry_events, revocation, synthetic_cert_id, wait_granted)
from shared import projection
from shared.clock import today
from shared.contracts.registry import CertificationRevoked, EnterpriseDemoted, EnterpriseRegistered
from shared.events import Event, new_event
from shared.testing import make_uscc, wrong_check

GRANTED = "srdi.talent.quota.granted.v1"
CANCELLED = "srdi.talent.quota.cancelled.v1"


def grant_rows(suite, uscc):
    with suite.db("talent").reader() as s:
        return sorted((g.year, g.granted, g.used) for g in s.scalars(select(QuotaGrant).where(QuotaGrant.uscc == uscc)))


async def test_the_ladder_of_the_acceptance_check(suite):
    """municipal_srdi 2024-03-01, municipal_little_giant 2024-10-01, national 2025-08-01 → 2024-2027, one a year."""
    uscc = await enterprise(suite)
    await certify(suite, uscc, "municipal_srdi", "2024-03-01")
    mlg = await certify(suite, uscc, "municipal_little_giant", "2024-10-01")
    await wait_granted(suite, uscc, {2024: 1})
    nlg = await certify(suite, uscc, "national_little_giant", "2025-08-01")
    await wait_granted(suite, uscc, {2024: 1, 2025: 1, 2026: 1, 2027: 1})
    await suite.settled()

    q = await quotas(suite, uscc)
    year = today().year
    for y in (2024, 2025, 2026, 2027):
        assert q[y]["used"] == 0
        assert q[y]["tier_today"] == "national_little_giant"  # from the registry's record, today
        assert q[y]["lapsed"] is (y < year)
        assert q[y]["available"] == (0 if y < year else 1)
    assert (q[2024]["basis"]["tier"], q[2024]["basis"]["certification_id"]) == ("municipal_little_giant", mlg["id"])
    assert q[2024]["basis"]["recognized_on"] == "2024-10-01"
    for y in (2025, 2026, 2027):
        basis = q[y]["basis"]
        assert (basis["tier"], basis["certification_id"], basis["recognized_on"]) == \
            ("national_little_giant", nlg["id"], "2025-08-01")
        assert {p["key"]: p["value"] for p in basis["params"]} == {
            "talent.quota.per_year.national_little_giant": 1, "talent.quota.years.national_little_giant": 3}
        assert all(p["legal_ref"] and p["effective_from"] == "2022-01-01" for p in basis["params"])

    # One quota.granted.v1 per year, in the same transactions as the grants.
    sent = outbox(suite, "talent", GRANTED, uscc)
    assert sorted((e["year"], e["count"]) for e in sent) == [(2024, 1), (2025, 1), (2026, 1), (2027, 1)]
    assert all(e["uscc"] == uscc and e["basis"]["certification_id"] for e in sent)


async def test_two_tiers_in_one_year_get_the_larger_not_the_sum(suite):
    uscc = await enterprise(suite)
    await certify(suite, uscc, "municipal_little_giant", "2025-03-01")
    await wait_granted(suite, uscc, {2025: 1})
    await certify(suite, uscc, "national_little_giant", "2025-08-01")
    await wait_granted(suite, uscc, {2025: 1, 2026: 1, 2027: 1})
    await suite.settled()
    q = await quotas(suite, uscc)
    assert q[2025]["granted"] == 1 and q[2025]["basis"]["tier"] == "municipal_little_giant"
    assert {e["tier"] for e in q[2025]["basis"]["entitlements"]} == {"municipal_little_giant", "national_little_giant"}
    # 2025 was not raised by the second tier: no second event for it
    assert sorted(e["year"] for e in outbox(suite, "talent", GRANTED, uscc)) == [2025, 2026, 2027]


async def test_srdi_renewal_and_single_champion_grant_nothing(suite):
    uscc = await enterprise(suite)
    await certify(suite, uscc, "municipal_srdi", "2024-03-01")
    await certify(suite, uscc, "single_champion", "2024-06-01")
    other = await enterprise(suite)
    await certify(suite, other, "national_little_giant", "2022-01-10")       # grants 2022-2024
    await certify(suite, other, "national_little_giant", "2025-01-10")       # renewal (复核) after lapse
    await suite.settled()
    assert await granted(suite, uscc) == {}
    assert await granted(suite, other) == {2022: 1, 2023: 1, 2024: 1}


async def test_a_redelivered_event_changes_nothing(suite):
    """The registry's promotion published again (another Nats-Msg-Id, so JetStream stores it twice),
    and the same facts under a new event id: the inbox and the natural key hold."""
    uscc = await enterprise(suite)
    await certify(suite, uscc, "national_little_giant", "2025-08-01")
    await wait_granted(suite, uscc, {2025: 1, 2026: 1, 2027: 1})
    await suite.settled()
    before = (grant_rows(suite, uscc), len(outbox(suite, "talent", GRANTED, uscc)))

    [original] = registry_events(suite, "srdi.registry.enterprise.promoted.v1", uscc)
    await publish(suite, original, msg_id=str(uuid.uuid4()))  # the same event id, delivered again
    twin = Event(str(uuid.uuid4()), original.type, original.source, original.subject, original.time, original.data)
    await publish(suite, twin)                                  # the same facts, another event id
    await publish(suite, twin, msg_id=str(uuid.uuid4()))        # and that one twice
    await suite.settled()

    assert handled(suite, original.id) == 1 and handled(suite, twin.id) == 1
    assert (grant_rows(suite, uscc), len(outbox(suite, "talent", GRANTED, uscc))) == before
    with suite.db("talent").reader() as s:
        n = s.scalar(select(func.count()).select_from(QuotaEntitlement).join(QuotaGrant)
                     .where(QuotaGrant.uscc == uscc))
    assert n == 3


async def test_out_of_order_arrival_gives_the_same_grants(suite):
    """The national promotion before the municipal one; the same year from two tiers in either order."""
    late = make_uscc()
    await publish(suite, promotion(late, "national_little_giant", "2025-08-01", from_tier="municipal_little_giant"))
    await publish(suite, promotion(late, "municipal_little_giant", "2024-10-01"))
    same_year = make_uscc()
    await publish(suite, promotion(same_year, "national_little_giant", "2025-08-01",
                                   from_tier="municipal_little_giant"))
    await publish(suite, promotion(same_year, "municipal_little_giant", "2025-03-01"))
    await suite.settled()
    assert await granted(suite, late) == {2024: 1, 2025: 1, 2026: 1, 2027: 1}
    assert await granted(suite, same_year) == {2025: 1, 2026: 1, 2027: 1}
    assert sorted(e["year"] for e in outbox(suite, "talent", GRANTED, same_year)) == [2025, 2026, 2027]


async def test_a_revocation_that_arrives_before_its_promotion(suite):
    uscc, cert = make_uscc(), synthetic_cert_id()
    await publish(suite, revocation(uscc, cert, "national_little_giant", "2026-05-01"))
    await publish(suite, promotion(uscc, "national_little_giant", "2025-08-01", cert_id=cert))
    await suite.settled()
    q = await quotas(suite, uscc)
    assert {y: x["granted"] for y, x in q.items()} == {2025: 1, 2026: 1, 2027: 0}
    assert [e["state"] for e in q[2027]["basis"]["entitlements"]] == ["cancelled"]
    assert q[2027]["available"] == 0


async def test_revocation_for_cause_cancels_unused_later_years(suite):
    year = today().year
    uscc = await enterprise(suite)
    cert = await certify(suite, uscc, "national_little_giant", f"{year - 1}-08-01")
    await wait_granted(suite, uscc, {year - 1: 1, year: 1, year + 1: 1})
    honest = await enterprise(suite)
    honest_cert = await certify(suite, honest, "national_little_giant", f"{year - 1}-08-01")
    await wait_granted(suite, honest, {year - 1: 1, year: 1, year + 1: 1})

    econ = suite.client("registry")
    r = await econ.post(f"/api/v1/certifications/{cert['id']}/revoke", json={"reason": "虚假申报", "for_cause": True})
    assert r.status_code == 200, r.text
    r = await econ.post(f"/api/v1/certifications/{honest_cert['id']}/revoke",
                        json={"reason": "企业主动申请注销", "for_cause": False})
    assert r.status_code == 200, r.text
    await wait_granted(suite, uscc, {year - 1: 1, year: 1})  # next year's quota is gone, this year's kept
    await suite.settled()
    assert await granted(suite, honest) == {year - 1: 1, year: 1, year + 1: 1}
    [cancel] = outbox(suite, "talent", CANCELLED, uscc)
    assert (cancel["year"], cancel["count"], cancel["cancelled"]) == (year + 1, 0, 1)
    q = await quotas(suite, uscc)
    assert q[year + 1]["basis"]["entitlements"][0]["cancel_reason"]


async def test_reading_quotas_the_four_cases(suite):
    uscc = await enterprise(suite)
    await certify(suite, uscc, "municipal_little_giant", "2025-03-01")
    await wait_granted(suite, uscc, {2025: 1})
    assert (await suite.client("talent", role=None).get("/api/v1/quotas")).status_code == 401
    auditor = suite.client("talent", role="auditor")
    for role, org in (("bank", "B1"), ("park", "P-A"), ("treasury", None), ("finance", None)):
        r = await suite.client("talent", role=role, org=org).get("/api/v1/quotas", params={"uscc": uscc})
        assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json"), role
    for role in ("talent", "econ", "auditor"):
        assert await granted_as(suite, uscc, role) == {2025: 1}, role
    r = await auditor.get("/api/v1/quotas", params={"uscc": make_uscc()})
    assert r.status_code == 200 and r.json() == {"items": [], "next_cursor": None}
    r = await auditor.get("/api/v1/quotas", params={"uscc": uscc, "year": 2026})
    assert r.json()["items"] == []
    r = await auditor.get("/api/v1/quotas", params={"uscc": uscc.lower(), "year": 2025})
    assert [(q["year"], q["granted"]) for q in r.json()["items"]] == [(2025, 1)]
    for query in ({"year": "soon"}, {"year": 1800}, {"limit": 501}, {"cursor": "%%%"}, {"cursor": "bm9waXBl"}):
        r = await auditor.get("/api/v1/quotas", params=query)
        assert r.status_code == 422 and r.json()["errors"], query


async def granted_as(suite, uscc, role):
    r = await suite.client("talent", role=role).get("/api/v1/quotas", params={"uscc": uscc})
    assert r.status_code == 200, r.text
    return {q["year"]: q["granted"] for q in r.json()["items"]}


async def test_pagination_walks_every_grant(suite):
    made = []
    for _ in range(3):
        u = make_uscc()
        await publish(suite, promotion(u, "national_little_giant", "2025-08-01"))
        made += [(u, y) for y in (2025, 2026, 2027)]
    await suite.settled()
    talent = suite.client("talent")
    seen, cursor = [], None
    while True:
        r = await talent.get("/api/v1/quotas", params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200 and len(r.json()["items"]) <= 2
        seen += [(q["uscc"], q["year"]) for q in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) and seen == sorted(seen)
    assert set(made) <= set(seen)



# -- the registry's record (issue 13) --------------------------------------------------------------
async def dead_letters(suite, event_id: str) -> list[dict]:
    r = await suite.client("talent").get("/api/v1/admin/events")
    return [d for d in r.json()["dead_letters"] if d["event_id"] == event_id]


async def test_a_title_dated_after_today_grants_nothing(suite):
    """The registry refuses such a date; should one come anyway, talent grants no quota ahead of it
    (a visible dead letter, to replay once the date has come), and a revocation dated after today
    cancels nothing."""
    uscc = make_uscc()
    later = (today() + dt.timedelta(days=44)).isoformat()
    event = promotion(uscc, "national_little_giant", later)
    await publish(suite, event)
    [letter] = await suite.wait_for(lambda: dead_letters(suite, event.id), "the promotion's dead letter", timeout=30)
    assert "after today" in letter["error"]
    assert await granted(suite, uscc) == {} and outbox(suite, "talent", GRANTED, uscc) == []

    kept, cert = make_uscc(), synthetic_cert_id()
    year = today().year
    await publish(suite, promotion(kept, "national_little_giant", f"{year - 1}-08-01", cert_id=cert))
    await wait_granted(suite, kept, {year - 1: 1, year: 1, year + 1: 1})
    revoked = revocation(kept, cert, "national_little_giant", later, recognized_on=f"{year - 1}-08-01")
    await publish(suite, revoked)
    await suite.wait_for(lambda: dead_letters(suite, revoked.id), "the revocation's dead letter", timeout=30)
    assert await granted(suite, kept) == {year - 1: 1, year: 1, year + 1: 1}
    assert outbox(suite, "talent", CANCELLED, kept) == []


async def test_a_revocation_its_record_does_not_show_acts_on_nothing(suite):
    """A revocation whose newest registry record does not hold the revoked certification is not
    acted on from the event's own fields: it fails, is retried and ends as a dead letter an operator
    sees, and no quota is cancelled."""
    uscc, cert = make_uscc(), synthetic_cert_id()
    await publish(suite, promotion(uscc, "national_little_giant", "2025-08-01", cert_id=cert, version=2))
    await wait_granted(suite, uscc, {2025: 1, 2026: 1, 2027: 1})
    r = record(uscc, 3)  # a newer record without the certification the event names
    data = CertificationRevoked(uscc=uscc, enterprise_version=3, record=r, name=r.name, certification_id=cert,
                                tier="national_little_giant", reason="虚假申报", for_cause=True,
                                revoked_on="2026-05-01")
    event = new_event("registry", data.NAME, uscc, data.model_dump(mode="json"))
    await publish(suite, event)
    [letter] = await suite.wait_for(lambda: dead_letters(suite, event.id), "the revocation's dead letter", timeout=30)
    assert f"does not hold certification {cert}" in letter["error"]
    assert await granted(suite, uscc) == {2025: 1, 2026: 1, 2027: 1}
    assert outbox(suite, "talent", CANCELLED, uscc) == []
    with suite.db("talent").reader() as s:
        assert projection.record_of(s, uscc).version == 2  # the failed event's record was not kept either


async def test_a_revocation_shown_by_any_newer_record_is_applied(suite):
    """The revocation for cause reaches talent in the record of another event (a demotion here) before
    its own event: the later years' quotas are cancelled all the same, once."""
    uscc, cert = make_uscc(), synthetic_cert_id()
    await publish(suite, promotion(uscc, "national_little_giant", "2025-08-01", cert_id=cert, version=2))
    await wait_granted(suite, uscc, {2025: 1, 2026: 1, 2027: 1})
    r = record(uscc, 3, support_cert(cert, "national_little_giant", "2025-08-01", "2026-05-01", for_cause=True))
    demotion = EnterpriseDemoted(uscc=uscc, enterprise_version=3, record=r, name=r.name,
                                 from_tier="national_little_giant", to_tier="sme", reason="revoked",
                                 certification_id=cert, on="2026-05-01")
    await publish(suite, new_event("registry", demotion.NAME, uscc, demotion.model_dump(mode="json")))
    await wait_granted(suite, uscc, {2025: 1, 2026: 1})
    await publish(suite, revocation(uscc, cert, "national_little_giant", "2026-05-01", version=4))
    await suite.settled()
    assert await granted(suite, uscc) == {2025: 1, 2026: 1}
    [cancel] = outbox(suite, "talent", CANCELLED, uscc)
    assert (cancel["year"], cancel["count"], cancel["cancelled"]) == (2027, 0, 1)
    assert (await quotas(suite, uscc))[2026]["tier_today"] == "sme"


async def test_the_newest_record_is_kept_whatever_the_order(suite):
    """tier_today is read from the newest record held: an older record arriving late changes nothing."""
    uscc, cert = make_uscc(), synthetic_cert_id()
    await publish(suite, promotion(uscc, "national_little_giant", "2025-08-01", cert_id=cert, version=5))
    await wait_granted(suite, uscc, {2025: 1, 2026: 1, 2027: 1})
    old = record(uscc, 1)
    registered = EnterpriseRegistered(uscc=uscc, enterprise_version=1, record=old, name=old.name)
    await publish(suite, new_event("registry", registered.NAME, uscc, registered.model_dump(mode="json")))
    await suite.settled()
    q = await quotas(suite, uscc)
    assert {y: x["tier_today"] for y, x in q.items()} == {y: "national_little_giant" for y in (2025, 2026, 2027)}
    with suite.db("talent").reader() as s:
        assert projection.record_of(s, uscc).version == 5


async def test_a_uscc_filter_that_is_no_uscc_is_a_bilingual_422(suite):
    """A mistyped code (a wrong check character) is refused, not answered with an empty page that
    reads as "no quotas"; the same type as every list's ?uscc= (shared.filters.UsccFilter)."""
    talent = suite.client("talent", role="talent")
    for path in ("/api/v1/quotas", "/api/v1/nominations"):
        r = await talent.get(path, params={"uscc": wrong_check(make_uscc())})
        assert r.status_code == 422, (path, r.text)
        problem = r.json()
        assert r.headers["content-type"].startswith("application/problem+json")
        assert problem["detail_zh"] and problem["detail_en"], problem
        assert problem["errors"][0]["loc"] == ["query", "uscc"] and "统一社会信用代码无效" in problem["errors"][0]["msg"]
        r = await talent.get(path, params={"uscc": make_uscc().lower()})  # a valid code still filters
        assert r.status_code == 200 and r.json()["items"] == [], (path, r.text)
