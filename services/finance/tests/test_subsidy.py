"""The first-loan interest subsidy (首贷贴息) through the API: from repayment records, each day's
interest once and each quarter paid once, and finance deciding the first loan across every bank's cases."""
import asyncio
import datetime as dt


from services.finance.tests.helpers import (LOANS, bank, certify, drawn_loan, listed_enterprise, register, revoke, wait_entry)
from shared.clock import today


async def test_first_loan_interest_subsidy_from_repayment_records(suite):
    """10,000,000 元 drawn 2025-07-15 at 3.65 % (1,000 元 a day) by a municipal SRDI enterprise whose
    title is revoked on 2025-11-01: the rate switches from 40 % to 20 % on that date."""
    srdi = await register(suite)
    cert = await certify(suite, srdi, "municipal_srdi", "2025-06-01")
    await wait_entry(suite, srdi, "on the list", listed=True)
    loan = await drawn_loan(suite, srdi, drawn=10_000_000, rate_bp=365)
    c, office = bank(suite), suite.client("finance", role="finance")
    rep = f"{LOANS}/{loan}/repayments"
    q3 = {"paid_on": "2025-09-30", "period_from": "2025-07-15", "period_to": "2025-09-30", "interest_yuan": 78_000}
    for bad in ({**q3, "interest_yuan": 78_002},                        # more than the period's interest
                {**q3, "period_from": "2025-07-01"},                    # before the draw
                {**q3, "period_to": "2025-07-01"},                      # period backwards
                {**q3, "paid_on": "2099-01-01"},                        # in the future
                {**q3, "principal_yuan": 10_000_001}, {**q3, "interest_yuan": -1}, {**q3, "paid_on": "x"}):
        r = await c.post(rep, json=bad)
        assert r.status_code == 422, (bad, r.text)
    assert (await bank(suite, "B2").post(rep, json=q3)).status_code == 404
    assert (await office.post(rep, json=q3)).status_code == 403
    assert (await c.post(rep, json=q3)).status_code == 201
    r = await c.post(rep, json={"paid_on": "2025-12-31", "period_from": "2025-10-01", "period_to": "2025-12-31",
                                "principal_yuan": 1_000_000, "interest_yuan": 92_000})
    assert r.status_code == 201, r.text
    await revoke(suite, cert, "2025-11-01")
    await wait_entry(suite, srdi, "off the list", listed=False)
    sub = f"{LOANS}/{loan}/interest-subsidy"
    assert (await bank(suite, "B2").get(sub)).status_code == 404
    assert (await suite.client("finance", role="talent").get(sub)).status_code == 403
    doc = (await c.get(sub)).json()
    # Q3: 78,000 × 40 % = 31,200; Q4: 31 certified days × 1,000 × 40 % + 61,000 × 20 % = 12,400 + 12,200
    assert [(q["quarter"], q["amount_yuan"]) for q in doc["quarters"]] == [("2025Q3", 31_200), ("2025Q4", 24_600)]
    assert doc["certified_from"] == [["2025-06-01", "2025-10-31"]] and doc["eligible"]
    assert all(q["payable"] for q in doc["quarters"]) and doc["outstanding_yuan"] == 55_800
    assert {p["key"] for p in doc["parameters"]} >= {"finance.first_loan_subsidy.certified_rate_bp"}
    # the finance office asks the treasury quarter by quarter, once each (the treasury pays in awards)
    pay = f"{LOANS}/{loan}/interest-subsidy/2025Q3/request"
    assert (await suite.client("finance", role=None).post(pay)).status_code == 401
    assert (await c.post(pay)).status_code == 403
    assert (await suite.client("finance", role="treasury").post(pay)).status_code == 403
    r = await office.post(pay)
    assert r.status_code == 201 and r.json()["amount_yuan"] == 31_200, r.text
    assert (await office.post(pay)).status_code == 409
    assert (await office.post(f"{LOANS}/{loan}/interest-subsidy/2025Q1/request")).status_code == 422
    assert (await office.post(f"{LOANS}/{loan}/interest-subsidy/2025Q5/request")).status_code == 422
    assert (await office.post(f"{LOANS}/999999/interest-subsidy/2025Q3/request")).status_code == 404
    # interest paid this quarter is subsidised after the quarter is over
    now = today()
    r = await c.post(rep, json={"paid_on": now.isoformat(), "period_from": "2026-01-01", "period_to": "2026-01-31",
                                "interest_yuan": 31_000})
    assert r.status_code == 201, r.text
    r = await office.post(f"{LOANS}/{loan}/interest-subsidy/{now.year}Q{(now.month - 1) // 3 + 1}/request")
    assert r.status_code == 422 and r.json()["type"].endswith("quarter-not-over")
    full = (await office.get(f"{LOANS}/{loan}")).json()
    assert full["interest_subsidy"]["asked_yuan"] == 31_200 and len(full["repayments"]) == 3
    assert full["interest_subsidy"]["quarters"][0]["asked"]["amount_yuan"] == 31_200
    # not a first loan: nothing to pay
    other = await listed_enterprise(suite)
    not_first = await drawn_loan(suite, other, first_loan=False)
    await c.post(f"{LOANS}/{not_first}/repayments", json={**q3, "interest_yuan": 1_000})
    r = await office.post(f"{LOANS}/{not_first}/interest-subsidy/2025Q3/request")
    assert r.status_code == 422 and r.json()["type"].endswith("not-first-loan")
    assert (await c.get(f"{LOANS}/{not_first}/interest-subsidy")).json()["total_yuan"] == 0
    # not drawn yet: no schedule
    applied = (await c.post(LOANS, json={"uscc": other, "applied_yuan": 1, "applied_on": "2025-07-01"})).json()["id"]
    assert (await c.get(f"{LOANS}/{applied}/interest-subsidy")).status_code == 409
    assert (await office.post(f"{LOANS}/{applied}/interest-subsidy/2025Q3/request")).status_code == 409


