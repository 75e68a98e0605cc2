"""Products and loan cases: a bank sees and changes only its own cases; the non-performing-loan
split through the API (the first-loan subsidy: test_subsidy.py)."""
import datetime as dt
import json

import pytest

from services.finance.tests.helpers import (LOANS, PRODUCTS, bank, drawn_loan, listed_enterprise, product,
                                            register)
from shared.clock import today

async def test_products_catalogue(suite):
    fin = suite.client("finance", role="finance")
    body = {"kind": "loan", "name": "专精特新贷", "provider_org": "B1"}
    assert (await suite.client("finance", role=None).post(PRODUCTS, json=body)).status_code == 401
    assert (await bank(suite).post(PRODUCTS, json=body)).status_code == 403
    r = await fin.post(PRODUCTS, json=body)
    assert r.status_code == 201 and r.json()["provider_org"] == "B1"
    pid = r.json()["id"]
    again = await fin.post(PRODUCTS, json=body)
    assert again.status_code == 409 and again.json()["existing"]["id"] == pid
    for bad in ({**body, "kind": "bond"}, {**body, "provider_org": "B 1"}, {**body, "name": ""},
                {**body, "insurance_type": "first_batch"},                      # only for insurance
                {**body, "kind": "insurance"},                                   # insurance needs its type
                {**body, "kind": "insurance", "insurance_type": "life"}):
        assert (await fin.post(PRODUCTS, json=bad)).status_code == 422, bad
    r = await fin.post(PRODUCTS, json={"kind": "insurance", "name": "新技术首批次保险", "provider_org": "I1",
                                       "insurance_type": "first_batch"})
    assert r.status_code == 201 and r.json()["insurance_type"] == "first_batch"
    await fin.post(PRODUCTS, json={"kind": "guarantee", "name": "专精特新保", "provider_org": "G1"})
    assert (await suite.client("finance", role=None).get(PRODUCTS)).status_code == 401
    assert (await suite.client("finance", role="talent").get(PRODUCTS)).status_code == 403
    # the catalogue is public to every bank (another bank's products included)
    r = await bank(suite, "B2").get(PRODUCTS, params={"kind": "loan"})
    assert r.status_code == 200 and pid in [p["id"] for p in r.json()["items"]]
    assert all(p["kind"] == "loan" for p in r.json()["items"])
    assert (await bank(suite, "B2").get(f"{PRODUCTS}/{pid}")).json()["name"] == "专精特新贷"
    assert (await bank(suite, "B2").get(f"{PRODUCTS}/999999")).status_code == 404
    # out of scope: a bank cannot book a loan on another bank's loan product
    uscc = await listed_enterprise(suite)
    r = await bank(suite, "B2").post(LOANS, json={"uscc": uscc, "product_id": pid, "applied_yuan": 1_000_000,
                                                  "applied_on": "2025-07-01"})
    assert r.status_code == 422 and r.json()["type"].endswith("foreign-product")


async def test_a_bank_sees_and_changes_only_its_own_loans(suite):
    uscc = await listed_enterprise(suite)
    mine = await drawn_loan(suite, uscc, "B1")
    other = bank(suite, "B2")
    assert (await other.get(f"{LOANS}/{mine}")).status_code == 404
    for path, body in ((f"{LOANS}/{mine}/repay", {"repaid_on": "2026-01-01"}),
                       (f"{LOANS}/{mine}/extend", {"due_on": "2027-01-01", "reason": "x"}),
                       (f"{LOANS}/{mine}/default", {"outstanding_yuan": 1, "on": "2026-01-01"}),
                       (f"{LOANS}/{mine}/repayments", {"paid_on": "2025-08-01", "period_from": "2025-07-15",
                                                       "period_to": "2025-07-31", "interest_yuan": 1}),
                       (f"{LOANS}/{mine}/decision", {"approved": False, "decided_on": "2026-01-01"}),
                       (f"{LOANS}/{mine}/draw", {"drawn_yuan": 1, "drawn_on": "2026-01-01", "rate_bp": 1,
                                                 "due_on": "2026-02-01"})):
        r = await other.post(path, json=body)
        assert r.status_code == 404, (path, r.text)
    assert mine not in [x["id"] for x in (await other.get(LOANS, params={"limit": 500})).json()["items"]]
    assert (await bank(suite, "B1").get(f"{LOANS}/{mine}")).json()["state"] == "drawn"  # unchanged
    assert mine in [x["id"] for x in (await bank(suite, "B1").get(LOANS, params={"uscc": uscc})).json()["items"]]
    for role in ("finance", "econ", "treasury", "auditor"):
        assert (await suite.client("finance", role=role).get(f"{LOANS}/{mine}")).status_code == 200
    for role, org in (("talent", None), ("park", "P-A"), ("platform", None)):
        assert (await suite.client("finance", role=role, org=org).get(f"{LOANS}/{mine}")).status_code == 403
        assert (await suite.client("finance", role=role, org=org).get(LOANS)).status_code == 403
    assert (await suite.client("finance", role=None).get(LOANS)).status_code == 401
    assert (await suite.client("finance", role=None).get(f"{LOANS}/{mine}")).status_code == 401


