"""Claims (listing, scenario, ecosystem) and policy as data, through the API."""
import orjson
import pytest
from sqlalchemy import func, select

from services.awards.models import Award, Certification, Enterprise, Listing
from services.awards.tests.test_flow import certify, register
from shared.events import new_event
from shared.tables import PolicyParameter
from shared.testing import make_uscc

SRDI, PLAIN, BUYER = make_uscc(), make_uscc(), make_uscc()
OUTSIDER = make_uscc()  # never registered


def count(suite, model, *where):
    with suite.db("awards").reader() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


async def publish(suite, event):
    js = suite.apps["awards"].state.bus.js
    await js.publish(event.nats_subject, orjson.dumps(event.envelope()), headers={"Nats-Msg-Id": event.id})


@pytest.fixture(scope="module")
async def district(suite):
    """SRDI holds municipal_srdi from 2024-03-01 (to 2027-02-28); PLAIN and BUYER are registered only."""
    for u in (SRDI, PLAIN, BUYER):
        await register(suite, u)
    await certify(suite, SRDI, "municipal_srdi", "2024-03-01")
    await suite.wait_for(lambda: count(suite, Certification, Certification.uscc == SRDI) == 1, "the projection")
    await suite.wait_for(lambda: count(suite, Enterprise, Enterprise.uscc.in_([PLAIN, BUYER])) == 2, "registrations")
    return suite


def claims(suite, role="econ", **kw):
    return suite.client("awards", role=role, **kw)


async def post(suite, body, role="econ", **kw):
    return await claims(suite, role, **kw).post("/api/v1/claims", json=body)


def scenario(contract, on="2024-06-01", sid="S-智慧矿山", uscc=SRDI, **kw):
    return {"program": "scenario", "uscc": uscc, "scenario_id": sid, "contract_yuan": contract, "signed_on": on, **kw}


async def test_scenario_cap_crossed_mid_claim_then_nothing(district):
    suite = district
    r = await post(suite, scenario(10_000_001, evidence_ref="HT-2024-001"))
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["amount_yuan"] == 2_000_000  # 20 % rounded down to whole 元
    assert first["basis"]["inputs"]["evidence_ref"] == "HT-2024-001"
    assert first["basis"]["inputs"]["tier_on_date"] == "municipal_srdi"
    assert {p["key"] for p in first["basis"]["parameters"]} >= {"award.scenario.rate_bp", "award.scenario.cap_yuan"}
    assert first["history"][0]["actor"].startswith("econ:")
    crossing = await post(suite, scenario(20_000_000, on="2024-09-01"))
    assert crossing.status_code == 201 and crossing.json()["amount_yuan"] == 3_000_000  # the remainder of 5,000,000
    assert crossing.json()["basis"]["capped"] is True
    before = count(suite, Award)
    full = await post(suite, scenario(1_000_000, on="2024-12-31"))
    assert full.status_code == 409 and full.json()["type"].endswith("/cap-reached")
    assert "上限" in full.json()["detail_zh"]
    assert count(suite, Award) == before
    # Another scenario, or the next calendar year, starts again from zero.
    assert (await post(suite, scenario(1_000_000, on="2024-12-31", sid="S-2"))).json()["amount_yuan"] == 200_000
    assert (await post(suite, scenario(1_000_000, on="2025-01-01"))).json()["amount_yuan"] == 200_000


async def test_duplicate_claim_says_exists(district):
    body = scenario(333, on="2024-07-01", sid="S-dup", evidence_ref="HT-9")
    r = await post(district, body)
    assert r.status_code == 201 and r.json()["amount_yuan"] == 66
    again = await post(district, body)
    assert again.status_code == 409 and again.json()["award_id"] == r.json()["id"]


@pytest.mark.parametrize("body, status, code", [
    (scenario(1_000_000, uscc=PLAIN), 422, "not-eligible"),                   # registered, never SRDI
    (scenario(1_000_000, on="2024-02-29"), 422, "not-eligible"),              # the day before recognition
    (scenario(1_000_000, on="2027-03-01"), 422, "not-eligible"),              # after the title expired
    (scenario(1_000_000, uscc=OUTSIDER), 422, "not-in-registry"),
    ({"program": "ecosystem", "uscc": SRDI, "buyer_uscc": OUTSIDER, "contract_yuan": 100, "signed_on": "2024-06-01"},
     422, "buyer-not-in-district"),
    ({"program": "ecosystem", "uscc": SRDI, "buyer_uscc": SRDI, "contract_yuan": 100, "signed_on": "2024-06-01"},
     422, "invalid-field"),
    ({"program": "listing", "uscc": SRDI, "board": "nasdaq-pink", "listed_on": "2024-06-01",
      "municipal_award_yuan": 1}, 422, "board-not-eligible"),
    ({"program": "listing", "uscc": PLAIN, "municipal_award_yuan": 1_000_000}, 422, "listing-unknown"),
    ({"program": "scenario", "uscc": SRDI, "scenario_id": "S", "contract_yuan": -1, "signed_on": "2024-06-01"},
     422, "validation"),
    ({"program": "lottery", "uscc": SRDI}, 422, "validation"),
    ({**scenario(100), "extra": 1}, 422, "validation"),
    (scenario(100, uscc="91110111MA0000000X"), 422, "validation"),               # bad check digit
])
async def test_refused_claims_change_nothing(district, body, status, code):
    before = count(district, Award)
    r = await post(district, body)
    assert r.status_code == status, r.text
    assert r.json()["type"].endswith("/" + code) and r.json()["detail_zh"] and r.json()["detail_en"]
    assert count(district, Award) == before


