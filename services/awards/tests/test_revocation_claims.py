"""A certification revoked for cause takes back the claim awards it made eligible, and the ledger is
append-only in the database itself."""
import pytest
import sqlalchemy
from sqlalchemy import select, text

from services.awards.models import Certification, LedgerEntry
from services.awards.tests.test_claims import count, publish
from services.awards.tests.test_flow import awards_of, certify, fund, register
from shared.events import new_event
from shared.tables import Inbox
from shared.testing import make_uscc


async def claim(suite, body):
    r = await suite.client("awards").post("/api/v1/claims", json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def revoke(suite, cert_id, for_cause=True):
    r = await suite.client("registry").post(f"/api/v1/certifications/{cert_id}/revoke",
                                            json={"reason": "虚假申报", "for_cause": for_cause,
                                                  "revoked_on": "2024-09-01"})
    assert r.status_code == 200, r.text


async def state_of(suite, uscc, program):
    return [a["state"] for a in await awards_of(suite, uscc, program=program)]


async def test_claims_fall_with_the_certification_they_rested_on(suite):
    u, buyer = make_uscc(), make_uscc()
    await register(suite, u)
    await register(suite, buyer)
    cert = await certify(suite, u, "municipal_srdi", "2024-03-01")
    await suite.wait_for(lambda: count(suite, Certification, Certification.uscc == u) == 1, "the projection")
    paid = await claim(suite, {"program": "scenario", "uscc": u, "scenario_id": "S-rev", "contract_yuan": 1_000_000,
                               "signed_on": "2024-06-01", "evidence_ref": "HT-R1"})
    await claim(suite, {"program": "ecosystem", "uscc": u, "buyer_uscc": buyer, "contract_yuan": 1_000_000,
                        "signed_on": "2024-06-02", "evidence_ref": "GY-R1"})
    await fund(suite, "scenario")
    path = f"/api/v1/awards/{paid['id']}"
    assert (await suite.client("awards").post(path + "/review")).status_code == 200
    assert (await suite.client("awards", role="treasury").post(path + "/approve")).status_code == 200
    assert (await suite.client("awards", role="treasury").post(path + "/disburse",
                                                                json={"voucher": "FS-R-1"})).status_code == 200
    await revoke(suite, cert["id"])

    async def fallen():
        return (await state_of(suite, u, "scenario"), await state_of(suite, u, "ecosystem")) == (
            ["clawed_back"], ["rejected"])
    await suite.wait_for(fallen, "the claim awards taken back")
    detail = (await suite.client("awards", role="auditor").get(path)).json()
    assert detail["history"][-1]["to_state"] == "clawed_back" and "no longer eligible" in detail["history"][-1]["reason"]
    totals = (await suite.client("awards").get(f"/api/v1/enterprises/{u}/awards")).json()
    assert totals["total_yuan"] == 0
    with suite.db("awards").reader() as s:
        kinds = [e.kind for e in s.scalars(select(LedgerEntry).where(LedgerEntry.award_id == paid["id"])
                                           .order_by(LedgerEntry.id))]
    assert kinds == ["awarded", "reserved", "disbursed", "clawed_back"]
    # The revoked title makes nothing eligible any more, not even a contract signed while it stood.
    r = await suite.client("awards").post("/api/v1/claims", json={
        "program": "scenario", "uscc": u, "scenario_id": "S-rev", "contract_yuan": 1_000_000,
        "signed_on": "2024-07-01", "evidence_ref": "HT-R2"})
    assert r.status_code == 422 and r.json()["type"].endswith("/not-eligible"), r.text
    # The revocation again, as a new event (a replay of the stream): nothing more changes.
    entries = count(suite, LedgerEntry)
    again = new_event("registry", "certification.revoked.v1", u, {
        "certification_id": cert["id"], "uscc": u, "tier": "municipal_srdi", "for_cause": True,
        "reason": "虚假申报", "revoked_on": "2024-09-01"})
    await publish(suite, again)
    await suite.wait_for(lambda: count(suite, Inbox, Inbox.event_id == again.id) == 1, "the replayed revocation")
    await suite.settled()
    assert (await state_of(suite, u, "scenario"), await state_of(suite, u, "ecosystem")) == (
        ["clawed_back"], ["rejected"])
    assert count(suite, LedgerEntry) == entries


async def test_a_claim_another_certification_covers_stands(suite):
    u, other = make_uscc(), make_uscc()
    await register(suite, u)
    await register(suite, other)
    await certify(suite, u, "municipal_srdi", "2024-03-01")
    top = await certify(suite, u, "national_little_giant", "2024-05-01")
    await suite.wait_for(lambda: count(suite, Certification, Certification.uscc == u) == 2, "the projection")
    kept = await claim(suite, {"program": "scenario", "uscc": u, "scenario_id": "S-kept", "contract_yuan": 500_000,
                               "signed_on": "2024-06-01"})
    await revoke(suite, top["id"])
    await suite.wait_for(lambda: count(suite, Certification, Certification.uscc == u,
                                       Certification.revoked_for_cause.is_(True)) == 1, "the revocation")
    await suite.settled()
    assert await state_of(suite, u, "scenario") == ["computed"]  # municipal SRDI still held on 2024-06-01
    assert (await suite.client("awards").get(f"/api/v1/awards/{kept['id']}")).json()["amount_yuan"] == 100_000
    # A revocation not for cause ends the title from its date only: claims before it stand.
    v = make_uscc()
    await register(suite, v)
    plain = await certify(suite, v, "municipal_srdi", "2024-03-01")
    await suite.wait_for(lambda: count(suite, Certification, Certification.uscc == v) == 1, "the projection")
    await claim(suite, {"program": "ecosystem", "uscc": v, "buyer_uscc": other, "contract_yuan": 100_000,
                        "signed_on": "2024-06-01"})
    await revoke(suite, plain["id"], for_cause=False)
    await suite.wait_for(lambda: count(suite, Certification, Certification.uscc == v,
                                       Certification.ended_on.is_not(None)) == 1, "the revocation")
    await suite.settled()
    assert await state_of(suite, v, "ecosystem") == ["computed"]


@pytest.mark.parametrize("table", ["ledger_entry", "award_transition"])
@pytest.mark.parametrize("statement", ["UPDATE {t} SET actor = 'someone' WHERE id = :id", "DELETE FROM {t} WHERE id = :id"])
async def test_the_database_refuses_to_edit_history(suite, table, statement):
    u = make_uscc()
    await register(suite, u)
    await certify(suite, u, "municipal_srdi", "2024-03-01")
    await suite.wait_for(lambda: awards_of(suite, u), "the award")
    db = suite.db("awards")
    with db.reader() as s:
        row_id = s.scalar(text(f"SELECT max(id) FROM {table}"))
        before = s.execute(text(f"SELECT * FROM {table} WHERE id = :id"), {"id": row_id}).one()
    with pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"):
        with db.transaction() as s:
            s.execute(text(statement.format(t=table)), {"id": row_id})
    with db.reader() as s:
        assert s.execute(text(f"SELECT * FROM {table} WHERE id = :id"), {"id": row_id}).one() == before


async def test_a_rejected_listing_claim_can_be_claimed_again(suite):
    """Corrections are new entries: the wrong listing award is rejected and claimed again with the
    right municipal amount; while that one stands, a further claim is 409."""
    u = make_uscc()
    await register(suite, u)
    await certify(suite, u, "municipal_srdi", "2024-03-01")
    await suite.wait_for(lambda: count(suite, Certification, Certification.uscc == u) == 1, "the projection")
    body = {"program": "listing", "uscc": u, "board": "bse", "listed_on": "2024-06-03", "evidence_ref": "上市公告"}
    wrong = await claim(suite, {**body, "municipal_award_yuan": 3_000_000})
    dup = await suite.client("awards").post("/api/v1/claims", json={**body, "municipal_award_yuan": 1_000_000})
    assert dup.status_code == 409 and dup.json()["award_id"] == wrong["id"]
    r = await suite.client("awards").post(f"/api/v1/awards/{wrong['id']}/reject", json={"reason": "市级奖励金额有误"})
    assert r.status_code == 200
    right = await claim(suite, {**body, "municipal_award_yuan": 1_000_000})
    assert right["amount_yuan"] == 1_000_000 and right["id"] != wrong["id"]
    again = await suite.client("awards").post("/api/v1/claims", json={**body, "municipal_award_yuan": 1_000_000})
    assert again.status_code == 409 and again.json()["award_id"] == right["id"]
    totals = (await suite.client("awards").get(f"/api/v1/enterprises/{u}/awards")).json()
    assert totals["by_program"]["listing"] == 1_000_000
    with suite.db("awards").reader() as s:
        kinds = [(e.award_id, e.kind) for e in s.scalars(select(LedgerEntry).where(
            LedgerEntry.uscc == u, LedgerEntry.program == "listing").order_by(LedgerEntry.id))]
    assert kinds == [(wrong["id"], "awarded"), (wrong["id"], "reversed"), (right["id"], "awarded")]


async def test_an_unrelated_revocation_takes_back_nothing(fresh_suite):
    """The claim floor raised since, with effect from a past date, does not make a later revocation
    of an unrelated title take back claims that title never carried."""
    suite = fresh_suite
    u, buyer = make_uscc(), make_uscc()
    await register(suite, u)
    await register(suite, buyer)
    minor = await certify(suite, u, "innovative", "2023-01-01")
    await certify(suite, u, "municipal_srdi", "2024-03-01")
    await suite.wait_for(lambda: count(suite, Certification, Certification.uscc == u) == 2, "the projection")
    kept = await claim(suite, {"program": "ecosystem", "uscc": u, "buyer_uscc": buyer, "contract_yuan": 200_000,
                               "signed_on": "2024-06-01"})
    r = await suite.client("awards").put("/api/v1/policy", json={
        "key": "award.claim.min_tier", "value": "municipal_little_giant", "effective_from": "2024-01-02",
        "legal_ref": "测试：追溯提高申领门槛"})
    assert r.status_code in (200, 201), r.text
    await revoke(suite, minor["id"])
    await suite.wait_for(lambda: count(suite, Certification, Certification.uscc == u,
                                       Certification.revoked_for_cause.is_(True)) == 1, "the revocation")
    await suite.settled()
    assert await state_of(suite, u, "ecosystem") == ["computed"]
    assert (await suite.client("awards").get(f"/api/v1/awards/{kept['id']}")).json()["amount_yuan"] == 10_000