@pytest.mark.parametrize("path, body", [
    (LOANS, {"uscc": "91110111MA0000000X", "applied_yuan": 1, "applied_on": "2025-01-01"}),
    (f"{LOANS}/1/decision", {"approved": True, "decided_on": "2025-01-01"}),
    (f"{LOANS}/1/draw", {"drawn_yuan": 1, "drawn_on": "2025-01-01", "rate_bp": 1, "due_on": "2026-01-01"}),
    (f"{LOANS}/1/extend", {"due_on": "2027-01-01", "reason": "x"}),
    (f"{LOANS}/1/repay", {"repaid_on": "2025-01-01"}),
    (f"{LOANS}/1/default", {"outstanding_yuan": 1, "on": "2025-01-01"}),
    (f"{LOANS}/1/repayments", {"paid_on": "2025-08-01", "period_from": "2025-07-15", "period_to": "2025-07-31",
                               "interest_yuan": 1}),
])
async def test_loan_writes_need_a_bank(suite, path, body):
    assert (await suite.client("finance", role=None).post(path, json=body)).status_code == 401
    for role in ("finance", "econ", "treasury", "auditor"):
        r = await suite.client("finance", role=role).post(path, json=body)
        assert r.status_code == 403 and r.json()["status"] == 403, (role, r.text)


async def test_only_listed_enterprises_get_loans(suite):
    unlisted = await register(suite)
    await suite.settled()
    r = await bank(suite).post(LOANS, json={"uscc": unlisted, "applied_yuan": 1_000_000, "applied_on": "2025-07-01"})
    assert r.status_code == 422 and r.json()["type"].endswith("not-on-service-list")
    r = await bank(suite).post(LOANS, json={"uscc": "not-a-uscc", "applied_yuan": 1, "applied_on": "2025-07-01"})
    assert r.status_code == 422


