"""Voiding a certification entered by mistake (作废, issue 18): unlike a revocation it bans nothing
and it never counted — not in the tier, the statistics, the sweep, nor a later first-time check."""
import datetime as dt

from services.registry.certifications import rules
from services.registry.tables import Certification
from services.registry.tests.enterprises.helpers import audited, certify, published, register
from shared.clock import today
from shared.testing import make_uscc

D = dt.date


def test_a_voided_certification_never_counts_in_the_rules():
    srdi = rules.Cert(1, "municipal_srdi", D(2024, 3, 1), D(2027, 2, 28), state="voided")
    innovative = rules.Cert(2, "innovative", D(2023, 6, 15), D(2026, 6, 14))
    assert rules.tier_on([srdi, innovative], D(2025, 1, 1)) == "innovative"
    assert rules.state_on(srdi, D(2025, 1, 1)) == "voided" and rules.state_on(srdi, D(2020, 1, 1)) == "voided"
    assert rules.first_time_at([srdi, innovative], "municipal_srdi")  # never held
    assert not rules.first_time_at([innovative], "innovative")
    assert rules.change_on_add([srdi, innovative], rules.Cert(0, "municipal_srdi", D(2024, 3, 1), D(2027, 2, 28)))


async def tier_counts(econ, on: str) -> dict:
    return (await econ.get(f"/api/v1/stats/tiers?on={on}")).json()


async def test_void_falls_back_leaves_the_counts_and_bans_nothing(suite):
    econ, uscc = suite.client("registry"), make_uscc()
    await register(suite, uscc)
    await certify(suite, uscc, "innovative", "2023-06-15")
    srdi = await certify(suite, uscc, "municipal_srdi", "2024-03-01")
    before = await tier_counts(econ, "2025-01-01")
    stock = (await econ.get("/api/v1/stats/new?year=2024&to=2024-12-31")).json()["tiers"]["municipal_srdi"]

    r = await econ.post(f"/api/v1/certifications/{srdi['id']}/void", json={"reason": "误将培育库企业录为北京市专精特新"})
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["voided_on"], r.json()["void_reason"]) == (
        "voided", today().isoformat(), "误将培育库企业录为北京市专精特新")
    got = (await econ.get(f"/api/v1/enterprises/{uscc}", params={"on": "2025-01-01"})).json()
    assert got["current_tier"] == "innovative"
    assert {c["id"]: c["state_on"] for c in got["certifications"]}[srdi["id"]] == "voided"
    [event] = published(suite, "certification.voided.v1", uscc)
    assert (event["certification_id"], event["tier"], event["recognized_on"], event["reason"]) == (
        srdi["id"], "municipal_srdi", "2024-03-01", "误将培育库企业录为北京市专精特新")
    assert {c["id"]: c["state"] for c in event["record"]["certifications"]}[srdi["id"]] == "voided"
    assert event["enterprise_version"] == 4
    [row] = audited(suite, "certification.void", str(srdi["id"]))
    assert row.before["state"] == "active" and row.after["state"] == "voided"

    after = await tier_counts(econ, "2025-01-01")
    assert after["counts"]["municipal_srdi"] == before["counts"]["municipal_srdi"] - 1
    assert after["counts"]["innovative"] == before["counts"]["innovative"] + 1
    assert after["holders"]["municipal_srdi"] == before["holders"]["municipal_srdi"] - 1
    now = (await econ.get("/api/v1/stats/new?year=2024&to=2024-12-31")).json()["tiers"]["municipal_srdi"]
    assert (now["stock"], now["new"]) == (stock["stock"] - 1, stock["new"] - 1)

    again = await econ.post(f"/api/v1/certifications/{srdi['id']}/void", json={"reason": "再次作废"})
    assert again.status_code == 409 and again.json()["type"].endswith("/already-voided")
    revoke = await econ.post(f"/api/v1/certifications/{srdi['id']}/revoke", json={"reason": "撤销", "for_cause": True})
    assert revoke.status_code == 409 and revoke.json()["type"].endswith("/certification-voided")
    assert len(published(suite, "certification.voided.v1", uscc)) == 1

    # Entered again correctly — the same tier and date: a first time at the tier, a promotion.
    r = await econ.post(f"/api/v1/enterprises/{uscc}/certifications",
                        json={"tier": "municipal_srdi", "recognized_on": "2024-03-01", "batch": "2024年第一批"})
    assert r.status_code == 201, r.text
    promoted = published(suite, "enterprise.promoted.v1", uscc)[-1]
    assert promoted["certification_id"] == r.json()["id"] and promoted["first_time_at_tier"] is True
    assert (await econ.get(f"/api/v1/enterprises/{uscc}", params={"on": "2025-01-01"})).json()["current_tier"] == \
        "municipal_srdi"
    dup = await econ.post(f"/api/v1/enterprises/{uscc}/certifications",
                          json={"tier": "municipal_srdi", "recognized_on": "2024-03-01"})
    assert dup.status_code == 409 and dup.json()["existing"]["id"] == r.json()["id"]  # the live one
    await suite.settled()


async def test_a_voided_revocation_for_cause_bans_nothing(suite):
    econ, uscc = suite.client("registry"), make_uscc()
    await register(suite, uscc)
    cert = await certify(suite, uscc, "municipal_srdi", "2023-03-01")
    r = await econ.post(f"/api/v1/certifications/{cert['id']}/revoke",
                        json={"reason": "虚假申报", "for_cause": True, "revoked_on": "2024-05-10"})
    assert r.status_code == 200
    banned = await econ.post(f"/api/v1/enterprises/{uscc}/certifications",
                             json={"tier": "innovative", "recognized_on": "2025-01-10"})
    assert banned.status_code == 409 and banned.json()["type"].endswith("/reapplication-banned")
    r = await econ.post(f"/api/v1/certifications/{cert['id']}/void", json={"reason": "录错了企业"})
    assert r.status_code == 200 and r.json()["state"] == "voided"
    r = await econ.post(f"/api/v1/enterprises/{uscc}/certifications",
                        json={"tier": "innovative", "recognized_on": "2025-01-10"})
    assert r.status_code == 201, r.text
    await suite.settled()


async def test_the_sweep_leaves_a_voided_certification_voided(suite):
    econ, uscc = suite.client("registry"), make_uscc()
    await register(suite, uscc)
    old = await certify(suite, uscc, "innovative", "2020-01-10")  # lapsed 2023-01-09, not yet swept
    assert old["state"] == "active"
    assert (await econ.post(f"/api/v1/certifications/{old['id']}/void", json={"reason": "年份录错"})).status_code == 200
    assert (await econ.post("/api/v1/admin/expire")).status_code == 200
    with suite.db("registry").reader() as s:
        assert s.get(Certification, old["id"]).state == "voided"
    assert audited(suite, "certification.expire", str(old["id"])) == []
    await suite.settled()


async def test_a_void_needs_a_reason(suite):
    econ, uscc = suite.client("registry"), make_uscc()
    await register(suite, uscc)
    cert = await certify(suite, uscc, "innovative", "2024-05-01")
    for body in ({}, {"reason": "错"}, {"reason": "错" * 501}, {"reason": "录错", "voided_on": "2025-01-01"}):
        r = await econ.post(f"/api/v1/certifications/{cert['id']}/void", json=body)
        assert r.status_code == 422, (body, r.text)
    assert (await econ.post("/api/v1/certifications/2147483000/void", json={"reason": "不存在"})).status_code == 404
    with suite.db("registry").reader() as s:
        assert s.get(Certification, cert["id"]).state == "active"
    assert published(suite, "certification.voided.v1", uscc) == []