async def test_ecosystem_five_percent_rounded_down(district):
    r = await post(district, {"program": "ecosystem", "uscc": SRDI, "buyer_uscc": BUYER, "contract_yuan": 1_234_567,
                              "signed_on": "2024-05-01", "evidence_ref": "GY-1"})
    assert r.status_code == 201, r.text
    assert r.json()["amount_yuan"] == 61_728 and r.json()["program"] == "ecosystem"
    assert r.json()["basis"]["inputs"]["buyer_uscc"] == BUYER


async def test_listing_from_the_finance_office_record(district):
    suite = district
    await publish(suite, new_event("finance", "enterprise.listed.v1", SRDI,
                                   {"uscc": SRDI, "board": "star", "listed_on": "2024-11-08"}))
    await suite.wait_for(lambda: count(suite, Listing, Listing.uscc == SRDI) == 1, "the listing record")
    wrong = await post(suite, {"program": "listing", "uscc": SRDI, "board": "star", "listed_on": "2024-11-09",
                               "municipal_award_yuan": 3_000_000})
    assert wrong.status_code == 422 and wrong.json()["recorded"]["listed_on"] == "2024-11-08"
    r = await post(suite, {"program": "listing", "uscc": SRDI, "municipal_award_yuan": 3_000_000,
                           "evidence_ref": "上市公告 2024-11-08"})
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["amount_yuan"] == 3_000_000 and doc["decided_on"] == "2024-11-08"
    assert doc["basis"]["inputs"]["board"] == "star" and doc["basis"]["inputs"]["listing_source"] == "finance_office"
    assert (await post(suite, {"program": "listing", "uscc": SRDI, "municipal_award_yuan": 1})).status_code == 409


async def test_listing_given_in_the_body(district):
    u = make_uscc()
    await register(district, u)
    await certify(district, u, "national_little_giant", "2024-01-15")
    await district.wait_for(lambda: count(district, Certification, Certification.uscc == u) == 1, "the projection")
    r = await post(district, {"program": "listing", "uscc": u, "board": "BSE", "listed_on": "2024-06-03",
                              "municipal_award_yuan": 1_500_001})
    assert r.status_code == 201 and r.json()["amount_yuan"] == 1_500_001
    assert r.json()["basis"]["inputs"]["listing_source"] == "claim"


async def test_claim_roles(district):
    body = scenario(100, sid="S-roles")
    assert (await post(district, body, role=None)).status_code == 401
    for role, org in (("treasury", None), ("auditor", None), ("bank", "B1"), ("park", "P1")):
        assert (await post(district, body, role=role, org=org)).status_code == 403
    assert (await post(district, body)).status_code == 201


# -- policy as data -------------------------------------------------------------------------------
async def test_policy_in_force_with_legal_reference(district):
    r = await claims(district, "auditor").get("/api/v1/policy", params={"on": "2023-01-01"})
    assert r.status_code == 200
    by_key = {p["key"]: p for p in r.json()["parameters"]}
    assert by_key["award.scenario.rate_bp"]["value"] == 2000
    assert by_key["award.tier.municipal_srdi"]["value"] == 300_000
    assert "三.5" in by_key["award.scenario.cap_yuan"]["legal_ref"] and by_key["award.scenario.cap_yuan"]["set_by"]
    assert by_key["award.tier.pay_first_renewal"]["value"] is False
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
    body = {"program": "ecosystem", "uscc": SRDI, "buyer_uscc": BUYER, "contract_yuan": 1_000_000}
    june = await post(suite, {**body, "signed_on": "2026-06-30"})
    july = await post(suite, {**body, "signed_on": "2026-07-01"})
    assert (june.json()["amount_yuan"], july.json()["amount_yuan"]) == (50_000, 30_000)
    assert [p["id"] for p in july.json()["basis"]["parameters"] if p["key"] == "award.ecosystem.rate_bp"] == [r.json()["id"]]