async def test_lifecycle_and_state_rules(suite):
    uscc = await listed_enterprise(suite)
    c = bank(suite)
    r = await c.post(LOANS, json={"uscc": uscc, "applied_yuan": 3_000_000, "applied_on": "2025-07-01"},
                     headers={"Idempotency-Key": f"loan-{uscc}"})
    assert r.status_code == 201 and r.json()["bank"] == "B1" and r.json()["state"] == "applied"
    # What the case allows now, and who reports it (loans.rules.STEPS, which the endpoints check too).
    assert r.json()["actions"] == {"decision": "lender", "provider_decision": "provider"}
    loan = r.json()["id"]
    retry = await c.post(LOANS, json={"uscc": uscc, "applied_yuan": 3_000_000, "applied_on": "2025-07-01"},
                         headers={"Idempotency-Key": f"loan-{uscc}"})
    assert retry.status_code == 201 and retry.json()["id"] == loan
    assert (await c.post(f"{LOANS}/{loan}/draw", json={"drawn_yuan": 1, "drawn_on": "2025-07-02", "rate_bp": 300,
                                                       "due_on": "2026-07-01"})).status_code == 409
    r = await c.post(f"{LOANS}/{loan}/decision", json={"approved": True, "decided_on": "2025-06-01"})
    assert r.status_code == 422  # before the application
    assert (await c.post(f"{LOANS}/{loan}/decision", json={"approved": True, "decided_on": "2025-07-05"})).status_code == 200
    assert (await c.post(f"{LOANS}/{loan}/decision", json={"approved": False, "decided_on": "2025-07-06"})).status_code == 409
    r = await c.post(f"{LOANS}/{loan}/draw", json={"drawn_yuan": 3_000_000, "drawn_on": "2025-07-08", "rate_bp": 300,
                                                   "due_on": "2025-07-08"})
    assert r.status_code == 422  # due on the day it is drawn
    r = await c.post(f"{LOANS}/{loan}/draw", json={"drawn_yuan": 3_000_000, "drawn_on": "2025-07-08", "rate_bp": 300,
                                                   "due_on": "2026-07-07"})
    assert r.status_code == 200 and r.json()["tier_at_draw"] == "municipal_srdi"
    assert r.json()["actions"] == {"extend": "lender", "repay": "lender", "default": "lender", "repayments": "lender"}
    r = await c.post(f"{LOANS}/{loan}/extend", json={"due_on": "2026-01-01", "reason": "展期"})
    assert r.status_code == 422  # earlier than the current due date
    r = await c.post(f"{LOANS}/{loan}/extend", json={"kind": "extension", "due_on": "2027-01-07", "reason": "经营周期"})
    assert r.status_code == 200 and r.json()["due_on"] == "2027-01-07"
    r = await c.post(f"{LOANS}/{loan}/extend", json={"kind": "renewal", "due_on": "2028-01-07", "rate_bp": 280,
                                                     "reason": "续期"})
    assert r.status_code == 200 and r.json()["rate_bp"] == 280
    r = await c.post(f"{LOANS}/{loan}/extend", json={"kind": "adjusted_plan", "due_on": "2028-01-07",
                                                     "reason": "调整还款计划：按季等额还本"})
    assert r.status_code == 200 and r.json()["due_on"] == "2028-01-07"
    r = await c.post(f"{LOANS}/{loan}/extend", json={"kind": "renewal", "due_on": "2028-01-07", "reason": "x"})
    assert r.status_code == 422  # a renewal needs a later due date
    r = await c.post(f"{LOANS}/{loan}/repay", json={"repaid_on": "2026-11-20"})  # repaid early
    assert r.status_code == 200 and r.json()["state"] == "repaid" and r.json()["closed_on"] == "2026-11-20"
    assert (await c.post(f"{LOANS}/{loan}/repay", json={"repaid_on": "2026-11-21"})).status_code == 409
    doc = (await c.get(f"{LOANS}/{loan}")).json()
    assert [h["action"] for h in doc["history"]] == ["apply", "approve", "draw", "extension", "renewal",
                                                      "adjusted_plan", "repay"]
    assert all(h["actor"].startswith("bank:B1:") for h in doc["history"])
    r = await c.get(LOANS, params={"state": "repaid", "uscc": uscc})
    assert [x["id"] for x in r.json()["items"]] == [loan]
    assert (await c.get(LOANS, params={"state": "lost"})).status_code == 422
    assert (await c.get(f"{LOANS}/{loan + 10_000}")).status_code == 404


async def test_declined_loans_end_there(suite):
    uscc = await listed_enterprise(suite)
    c = bank(suite)
    loan = (await c.post(LOANS, json={"uscc": uscc, "applied_yuan": 1_000_000, "applied_on": "2025-07-01"})).json()["id"]
    r = await c.post(f"{LOANS}/{loan}/decision", json={"approved": False, "decided_on": "2025-07-03",
                                                       "reason": "抵押不足"})
    assert r.json()["state"] == "declined"
    r = await c.post(f"{LOANS}/{loan}/draw", json={"drawn_yuan": 1, "drawn_on": "2025-07-04", "rate_bp": 300,
                                                   "due_on": "2026-07-01"})
    assert r.status_code == 409 and r.json()["state"] == "declined"