async def test_each_days_interest_counts_once_and_each_quarter_is_paid_once(suite):
    """A resent or overlapping repayment record would count the same days' interest twice in the
    首贷贴息: it is refused (422 period-overlap); a principal-only record may fall in any period. Three
    requests racing to ask for one quarter: one payable."""
    import asyncio

    from sqlalchemy import select

    from services.finance.tables import Payable

    uscc = await listed_enterprise(suite)  # municipal SRDI from 2025-06-01: 40 % all year
    loan = await drawn_loan(suite, uscc, drawn=10_000_000, rate_bp=365)
    c, office = bank(suite), suite.client("finance", role="finance")
    rep = f"{LOANS}/{loan}/repayments"
    q3 = {"paid_on": "2025-09-30", "period_from": "2025-07-15", "period_to": "2025-09-30", "interest_yuan": 78_000}
    assert (await c.post(rep, json=q3)).status_code == 201
    for bad in (q3,                                                                   # the same record again
                {**q3, "paid_on": "2025-10-02", "period_from": "2025-09-30", "period_to": "2025-10-02",
                 "interest_yuan": 3_000},                                             # one day overlaps
                {**q3, "period_from": "2025-08-01", "period_to": "2025-08-31", "interest_yuan": 31_000}):  # inside
        r = await c.post(rep, json=bad)
        assert r.status_code == 422 and r.json()["type"].endswith("period-overlap"), (bad, r.text)
        assert r.json()["existing"]["period_from"] == "2025-07-15" and r.json()["detail_zh"]
    r = await c.post(rep, json={**q3, "principal_yuan": 1_000_000, "interest_yuan": 0})  # principal only
    assert r.status_code == 201, r.text
    r = await c.post(rep, json={**q3, "paid_on": "2025-10-31", "period_from": "2025-10-01", "period_to": "2025-10-31",
                                "interest_yuan": 31_000})  # the next period: fine
    assert r.status_code == 201, r.text
    doc = (await c.get(f"{LOANS}/{loan}/interest-subsidy")).json()
    assert [(q["quarter"], q["interest_paid_yuan"], q["amount_yuan"]) for q in doc["quarters"]] == [
        ("2025Q3", 78_000, 31_200), ("2025Q4", 31_000, 12_400)]
    answers = await asyncio.gather(*(office.post(f"{LOANS}/{loan}/interest-subsidy/2025Q3/request") for _ in range(3)))
    assert sorted(r.status_code for r in answers) == [201, 409, 409], [r.text for r in answers]
    assert [r.json()["amount_yuan"] for r in answers if r.status_code == 201] == [31_200]
    with suite.db("finance").reader() as s:
        assert [p.amount_yuan for p in s.scalars(select(Payable).where(Payable.loan_id == loan))] == [31_200]
    assert (await c.get(f"{LOANS}/{loan}/interest-subsidy")).json()["asked_yuan"] == 31_200


async def case(suite, uscc, org, applied, decided, drawn, first_loan=None, amount=10_000_000, rate_bp=365):
    """A case reported, approved and drawn by bank `org` on the given dates (first_loan: what the bank declares)."""
    c = bank(suite, org)
    r = await c.post(LOANS, json={"uscc": uscc, "applied_yuan": amount, "applied_on": applied,
                                  **({} if first_loan is None else {"first_loan": first_loan})})
    assert r.status_code == 201, r.text
    loan = r.json()["id"]
    assert (await c.post(f"{LOANS}/{loan}/decision", json={"approved": True, "decided_on": decided})).status_code == 200
    r = await c.post(f"{LOANS}/{loan}/draw", json={"drawn_yuan": amount, "drawn_on": drawn, "rate_bp": rate_bp,
                                                   "due_on": "2027-06-30"})
    assert r.status_code == 200, r.text
    return loan


