"""Claim awards only against facts their owners recorded: outreach's contracts (scenario, ecosystem)
and the finance office's listings; and policy as data, through the API."""
import datetime as dt
import itertools

import pytest
from sqlalchemy import func, select

from services.awards.tables import Award, Contract, LedgerEntry, Listing
from services.awards.tests.test_flow import certify, known, publish, publish_model, register
from shared import clock
from shared.contracts.finance import EnterpriseListed
from shared.contracts.outreach import ContractSigned
from shared.events import new_event
from shared.tables import AuditLog, PolicyParameter
from shared.testing import make_uscc

SRDI, PLAIN, BUYER = make_uscc(), make_uscc(), make_uscc()
OUTSIDER = make_uscc()  # never registered
contract_ids = itertools.count(1000)


def count(suite, model, *where):
    with suite.db("awards").reader() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def refusals(suite, contract_id):
    with suite.db("awards").reader() as s:
        return [a.after for a in s.scalars(select(AuditLog).where(AuditLog.action == "award.claim_refused",
                                                                  AuditLog.object_id == str(contract_id)))]


@pytest.fixture(scope="module")
async def district(suite):
    """SRDI holds municipal_srdi from 2024-03-01 (to 2027-02-28); PLAIN and BUYER are registered only."""
    for u in (SRDI, PLAIN, BUYER):
        await register(suite, u)
    await certify(suite, SRDI, "municipal_srdi", "2024-03-01")
    await known(suite, SRDI, 1)
    for u in (PLAIN, BUYER):
        await known(suite, u)
    return suite


def claims(suite, role="econ", **kw):
    return suite.client("awards", role=role, **kw)


async def post(suite, body, role="econ", **kw):
    return await claims(suite, role, **kw).post("/api/v1/claims", json=body)


def field_errors(r):
    """A problem's field-level list as (loc, type) pairs."""
    return [(e["loc"], e["type"]) for e in r.json().get("errors", [])]


async def signed(suite, kind="scenario", uscc=SRDI, contract_yuan=1_000_000, on="2024-06-01", scenario_id=7,
                 proposal_id=70, buyer_uscc=None, contract_id=None):
    """Outreach records a contract (a phase of a scenario with its chosen proposal, or an ecosystem deal)."""
    cid = contract_id or next(contract_ids)
    await publish_model(suite, uscc, ContractSigned(
        contract_id=cid, kind=kind, uscc=uscc, buyer_uscc=buyer_uscc,
        scenario_id=scenario_id if kind == "scenario" else None,
        proposal_id=proposal_id if kind == "scenario" else None, contract_yuan=contract_yuan, signed_on=on,
        evidence=f"合同 HT-{cid}"))
    await suite.wait_for(lambda: count(suite, Contract, Contract.contract_id == cid) == 1, "the contract recorded")
    await suite.settled()
    return cid


async def award_of(suite, contract_id):
    with suite.db("awards").reader() as s:
        return [(a.id, a.program, a.amount_yuan, a.state) for a in
                s.scalars(select(Award).where(Award.contract_id == contract_id).order_by(Award.id))]