async def test_non_performing_loan_split(suite):
    giant = await listed_enterprise(suite, "national_little_giant", "2025-06-01")
    gp = await product(suite, "guarantee", "专精特新保-测试", "G1")
    c = bank(suite)
    r = await c.post(LOANS, json={"uscc": giant, "product_id": gp, "applied_yuan": 5_000_000,
                                  "applied_on": "2025-07-01"})
    assert r.status_code == 201 and r.json()["guarantor"] == "G1"
    loan = r.json()["id"]
    await c.post(f"{LOANS}/{loan}/decision", json={"approved": True, "decided_on": "2025-07-02"})
    await c.post(f"{LOANS}/{loan}/draw", json={"drawn_yuan": 5_000_000, "drawn_on": "2025-07-03", "rate_bp": 400,
                                               "due_on": "2026-07-02"})
    # a later parameter row (from 2026-01-01) does not apply: the loan was drawn on 2025-07-03
    r = await suite.client("finance", role="finance").put("/api/v1/policy", json={
        "key": "finance.npl_compensation.srdi_rate_bp", "value": 5000, "effective_from": "2026-01-01",
        "legal_ref": "测试：假设2026年起补偿比例提高"})
    assert r.status_code in (201, 409), r.text
    r = await c.post(f"{LOANS}/{loan}/default", json={"outstanding_yuan": 6_000_000, "on": "2026-08-01"})
    assert r.status_code == 422  # more than was drawn
    r = await c.post(f"{LOANS}/{loan}/default", json={"outstanding_yuan": 4_000_001, "on": "2026-08-01",
                                                      "reason": "逾期90天"})
    assert r.status_code == 200, r.text
    split = r.json()["risk_split"]
    assert (split["bank_yuan"], split["guarantor_yuan"], split["compensation_yuan"]) == (800_001, 3_200_000, 1_600_000)
    assert split["basis"]["srdi"] is True and split["basis"]["compensation_bp"] == 4000
    assert {p["effective_from"] for p in split["basis"]["parameters"]} == {"2022-01-01"}
    assert r.json()["loan"]["state"] == "non_performing"
    assert (await c.post(f"{LOANS}/{loan}/default", json={"outstanding_yuan": 1, "on": "2026-08-02"})).status_code == 409
    assert (await suite.client("finance", role="treasury").get(f"{LOANS}/{loan}")).json()["risk_split"] == split
    # an unguaranteed loan: the bank bears it all; still a little giant, so 40 % compensation
    plain = await drawn_loan(suite, giant, drawn=1_000_000)
    r = await c.post(f"{LOANS}/{plain}/default", json={"outstanding_yuan": 1_000_000, "on": "2026-08-01"})
    split = r.json()["risk_split"]
    assert (split["bank_yuan"], split["guarantor_yuan"], split["compensation_yuan"]) == (1_000_000, 0, 400_000)


async def test_every_read_needs_a_token_and_a_role(suite):
    uscc = await listed_enterprise(suite)
    loan = await drawn_loan(suite, uscc)
    pid = await product(suite, "insurance", "专精特新险", "I1", "credit_guarantee")
    paths = ["/api/v1/service-list", f"/api/v1/service-list/{uscc}", PRODUCTS,
             f"{PRODUCTS}/{pid}", LOANS, f"{LOANS}/{loan}"]
    for path in paths:
        r = await suite.client("finance", role=None).get(path)
        assert r.status_code == 401 and r.json()["type"].endswith("unauthenticated"), path
        r = await suite.client("finance", role="talent").get(path)
        assert r.status_code == 403 and r.json()["type"].endswith("forbidden"), path
        r = await suite.client("finance", role="auditor").get(path)
        assert r.status_code == 200, (path, r.text)