async def interest(suite, org, loan, period_from, period_to="2025-09-30", paid_on="2025-09-30"):
    days = (dt.date.fromisoformat(period_to) - dt.date.fromisoformat(period_from)).days + 1
    r = await bank(suite, org).post(f"{LOANS}/{loan}/repayments", json={
        "paid_on": paid_on, "period_from": period_from, "period_to": period_to, "interest_yuan": days * 1_000})
    assert r.status_code == 201, r.text


async def test_the_first_loan_is_decided_by_finance_across_every_banks_cases(suite):
    """Issue 13: "two banks each declare a 'first loan' for the same enterprise and both are subsidised"
    must not happen. The first loan is the enterprise's earliest drawn case at any bank; a bank's
    declaration cannot make a case first; each bank still sees only its own cases."""
    from sqlalchemy import select

    from services.finance.tables import Payable

    uscc = await listed_enterprise(suite)  # municipal SRDI from 2025-06-01
    a = await case(suite, uscc, "B1", "2025-07-01", "2025-07-10", "2025-07-15", first_loan=True)
    b = await case(suite, uscc, "B2", "2025-07-20", "2025-07-25", "2025-08-01", first_loan=True)
    await interest(suite, "B1", a, "2025-07-15")
    await interest(suite, "B2", b, "2025-08-01")
    doc_a = (await bank(suite, "B1").get(f"{LOANS}/{a}")).json()
    doc_b = (await bank(suite, "B2").get(f"{LOANS}/{b}")).json()
    assert (doc_a["first_loan"], doc_a["first_loan_reason"]) == (True, None)
    assert (doc_b["first_loan"], doc_b["first_loan_reason"]) == (False, "another-first-loan")
    assert doc_b["interest_subsidy"]["eligible"] is False and doc_b["interest_subsidy"]["total_yuan"] == 0
    # B2 learns that its case is not the first, not whose case is: still only its own cases
    r = await bank(suite, "B2").get(LOANS, params={"uscc": uscc})
    # (not `"B1" not in r.text`: a random USCC may hold those two characters)
    assert [x["id"] for x in r.json()["items"]] == [b] and '"bank":"B1"' not in r.text
    assert (await bank(suite, "B2").get(f"{LOANS}/{a}")).status_code == 404
    # finance asks for both quarters at once: one is the first loan
    office = suite.client("finance", role="finance")
    ra, rb = await asyncio.gather(office.post(f"{LOANS}/{a}/interest-subsidy/2025Q3/request"),
                                  office.post(f"{LOANS}/{b}/interest-subsidy/2025Q3/request"))
    assert ra.status_code == 201 and ra.json()["amount_yuan"] == 78_000 * 40 // 100, ra.text
    assert rb.status_code == 422 and rb.json()["type"].endswith("not-first-loan"), rb.text
    assert rb.json()["first_loan_reason"] == "another-first-loan"
    # a third bank reports a case drawn earlier, after the subsidy was paid: it does not become a second first loan
    c = await case(suite, uscc, "B3", "2025-06-10", "2025-06-20", "2025-07-01", first_loan=True)
    await interest(suite, "B3", c, "2025-07-01")
    assert (await bank(suite, "B3").get(f"{LOANS}/{c}")).json()["first_loan"] is False
    r = await office.post(f"{LOANS}/{c}/interest-subsidy/2025Q3/request")
    assert r.status_code == 422 and r.json()["type"].endswith("not-first-loan")
    assert (await bank(suite, "B1").get(f"{LOANS}/{a}")).json()["first_loan"] is True
    with suite.db("finance").reader() as s:
        paid = s.scalars(select(Payable.loan_id).where(Payable.loan_id.in_([a, b, c]))).all()
    assert paid == [a]

    # before anything is paid, the case drawn first is the first loan, whichever was reported first
    other = await listed_enterprise(suite)
    later = await case(suite, other, "B1", "2025-07-01", "2025-07-10", "2025-07-15")
    earlier = await case(suite, other, "B2", "2025-06-01", "2025-06-10", "2025-06-20")
    assert (await bank(suite, "B1").get(f"{LOANS}/{later}")).json()["first_loan"] is False
    assert (await bank(suite, "B2").get(f"{LOANS}/{earlier}")).json()["first_loan"] is True
    # a bank that reports an earlier bank loan of the enterprise takes first-loan status away, and no
    # other bank's declaration gives it back
    third = await listed_enterprise(suite)
    declared = await case(suite, third, "B1", "2025-07-01", "2025-07-10", "2025-07-15", first_loan=False)
    claimed = await case(suite, third, "B2", "2025-07-20", "2025-07-25", "2025-08-01", first_loan=True)
    doc = (await bank(suite, "B1").get(f"{LOANS}/{declared}")).json()
    assert (doc["first_loan"], doc["first_loan_reason"], doc["prior_loan_declared"]) == (False, "prior-loan-declared",
                                                                                         True)
    assert (await bank(suite, "B2").get(f"{LOANS}/{claimed}")).json()["first_loan"] is False