async def test_scenario_phases_share_the_yearly_cap(district):
    """Several contracts (phases) of one scenario: the cap per enterprise, scenario and year counts
    them all; the phase that crosses it gets the remainder; the next gets nothing."""
    suite = district
    first = await signed(suite, contract_yuan=10_000_001, on="2024-06-01")
    [(award_id, program, amount, state)] = await award_of(suite, first)
    assert (program, amount, state) == ("scenario", 2_000_000, "computed")  # 20 % rounded down
    doc = (await claims(suite).get(f"/api/v1/awards/{award_id}")).json()
    inputs = doc["basis"]["inputs"]
    assert (inputs["contract_id"], inputs["scenario_id"], inputs["proposal_id"]) == (first, 7, 70)
    assert inputs["evidence_ref"] == f"outreach:{first}" and inputs["tier_on_date"] == "municipal_srdi"
    assert {p["key"] for p in doc["basis"]["parameters"]} >= {"award.scenario.rate_bp", "award.scenario.cap_yuan"}
    crossing = await signed(suite, contract_yuan=20_000_000, on="2024-09-01")
    [(_, _, amount, _)] = await award_of(suite, crossing)
    assert amount == 3_000_000  # the remainder of 5,000,000
    before = count(suite, Award)
    full = await signed(suite, contract_yuan=1_000_000, on="2024-12-31")
    assert await award_of(suite, full) == [] and count(suite, Award) == before
    assert [r["code"] for r in refusals(suite, full)] == ["cap-reached"]
    again = await post(suite, {"program": "scenario", "contract_id": full})  # re-raising does not lift the cap
    assert again.status_code == 409 and again.json()["type"].endswith("/cap-reached") and "上限" in again.json()["detail_zh"]
    # Another scenario, or the next calendar year, starts again from zero.
    other = await signed(suite, contract_yuan=1_000_000, on="2024-12-31", scenario_id=8, proposal_id=80)
    next_year = await signed(suite, contract_yuan=1_000_000, on="2025-01-01")
    assert [a[2] for a in await award_of(suite, other) + await award_of(suite, next_year)] == [200_000, 200_000]


async def test_one_contract_one_award_whichever_path(district):
    suite = district
    cid = await signed(suite, "ecosystem", contract_yuan=1_234_567, on="2024-05-01", buyer_uscc=BUYER)
    [(award_id, program, amount, _)] = await award_of(suite, cid)
    assert (program, amount) == ("ecosystem", 61_728)  # 5 %, rounded down
    # The same fact again, as a new event (a replay), and claimed directly: nothing more is paid.
    await publish(suite, new_event("outreach", "contract.signed.v1", SRDI, {
        "contract_id": cid, "kind": "ecosystem", "uscc": SRDI, "buyer_uscc": BUYER, "contract_yuan": 1_234_567,
        "signed_on": "2024-05-01", "evidence": f"合同 HT-{cid}"}))
    await suite.settled()
    r = await post(suite, {"program": "ecosystem", "contract_id": cid})
    assert r.status_code == 409 and r.json()["type"].endswith("/claim-exists") and r.json()["award_id"] == award_id
    assert await award_of(suite, cid) == [(award_id, "ecosystem", 61_728, "computed")]
    assert count(suite, LedgerEntry, LedgerEntry.award_id == award_id) == 1


@pytest.mark.parametrize("body", [
    # The contract typed in, with or without evidence: refused (API.md's bodies are exactly these).
    {"program": "ecosystem", "uscc": SRDI, "buyer_uscc": BUYER, "contract_yuan": 1_234_567, "signed_on": "2024-05-01"},
    {"program": "ecosystem", "uscc": SRDI, "buyer_uscc": BUYER, "contract_yuan": 1_234_567, "signed_on": "2024-05-01",
     "evidence_ref": "GY-1"},
    {"program": "scenario", "uscc": SRDI, "scenario_id": 7, "contract_yuan": 1_000_000, "signed_on": "2024-06-01"},
    {"program": "scenario", "contract_id": 1000, "contract_yuan": 9_999_999},
    {"program": "scenario", "contract_id": 1000, "uscc": PLAIN},
    {"program": "listing", "uscc": SRDI, "board": "star", "listed_on": "2024-06-01", "municipal_award_yuan": 1,
     "municipal_award_ref": "京经信发〔2024〕1号"},
    {"program": "listing", "uscc": SRDI, "municipal_award_yuan": 1_000_000, "evidence_ref": "上市公告"},
    {"program": "listing", "uscc": SRDI, "municipal_award_yuan": 1_000_000},  # no document reference
    {"program": "scenario", "contract_id": "abc"}, {"program": "scenario", "contract_id": 0},
    {"program": "scenario", "contract_id": 2**31}, {"program": "scenario", "contract_id": True},
    {"program": "lottery", "contract_id": 1}, {"program": "scenario"},
    {"program": "listing", "uscc": "91110111MA0000000X", "municipal_award_yuan": 1, "municipal_award_ref": "x"},
])
async def test_typed_in_facts_are_refused(district, body):
    before = count(district, Award), count(district, LedgerEntry)
    r = await post(district, body)
    assert r.status_code == 422, r.text
    assert r.json()["type"].endswith("/validation") and r.json()["detail_zh"] and r.json()["detail_en"]
    assert (count(district, Award), count(district, LedgerEntry)) == before