async def test_the_provider_of_a_guarantee_or_insurance_product_decides_on_the_case(suite):
    """Issue 5: "an enterprise applies for a product; the provider decides". A guarantor (专精特新保) and
    an insurer (专精特新险) sign in as role `bank` with their own org code, see the cases on their
    product and record their own decision; any other bank or guarantor gets 404."""
    uscc = await listed_enterprise(suite)
    guarantee = await product(suite, "guarantee", "专精特新保（范围测试）", "G1")
    insurance = await product(suite, "insurance", "信用保证保险（范围测试）", "I1", "credit_guarantee")
    lender, guarantor, insurer = bank(suite, "B1"), bank(suite, "G1"), bank(suite, "I1")
    r = await lender.post(LOANS, json={"uscc": uscc, "product_id": guarantee, "applied_yuan": 5_000_000,
                                       "applied_on": "2025-07-01"})
    assert r.status_code == 201 and r.json()["guarantor"] == "G1", r.text
    case = r.json()["id"]
    r = await lender.post(LOANS, json={"uscc": uscc, "product_id": insurance, "applied_yuan": 2_000_000,
                                       "applied_on": "2025-07-01"})
    assert r.status_code == 201, r.text
    insured = r.json()["id"]

    # the guarantor sees the case by path, list and query, and records its guarantee decision
    assert (await guarantor.get(f"{LOANS}/{case}")).status_code == 200
    assert case in [x["id"] for x in (await guarantor.get(LOANS, params={"uscc": uscc})).json()["items"]]
    assert insured not in [x["id"] for x in (await guarantor.get(LOANS, params={"uscc": uscc})).json()["items"]]
    assert (await guarantor.get(f"{LOANS}/{insured}")).status_code == 404  # not its product
    r = await guarantor.post(f"{LOANS}/{case}/provider-decision",
                             json={"approved": True, "decided_on": "2025-07-05", "reason": "反担保充足"})
    assert r.status_code == 201, r.text
    assert r.json()["state"] == "applied"  # the bank's loan decision is still the bank's
    assert r.json()["provider_decisions"] == [{"org": "G1", "kind": "guarantee", "approved": True,
                                               "decided_on": "2025-07-05", "reason": "反担保充足",
                                               "decided_by": r.json()["provider_decisions"][0]["decided_by"]}]
    again = await guarantor.post(f"{LOANS}/{case}/provider-decision",
                                 json={"approved": False, "decided_on": "2025-07-06"})
    assert again.status_code == 409 and again.json()["type"].endswith("provider-decided")
    early = await insurer.post(f"{LOANS}/{insured}/provider-decision",
                               json={"approved": True, "decided_on": "2025-06-30"})
    assert early.status_code == 422, early.text
    # the guarantor does not lend: the bank's steps are 403 for it; the bank is not the provider
    r = await guarantor.post(f"{LOANS}/{case}/decision", json={"approved": True, "decided_on": "2025-07-10"})
    assert r.status_code == 403 and r.json()["type"].endswith("not-the-lender"), r.text
    r = await lender.post(f"{LOANS}/{case}/provider-decision", json={"approved": True, "decided_on": "2025-07-10"})
    assert r.status_code == 403 and r.json()["type"].endswith("not-the-provider"), r.text

    # another bank and another guarantor: 404 by path, absent from lists and queries, 404 on writes
    for other in (bank(suite, "B2"), bank(suite, "G2")):
        assert (await other.get(f"{LOANS}/{case}")).status_code == 404
        assert (await other.get(f"{LOANS}/{case}/interest-subsidy")).status_code == 404
        for params in ({}, {"uscc": uscc}, {"uscc": uscc, "state": "applied"}):
            items = (await other.get(LOANS, params=params)).json()["items"]
            assert case not in [x["id"] for x in items] and insured not in [x["id"] for x in items]
        for path in ("provider-decision", "decision"):
            r = await other.post(f"{LOANS}/{case}/{path}", json={"approved": False, "decided_on": "2025-07-10"})
            assert r.status_code == 404, (path, r.text)

    # the case's bank still sees it, with the guarantor's decision, and decides its loan
    r = await lender.get(f"{LOANS}/{case}")
    assert r.status_code == 200 and r.json()["provider_decisions"][0]["org"] == "G1"
    assert "guarantee_approve" in [h["action"] for h in r.json()["history"]]
    r = await lender.post(f"{LOANS}/{case}/decision", json={"approved": True, "decided_on": "2025-07-10"})
    assert r.status_code == 200 and r.json()["state"] == "approved", r.text
    assert case in [x["id"] for x in (await lender.get(LOANS, params={"uscc": uscc})).json()["items"]]

    # the insurer of a 专精特新险 case decides its own cover
    r = await insurer.post(f"{LOANS}/{insured}/provider-decision",
                           json={"approved": False, "decided_on": "2025-07-03", "reason": "不符合承保条件"})
    assert r.status_code == 201 and r.json()["provider_decisions"][0]["kind"] == "insurance", r.text
    assert [x["id"] for x in (await insurer.get(LOANS, params={"uscc": uscc})).json()["items"]] == [insured]


