"""A certification revoked for cause takes back the claim awards it made eligible, and the ledger is
append-only in the database itself."""
import pytest
import sqlalchemy
from sqlalchemy import select, text

from services.awards.tables import Award, LedgerEntry, Listing
from services.awards.tests.test_claims import count, signed
from services.awards.tests.test_flow import (awards_of, certify, fund, held, known, publish, publish_model, register,
                                             registry_events)
from shared.contracts.finance import EnterpriseListed
from shared.events import new_event
from shared.tables import Inbox
from shared.testing import make_uscc


async def contract(suite, kind, uscc, on, yuan, buyer=None, scenario_id=21):
    """Outreach records a contract; its award, raised by the event."""
    cid = await signed(suite, kind, uscc=uscc, buyer_uscc=buyer, on=on, contract_yuan=yuan, scenario_id=scenario_id)
    with suite.db("awards").reader() as s:
        award = s.scalars(select(Award).where(Award.contract_id == cid)).one()
    return (await suite.client("awards").get(f"/api/v1/awards/{award.id}")).json()


def revoked_for_cause(suite, uscc, n=1):
    r = held(suite, uscc)
    return r is not None and sum(1 for c in r.certifications if c.for_cause) == n


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
    await known(suite, u, 1)
    await known(suite, buyer)
    paid = await contract(suite, "scenario", u, "2024-06-01", 1_000_000)
    await contract(suite, "ecosystem", u, "2024-06-02", 1_000_000, buyer=buyer)
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
    # The revoked title makes nothing eligible any more, not even a contract signed while it stood;
    # nor can the clawed-back contract be raised again.
    later = await signed(suite, "scenario", uscc=u, on="2024-07-01", contract_yuan=1_000_000, scenario_id=21)
    r = await suite.client("awards").post("/api/v1/claims", json={"program": "scenario", "contract_id": later})
    assert r.status_code == 422 and r.json()["type"].endswith("/not-eligible"), r.text
    r = await suite.client("awards").post("/api/v1/claims", json={"program": "scenario",
                                                                   "contract_id": paid["contract_id"]})
    assert r.status_code == 422 and r.json()["type"].endswith("/not-eligible"), r.text
    # The revocation again, as a new event (a replay of the stream): nothing more changes.
    entries = count(suite, LedgerEntry)
    [original] = registry_events(suite, "srdi.registry.certification.revoked.v1", u)
    again = new_event("registry", "certification.revoked.v1", u, original.data)
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
    await known(suite, u, 2)
    await known(suite, other)
    kept = await contract(suite, "scenario", u, "2024-06-01", 500_000, scenario_id=22)
    await revoke(suite, top["id"])
    await suite.wait_for(lambda: revoked_for_cause(suite, u), "the revocation")
    await suite.settled()
    assert await state_of(suite, u, "scenario") == ["computed"]  # municipal SRDI still held on 2024-06-01
    assert (await suite.client("awards").get(f"/api/v1/awards/{kept['id']}")).json()["amount_yuan"] == 100_000
    # A revocation not for cause ends the title from its date only: claims before it stand.
    v = make_uscc()
    await register(suite, v)
    plain = await certify(suite, v, "municipal_srdi", "2024-03-01")
    await known(suite, v, 1)
    await contract(suite, "ecosystem", v, "2024-06-01", 100_000, buyer=other)
    await revoke(suite, plain["id"], for_cause=False)
    await suite.wait_for(lambda: held(suite, v).certifications[0].revoked_on is not None, "the revocation")
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
    await known(suite, u, 1)
    await publish_model(suite, u, EnterpriseListed(uscc=u, board="bse", listed_on="2024-06-03"))
    await suite.wait_for(lambda: count(suite, Listing, Listing.uscc == u) == 1, "the listing record")
    body = {"program": "listing", "uscc": u, "municipal_award_ref": "京经信发〔2024〕9号"}

    async def claim(yuan):
        r = await suite.client("awards").post("/api/v1/claims", json={**body, "municipal_award_yuan": yuan})
        assert r.status_code == 201, r.text
        return r.json()
    wrong = await claim(3_000_000)
    dup = await suite.client("awards").post("/api/v1/claims", json={**body, "municipal_award_yuan": 1_000_000})
    assert dup.status_code == 409 and dup.json()["award_id"] == wrong["id"]
    r = await suite.client("awards").post(f"/api/v1/awards/{wrong['id']}/reject", json={"reason": "市级奖励金额有误"})
    assert r.status_code == 200
    right = await claim(1_000_000)
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
    await known(suite, u, 2)
    await known(suite, buyer)
    kept = await contract(suite, "ecosystem", u, "2024-06-01", 200_000, buyer=buyer)
    r = await suite.client("awards").put("/api/v1/policy", json={
        "key": "award.claim.min_tier", "value": "municipal_little_giant", "effective_from": "2024-01-02",
        "legal_ref": "测试：追溯提高申领门槛"})
    assert r.status_code in (200, 201), r.text
    await revoke(suite, minor["id"])
    await suite.wait_for(lambda: revoked_for_cause(suite, u), "the revocation")
    await suite.settled()
    assert await state_of(suite, u, "ecosystem") == ["computed"]
    assert (await suite.client("awards").get(f"/api/v1/awards/{kept['id']}")).json()["amount_yuan"] == 10_000


@pytest.mark.parametrize("statement, match", [
    ("UPDATE award SET amount_yuan = amount_yuan + 1 WHERE id = :id", "immutable"),
    ("UPDATE award SET payee = 'someone else' WHERE id = :id", "immutable"),
    ("UPDATE award SET basis = '{}' WHERE id = :id", "immutable"),
    ("UPDATE award SET state = 'disbursed' WHERE id = :id", "recorded transition"),
    ("UPDATE award SET state = 'approved', budget_year = 2026 WHERE id = :id", "recorded transition"),
    ("UPDATE award SET budget_year = 2020 WHERE id = :id", "budget year"),
    ("DELETE FROM award WHERE id = :id", "never deleted"),
    ("INSERT INTO award (award_key, program, payee, payee_type, amount_yuan, state, basis, decided_on, "
     "source_event_id, created_at) SELECT award_key || '-forged', program, payee, payee_type, amount_yuan, "
     "'approved', basis, decided_on, source_event_id, created_at FROM award WHERE id = :id", "created computed"),
])
async def test_the_database_refuses_to_change_an_award_but_by_a_transition(suite, statement, match):
    """Award rows change only through recorded transitions, as the ledger does: no code path (nor a
    hand-typed statement) edits an award's amount or facts, or moves its state without its row."""
    u = make_uscc()
    await register(suite, u)
    await certify(suite, u, "municipal_srdi", "2024-03-01")
    [award] = await suite.wait_for(lambda: awards_of(suite, u), "the award")
    db = suite.db("awards")
    with db.reader() as s:
        before = s.execute(text("SELECT * FROM award WHERE id = :id"), {"id": award["id"]}).one()
        rows = s.scalar(text("SELECT count(*) FROM award"))
    with pytest.raises(sqlalchemy.exc.DatabaseError, match=match):
        with db.transaction() as s:
            s.execute(text(statement), {"id": award["id"]})
    with db.reader() as s:
        assert s.execute(text("SELECT * FROM award WHERE id = :id"), {"id": award["id"]}).one() == before
        assert s.scalar(text("SELECT count(*) FROM award")) == rows
    # The workflow itself moves it, through its transition.
    r = await suite.client("awards").post(f"/api/v1/awards/{award['id']}/review")
    assert r.status_code == 200 and r.json()["state"] == "reviewed"