async def test_unrecorded_contract_pays_nothing(district):
    before = count(district, Award)
    r = await post(district, {"program": "scenario", "contract_id": 987_654})
    assert r.status_code == 422 and r.json()["type"].endswith("/contract-unknown") and r.json()["detail_zh"]
    assert field_errors(r) == [(["body", "contract_id"], "contract-unknown")]  # API.md: a 422 has `errors`
    cid = await signed(district, "ecosystem", buyer_uscc=BUYER, contract_yuan=100_000, on="2024-06-03")
    mismatch = await post(district, {"program": "scenario", "contract_id": cid})
    assert mismatch.status_code == 422 and mismatch.json()["type"].endswith("/program-mismatch")
    assert field_errors(mismatch) == [(["body", "program"], "program-mismatch")]
    assert count(district, Award) == before + 1  # the ecosystem contract's own award only


async def test_scenario_award_only_for_the_chosen_proposal(district):
    suite = district
    before = count(suite, Award)
    cid = await signed(suite, proposal_id=None, contract_yuan=25_000_000, on="2024-07-01", scenario_id=9)
    assert await award_of(suite, cid) == [] and count(suite, Award) == before
    assert [r["code"] for r in refusals(suite, cid)] == ["not-chosen"]
    r = await post(suite, {"program": "scenario", "contract_id": cid})
    assert r.status_code == 422 and r.json()["type"].endswith("/not-chosen")
    assert count(suite, Award) == before


@pytest.mark.parametrize("kind, uscc, buyer, on, code", [
    ("scenario", PLAIN, None, "2024-06-01", "not-eligible"),       # registered, never SRDI
    ("scenario", SRDI, None, "2024-02-29", "not-eligible"),        # the day before recognition
    ("scenario", OUTSIDER, None, "2024-06-01", "not-in-registry"),
    ("ecosystem", SRDI, OUTSIDER, "2024-06-01", "buyer-not-in-district"),
    ("ecosystem", SRDI, SRDI, "2024-06-01", "same-party"),
    ("ecosystem", SRDI, None, "2024-06-01", "buyer-not-in-district"),
])
async def test_ineligible_contracts_pay_nothing(district, kind, uscc, buyer, on, code):
    before = count(district, Award), count(district, LedgerEntry)
    cid = await signed(district, kind, uscc=uscc, buyer_uscc=buyer, on=on, scenario_id=11)
    assert [r["code"] for r in refusals(district, cid)] == [code]
    r = await post(district, {"program": kind, "contract_id": cid})
    assert r.status_code == 422 and r.json()["type"].endswith("/" + code), r.text
    assert field_errors(r) == [(["body", "contract_id"], code)]
    assert (count(district, Award), count(district, LedgerEntry)) == before


async def test_a_contract_dated_after_today_pays_nothing(district):
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    before = count(district, Award)
    cid = await signed(district, on=tomorrow, scenario_id=12)
    assert [r["code"] for r in refusals(district, cid)] == ["future-date"]
    r = await post(district, {"program": "scenario", "contract_id": cid})
    assert r.status_code == 422 and r.json()["type"].endswith("/future-date")
    assert count(district, Award) == before


async def test_a_contract_ineligible_then_is_raised_once_corrected(district):
    """The contract came before the registry knew the title (recorded late, back-dated): the event paid
    nothing; once the record shows the title on the signing date, a claim re-raises it, once."""
    suite = district
    late = make_uscc()
    await register(suite, late)
    await known(suite, late)
    cid = await signed(suite, uscc=late, contract_yuan=500_000, on="2024-08-01", scenario_id=13, proposal_id=130)
    assert [r["code"] for r in refusals(suite, cid)] == ["not-eligible"]
    await certify(suite, late, "municipal_srdi", "2024-01-15")
    await known(suite, late, 1)
    r = await post(suite, {"program": "scenario", "contract_id": cid})
    assert r.status_code == 201, r.text
    assert r.json()["amount_yuan"] == 100_000 and r.json()["history"][0]["actor"].startswith("econ:")
    again = await post(suite, {"program": "scenario", "contract_id": cid})
    assert again.status_code == 409 and again.json()["award_id"] == r.json()["id"]
    assert len(await award_of(suite, cid)) == 1