async def test_a_default_claims_at_most_the_principal_not_repaid(suite):
    uscc = await listed_enterprise(suite)
    loan = await drawn_loan(suite, uscc, drawn=10_000_000, rate_bp=365)
    c = bank(suite)
    r = await c.post(f"{LOANS}/{loan}/repayments", json={"paid_on": "2025-09-30", "period_from": "2025-07-15",
                                                         "period_to": "2025-09-30", "principal_yuan": 1_000_000,
                                                         "interest_yuan": 78_000})
    assert r.status_code == 201, r.text
    r = await c.post(f"{LOANS}/{loan}/default", json={"outstanding_yuan": 9_000_001, "on": "2026-01-10"})
    assert r.status_code == 422 and r.json()["type"].endswith("outstanding-too-high"), r.text
    assert (await c.get(f"{LOANS}/{loan}")).json()["state"] == "drawn"  # nothing changed
    r = await c.post(f"{LOANS}/{loan}/default", json={"outstanding_yuan": 9_000_000, "on": "2026-01-10"})
    assert r.status_code == 200 and r.json()["risk_split"]["outstanding_yuan"] == 9_000_000, r.text
    # municipal SRDI at draw, unguaranteed: the bank bears it all; 40 % compensation
    assert (r.json()["risk_split"]["bank_yuan"], r.json()["risk_split"]["compensation_yuan"]) == (9_000_000, 3_600_000)


async def test_an_extension_is_dated_when_the_bank_agreed_it(suite):
    uscc = await listed_enterprise(suite)
    loan = await drawn_loan(suite, uscc)  # drawn 2025-07-15, due 2026-07-14
    c, path = bank(suite), f"{LOANS}/{loan}/extend"
    for on in ("2025-07-14", "2100-01-01", "2025-02-30"):  # before the draw, in the future, no such day
        r = await c.post(path, json={"due_on": "2027-07-14", "reason": "展期", "on": on})
        assert r.status_code == 422, (on, r.text)
    r = await c.post(path, json={"due_on": "2027-07-14", "reason": "展期一年", "on": "2026-06-30"})
    assert r.status_code == 200 and r.json()["due_on"] == "2027-07-14", r.text
    r = await c.post(path, json={"kind": "adjusted_plan", "due_on": "2027-07-14", "reason": "按季还本"})
    assert r.status_code == 200, r.text
    history = (await c.get(f"{LOANS}/{loan}")).json()["history"]
    assert [(h["action"], h["on"]) for h in history[-2:]] == [("extension", "2026-06-30"),
                                                              ("adjusted_plan", today().isoformat())]


