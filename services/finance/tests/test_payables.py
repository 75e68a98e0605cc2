"""Subsidies and compensations through the treasury (issue 19): the finance office asks, the awards
service keeps each payable as an award of its programme (reviewed: finance computed it), the treasury
approves it against that programme's budget and pays it, and finance reads the decision back. Over real
NATS, both services' APIs; a redelivered request is one award, a refused quarter may be asked again."""
from __future__ import annotations

import asyncio

import orjson

from services.finance.tests.helpers import LOANS, bank, drawn_loan, listed_enterprise, product
from shared import clock
from shared.contracts.finance import PayableRequested
from shared.events import new_event

YEAR = clock.today().year


def office(suite):
    return suite.client("finance", role="finance")


def treasury(suite):
    return suite.client("awards", role="treasury")


async def award_of(suite, payable: dict, state: str | None = None) -> dict:
    """The award the awards service keeps for a payable, once its event arrived (and in `state`)."""
    key = f"{payable['kind']}:{payable['id']}"

    async def found():
        r = await suite.client("awards", role="auditor").get("/api/v1/awards", params={
            "uscc": payable["uscc"], "program": payable["kind"], "limit": 100})
        hit = [a for a in r.json()["items"] if a["basis"].get("inputs", {}).get("payable_id") == payable["id"]]
        return hit and (state is None or hit[0]["state"] == state) and hit[0]
    return await suite.wait_for(found, f"the award of {key}")


async def payable_in(suite, payable_id: int, state: str) -> dict:
    async def moved():
        doc = (await office(suite).get(f"/api/v1/payables/{payable_id}")).json()
        return doc["state"] == state and doc
    return await suite.wait_for(moved, f"payable {payable_id} {state}")


async def budget(suite, program: str) -> dict:
    r = await treasury(suite).get(f"/api/v1/budgets/{YEAR}")
    return {i["program"]: i for i in r.json()["items"]}.get(program) or {}


async def test_a_subsidy_quarter_is_approved_against_its_budget_and_paid_by_the_treasury(suite):
    uscc = await listed_enterprise(suite)  # municipal SRDI from 2025-06-01: 40 % of the interest
    loan = await drawn_loan(suite, uscc, drawn=10_000_000, rate_bp=365)
    rep = f"{LOANS}/{loan}/repayments"
    for period_from, period_to, interest in (("2025-07-15", "2025-09-30", 78_000), ("2025-10-01", "2025-12-31", 92_000)):
        r = await bank(suite).post(rep, json={"paid_on": period_to, "period_from": period_from, "period_to": period_to,
                                              "interest_yuan": interest})
        assert r.status_code == 201, r.text
    ask = f"{LOANS}/{loan}/interest-subsidy/2025Q3/request"
    assert (await suite.client("finance", role="treasury").post(ask)).status_code == 403  # the treasury pays in awards
    assert (await bank(suite).post(ask)).status_code == 403
    r = await office(suite).post(ask)
    assert r.status_code == 201, r.text
    payable = r.json()
    assert (payable["amount_yuan"], payable["state"], payable["payee"], payable["attempt"]) == (31_200, "requested",
                                                                                               uscc, 1)
    assert (await office(suite).post(ask)).status_code == 409  # once per quarter
    award = await award_of(suite, payable, "reviewed")
    assert (award["program"], award["amount_yuan"], award["payee"], award["payee_type"]) == (
        "first_loan_subsidy", 31_200, uscc, "enterprise")
    assert award["basis"]["inputs"]["loan_id"] == loan and "首贷贴息" in award["basis"]["explanation"]
    # the treasury approves against the programme's budget: none set yet → refused, nothing moves
    path = f"/api/v1/awards/{award['id']}"
    r = await treasury(suite).post(f"{path}/approve", json={})
    assert r.status_code == 409 and r.json()["type"].endswith("/no-budget"), r.text
    assert "首贷贴息" in r.json()["detail_zh"]
    assert (await treasury(suite).put(f"/api/v1/budgets/{YEAR}/first_loan_subsidy",
                                      json={"allocated_yuan": 1_000_000})).status_code == 200
    before = await budget(suite, "first_loan_subsidy")
    r = await treasury(suite).post(f"{path}/approve", json={})
    assert r.status_code == 200 and r.json()["state"] == "approved", r.text
    after = await budget(suite, "first_loan_subsidy")
    assert after["reserved_yuan"] - before.get("reserved_yuan", 0) == 31_200
    await payable_in(suite, payable["id"], "approved")
    r = await treasury(suite).post(f"{path}/disburse", json={"voucher": f"FS-贴息-{payable['id']}"})
    assert r.status_code == 200, r.text
    paid = await payable_in(suite, payable["id"], "paid")
    assert paid["award_id"] == award["id"] and paid["settled_on"] == clock.today().isoformat()
    assert (await budget(suite, "first_loan_subsidy"))["disbursed_yuan"] - before.get("disbursed_yuan", 0) == 31_200
    sched = (await office(suite).get(f"{LOANS}/{loan}/interest-subsidy")).json()
    assert (sched["asked_yuan"], sched["paid_yuan"]) == (31_200, 31_200)
    assert sched["quarters"][0]["asked"]["state"] == "paid"

    # Q4 refused by the treasury: finance sees it refused, and may ask for the quarter again
    r = await office(suite).post(f"{LOANS}/{loan}/interest-subsidy/2025Q4/request")
    assert r.status_code == 201, r.text
    q4 = r.json()
    a4 = await award_of(suite, q4, "reviewed")
    r = await treasury(suite).post(f"/api/v1/awards/{a4['id']}/reject", json={"reason": "付息凭证不全"})
    assert r.status_code == 200, r.text
    await payable_in(suite, q4["id"], "refused")
    r = await office(suite).post(f"{LOANS}/{loan}/interest-subsidy/2025Q4/request")
    assert r.status_code == 201 and r.json()["attempt"] == 2 and r.json()["amount_yuan"] == q4["amount_yuan"], r.text
    again = await award_of(suite, r.json(), "reviewed")
    assert again["id"] != a4["id"]
    listed = (await office(suite).get("/api/v1/payables", params={"loan_id": loan})).json()["items"]
    assert [(p["ref"], p["state"]) for p in listed] == [("2025Q3", "paid"), ("2025Q4", "refused"),
                                                        ("2025Q4", "requested")]
    # a bank sees its own loans' payables only; talent none
    assert [p["id"] for p in (await bank(suite).get("/api/v1/payables", params={"loan_id": loan})).json()["items"]] \
        == [p["id"] for p in listed]
    assert (await bank(suite, "B9").get("/api/v1/payables", params={"loan_id": loan})).json()["items"] == []
    assert (await bank(suite, "B9").get(f"/api/v1/payables/{q4['id']}")).status_code == 404
    assert (await suite.client("finance", role="talent").get("/api/v1/payables")).status_code == 403