# -- listings: only the finance office's record ------------------------------------------------------
def listing(uscc, yuan=3_000_000, ref="京经信发〔2024〕88号"):
    return {"program": "listing", "uscc": uscc, "municipal_award_yuan": yuan, "municipal_award_ref": ref}


async def test_listing_only_for_a_listing_the_finance_office_recorded(district):
    suite = district
    before = count(suite, Award), count(suite, LedgerEntry)
    r = await post(suite, listing(SRDI))
    assert r.status_code == 422 and r.json()["type"].endswith("/listing-unknown") and r.json()["detail_zh"]
    assert field_errors(r) == [(["body", "uscc"], "listing-unknown")]
    assert (count(suite, Award), count(suite, LedgerEntry)) == before
    await publish_model(suite, SRDI, EnterpriseListed(uscc=SRDI, board="star", listed_on="2024-11-08"))
    await suite.wait_for(lambda: count(suite, Listing, Listing.uscc == SRDI) == 1, "the listing record")
    r = await post(suite, listing(SRDI))
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["amount_yuan"] == 3_000_000 and doc["decided_on"] == "2024-11-08"
    inputs = doc["basis"]["inputs"]
    assert (inputs["board"], inputs["listed_on"], inputs["listing_source"]) == ("star", "2024-11-08", "finance_office")
    assert inputs["municipal_award_ref"] == "京经信发〔2024〕88号" and inputs["municipal_award_yuan"] == 3_000_000
    dup = await post(suite, listing(SRDI, 1))
    assert dup.status_code == 409 and dup.json()["award_id"] == doc["id"]
    # A listing recorded for an enterprise that was not SRDI on its date: refused, nothing paid.
    await publish_model(suite, PLAIN, EnterpriseListed(uscc=PLAIN, board="bse", listed_on="2024-06-03"))
    await suite.wait_for(lambda: count(suite, Listing, Listing.uscc == PLAIN) == 1, "the listing record")
    n = count(suite, Award)
    r = await post(suite, listing(PLAIN))
    assert r.status_code == 422 and r.json()["type"].endswith("/not-eligible")
    assert field_errors(r) == [(["body", "uscc"], "not-eligible")]
    assert "的层级为中小企业，低于申领所需的北京市专精特新中小企业" in r.json()["detail_zh"]  # words, no code beside them
    outsider = await post(suite, listing(OUTSIDER))
    assert outsider.json()["type"].endswith("/not-in-registry")
    assert field_errors(outsider) == [(["body", "uscc"], "not-in-registry")]
    assert count(suite, Award) == n


async def test_a_listing_dated_after_today_pays_nothing(district):
    u = make_uscc()
    await register(district, u)
    await certify(district, u, "national_little_giant", "2024-01-15")
    await known(district, u, 1)
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    await publish_model(district, u, EnterpriseListed(uscc=u, board="main", listed_on=tomorrow))
    await district.wait_for(lambda: count(district, Listing, Listing.uscc == u) == 1, "the listing record")
    r = await post(district, listing(u))
    assert r.status_code == 422 and r.json()["type"].endswith("/future-date")
    assert count(district, Award, Award.uscc == u, Award.program == "listing") == 0


async def test_claim_roles(district):
    body = {"program": "scenario", "contract_id": 555_555}
    assert (await post(district, body, role=None)).status_code == 401
    for role, org in (("treasury", None), ("auditor", None), ("bank", "B1"), ("park", "P1")):
        assert (await post(district, body, role=role, org=org)).status_code == 403
    assert (await post(district, body)).json()["type"].endswith("/contract-unknown")  # econ may claim