async def test_facts_dated_after_today_are_refused(suite):
    """A loan, a decision, a draw, a repayment, a default, a listing stage, a matchmaking event or an
    investment dated after today is a 422 naming the field, and changes nothing."""
    uscc = await listed_enterprise(suite)
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    c = bank(suite)
    applied = (await c.post(LOANS, json={"uscc": uscc, "applied_yuan": 1_000_000, "applied_on": "2025-07-01"})).json()
    approved = (await c.post(LOANS, json={"uscc": uscc, "applied_yuan": 1_000_000, "applied_on": "2025-07-01"})).json()
    await c.post(f"{LOANS}/{approved['id']}/decision", json={"approved": True, "decided_on": "2025-07-02"})
    drawn = await drawn_loan(suite, uscc)
    fin = suite.client("finance", role="finance")
    fund = (await fin.post("/api/v1/guidance-funds", json={"name": f"未来日期测试基金-{uscc}"})).json()["id"]
    attempts = [
        (c, LOANS, {"uscc": uscc, "applied_yuan": 1_000_000, "applied_on": tomorrow}, "applied_on"),
        (c, f"{LOANS}/{applied['id']}/decision", {"approved": True, "decided_on": tomorrow}, "decided_on"),
        (c, f"{LOANS}/{approved['id']}/draw", {"drawn_yuan": 1, "drawn_on": tomorrow, "rate_bp": 300,
                                               "due_on": "2099-01-01"}, "drawn_on"),
        (c, f"{LOANS}/{drawn}/repayments", {"paid_on": tomorrow, "period_from": "2025-07-15",
                                            "period_to": "2025-07-31", "interest_yuan": 1}, "paid_on"),
        (c, f"{LOANS}/{drawn}/repay", {"repaid_on": tomorrow}, "repaid_on"),
        (c, f"{LOANS}/{drawn}/default", {"outstanding_yuan": 1, "on": tomorrow}, "on"),
        (c, f"{LOANS}/{drawn}/extend", {"due_on": "2099-01-01", "reason": "展期", "on": tomorrow}, "on"),
        (fin, f"/api/v1/listings/{uscc}/stages", {"stage": "shareholding_reform", "on": tomorrow}, "on"),
        (fin, "/api/v1/matchmaking-events", {"title": "未来的对接会", "held_on": tomorrow, "banks": ["B1"],
                                             "enterprises": [uscc]}, "held_on"),
        (fin, f"/api/v1/guidance-funds/{fund}/investments", {"uscc": uscc, "invested_on": tomorrow,
                                                              "amount_yuan": 1}, "invested_on"),
    ]
    for client, path, body, field in attempts:
        r = await client.post(path, json=body)
        assert r.status_code == 422, (path, r.text)
        problem = r.json()
        assert [e["loc"][-1] for e in problem["errors"]] == [field], (path, problem)
        assert problem["detail_zh"] and "after today" in json.dumps(problem), (path, problem)
    assert (await c.get(f"{LOANS}/{applied['id']}")).json()["state"] == "applied"
    assert (await c.get(f"{LOANS}/{approved['id']}")).json()["state"] == "approved"
    doc = (await c.get(f"{LOANS}/{drawn}")).json()
    assert doc["state"] == "drawn" and doc["repayments"] == [] and doc["due_on"] == "2026-07-14"
    assert (await fin.get(f"/api/v1/listings/{uscc}")).status_code == 404
    assert (await fin.get(f"/api/v1/guidance-funds/{fund}")).json()["investments"] == []
    assert [x["applied_on"] for x in (await c.get(LOANS, params={"uscc": uscc})).json()["items"]
            if x["applied_on"] == tomorrow] == []


async def test_a_default_under_guarantee_shares_over_100_percent_is_a_clear_503_not_a_500(tmp_path):
    """A pair of guarantee shares stored before the policy's consistency check (or written past it)
    made a default a 500 (rules.npl_split raised); now a 503 naming the parameters, nothing changed."""
    from shared.tables import PolicyParameter
    from shared.testing import Suite

    suite = await Suite(tmp_path, services=("registry", "finance")).start()
    try:
        uscc = await listed_enterprise(suite)
        loan = await drawn_loan(suite, uscc)  # drawn 2025-07-15
        with suite.db("finance").transaction() as s:
            s.add(PolicyParameter(key="finance.guarantee.guarantor_share_bp", value=10000,
                                  effective_from=dt.date(2025, 1, 1), legal_ref="旧数据", set_by="migration"))
        r = await bank(suite).post(f"{LOANS}/{loan}/default", json={"outstanding_yuan": 1_000_000, "on": "2026-01-10"})
        assert r.status_code == 503 and r.json()["type"].endswith("inconsistent-policy"), r.text
        assert (await bank(suite).get(f"{LOANS}/{loan}")).json()["state"] == "drawn"
    finally:
        await suite.stop()