async def test_a_redelivered_request_is_one_award_and_a_bad_one_pays_nothing(suite):
    uscc = await listed_enterprise(suite)
    loan = await drawn_loan(suite, uscc, drawn=10_000_000, rate_bp=365)
    r = await bank(suite).post(f"{LOANS}/{loan}/repayments", json={
        "paid_on": "2025-09-30", "period_from": "2025-07-15", "period_to": "2025-09-30", "interest_yuan": 78_000})
    assert r.status_code == 201, r.text
    r = await office(suite).post(f"{LOANS}/{loan}/interest-subsidy/2025Q3/request")
    assert r.status_code == 201, r.text
    payable = r.json()
    award = await award_of(suite, payable)
    await suite.settled()
    bus = suite.apps["awards"].state.bus
    data = PayableRequested(payable_id=payable["id"], kind="first_loan_subsidy", loan_id=loan, ref="2025Q3", uscc=uscc,
                            payee=uscc, payee_type="enterprise", amount_yuan=31_200,
                            requested_on=payable["requested_on"], requested_by="finance:-:x", basis={})
    for _ in range(2):  # a new event id each time: the inbox does not know it, the award's key does
        event = new_event("finance", PayableRequested.NAME, uscc, data.model_dump(mode="json"))
        await asyncio.to_thread(bus.handle_raw, event.nats_subject, orjson.dumps(event.envelope()))
    r = await suite.client("awards", role="auditor").get("/api/v1/awards", params={"uscc": uscc,
                                                                                   "program": "first_loan_subsidy"})
    assert [a["id"] for a in r.json()["items"]] == [award["id"]]
    # nothing to pay, or dated tomorrow: recorded in the audit log, no award
    for bad in ({"amount_yuan": 0, "payable_id": 900_001},
                {"requested_on": clock.today().replace(year=YEAR + 1).isoformat(), "payable_id": 900_002}):
        event = new_event("finance", PayableRequested.NAME, uscc, {**data.model_dump(mode="json"), **bad})
        await asyncio.to_thread(bus.handle_raw, event.nats_subject, orjson.dumps(event.envelope()))
    r = await suite.client("awards", role="auditor").get("/api/v1/awards", params={"uscc": uscc,
                                                                                   "program": "first_loan_subsidy"})
    assert [a["id"] for a in r.json()["items"]] == [award["id"]]


async def test_a_non_performing_loans_compensation_goes_to_the_bank_and_the_guarantor(suite):
    giant = await listed_enterprise(suite, "national_little_giant", "2025-06-01")
    gp = await product(suite, "guarantee", "专精特新保-补偿测试", "G7")
    c = bank(suite)
    r = await c.post(LOANS, json={"uscc": giant, "product_id": gp, "applied_yuan": 5_000_000, "applied_on": "2025-07-01"})
    loan = r.json()["id"]
    await c.post(f"{LOANS}/{loan}/decision", json={"approved": True, "decided_on": "2025-07-02"})
    await c.post(f"{LOANS}/{loan}/draw", json={"drawn_yuan": 5_000_000, "drawn_on": "2025-07-03", "rate_bp": 400,
                                               "due_on": "2026-07-02"})
    ask = f"{LOANS}/{loan}/compensation/request"
    r = await office(suite).post(ask)
    assert r.status_code == 409 and r.json()["type"].endswith("/invalid-loan-state")  # not non-performing yet
    r = await c.post(f"{LOANS}/{loan}/default", json={"outstanding_yuan": 4_000_001, "on": "2026-08-01"})
    split = r.json()["risk_split"]
    r = await office(suite).post(ask)
    assert r.status_code == 201, r.text
    asked = {p["ref"]: p for p in r.json()}
    assert {k: (p["payee"], p["payee_type"], p["amount_yuan"]) for k, p in asked.items()} == {
        "bank": ("B1", "bank", split["basis"]["compensation_to_bank_yuan"]),
        "guarantor": ("G7", "guarantor", split["basis"]["compensation_to_guarantor_yuan"])}
    assert sum(p["amount_yuan"] for p in asked.values()) == split["compensation_yuan"] == 1_600_000
    assert (await office(suite).post(ask)).status_code == 409
    for p in asked.values():
        award = await award_of(suite, p, "reviewed")
        assert (award["program"], award["payee"], award["payee_type"]) == ("npl_compensation", p["payee"],
                                                                          p["payee_type"])