# -- policy as data -------------------------------------------------------------------------------
async def test_policy_in_force_with_legal_reference(district):
    r = await claims(district, "auditor").get("/api/v1/policy", params={"on": "2023-01-01"})
    assert r.status_code == 200
    by_key = {p["key"]: p for p in r.json()["parameters"]}
    assert by_key["award.scenario.rate_bp"]["value"] == 2000
    assert by_key["award.tier.municipal_srdi"]["value"] == 300_000
    assert "三.5" in by_key["award.scenario.cap_yuan"]["legal_ref"] and by_key["award.scenario.cap_yuan"]["set_by"]
    assert by_key["award.tier.pay_first_renewal"]["value"] is False
    assert by_key["award.relocation.before_title"]["value"] is True
    assert "三.2" in by_key["award.relocation.before_title"]["legal_ref"]
    assert (await claims(district, None).get("/api/v1/policy")).status_code == 401
    assert (await claims(district).get("/api/v1/policy", params={"on": "2024-13-01"})).status_code == 422
    # Policy is public to every signed-in caller (as shared.policy decides for every service).
    assert (await claims(district, "bank", org="B1").get("/api/v1/policy")).status_code == 200


async def test_policy_change_mid_year_applies_from_its_date(district):
    suite = district
    new = {"key": "award.ecosystem.rate_bp", "value": 300, "effective_from": "2026-07-01",
           "legal_ref": "区经信局 2026 年第 3 号通知（测试）"}
    assert (await claims(suite, "treasury").put("/api/v1/policy", json=new)).status_code == 403
    assert (await claims(suite, None).put("/api/v1/policy", json=new)).status_code == 401
    r = await claims(suite).put("/api/v1/policy", json=new)
    assert r.status_code == 201 and r.json()["set_by"].startswith("econ:")
    assert (await claims(suite).put("/api/v1/policy", json=new)).status_code == 409  # history is never edited
    rows = count(suite, PolicyParameter)
    for bad, status in (({**new, "effective_from": "2026-08-01", "value": 2.5}, 422),
                        ({**new, "effective_from": "2026-08-01", "value": "five"}, 422),
                        ({**new, "key": "award.lottery.amount"}, 404), ({**new, "key": "talent.quota"}, 404),
                        ({**new, "key": "award.tier.municipal_srdi", "value": -1}, 422),
                        ({**new, "key": "award.tier.pay_first_renewal", "value": 1}, 422),
                        ({**new, "key": "award.relocation.before_title", "value": "yes"}, 422),
                        ({**new, "effective_from": "2026-08-01", "value": 200_000}, 422),  # > 100 % in basis points
                        ({**new, "key": "award.claim.min_tier", "value": "emperor"}, 422)):
        refused = await claims(suite).put("/api/v1/policy", json=bad)
        assert refused.status_code == status, bad
        if status == 422:  # the kind check and awards' range check (policy_validator) alike
            assert refused.json()["errors"][0]["loc"] == ["body", "value"], refused.text
    assert count(suite, PolicyParameter) == rows
    before = {p["key"]: p["value"] for p in
              (await claims(suite).get("/api/v1/policy", params={"on": "2026-06-30"})).json()["parameters"]}
    after = {p["key"]: p["value"] for p in
             (await claims(suite).get("/api/v1/policy", params={"on": "2026-07-01"})).json()["parameters"]}
    assert before["award.ecosystem.rate_bp"] == 500 and after["award.ecosystem.rate_bp"] == 300
    history = (await claims(suite, "auditor").get("/api/v1/policy/history",
                                                  params={"key": "award.ecosystem.rate_bp"})).json()["items"]
    assert [(h["value"], h["effective_from"]) for h in history] == [(500, "2022-01-01"), (300, "2026-07-01")]
    june = await signed(suite, "ecosystem", buyer_uscc=BUYER, on="2026-06-30")
    july = await signed(suite, "ecosystem", buyer_uscc=BUYER, on="2026-07-01")
    assert [a[2] for a in await award_of(suite, june) + await award_of(suite, july)] == [50_000, 30_000]
    [(july_id, *_)] = await award_of(suite, july)
    doc = (await claims(suite).get(f"/api/v1/awards/{july_id}")).json()
    assert [p["id"] for p in doc["basis"]["parameters"] if p["key"] == "award.ecosystem.rate_bp"] == [r.json()["id"]]
