"""The finance summary (the leadership report's finance part): per year loans applied and drawn,
first-loan subsidies, risk compensations, guidance-fund investments and their SRDI share."""
import datetime as dt

import pytest

from services.finance.summary import rules
from services.finance.tables import Loan, Payable, RiskSplit
from services.finance.tests.helpers import certify, register, wait_entry
from shared.clock import today
from shared.testing import Suite

D = dt.date


def test_rules_sum_per_year():
    got = rules.per_year(2024, 2025, [(D(2024, 12, 1), 100, D(2025, 1, 5), 90), (D(2023, 5, 1), 7, D(2024, 1, 1), 7)],
                         [("2025Q1", 30)], [(D(2025, 6, 1), 40)], [(D(2024, 3, 1), 500)])
    assert (got[2024]["loans_applied"], got[2024]["applied_yuan"], got[2024]["loans_drawn"]) == (1, 100, 1)
    assert (got[2025]["drawn_yuan"], got[2025]["subsidy_yuan"], got[2025]["compensation_yuan"]) == (90, 30, 40)
    assert got[2024]["invested_yuan"] == 500 and got[2025]["investments"] == 0


@pytest.fixture
async def two(tmp_path):
    s = await Suite(tmp_path, services=("registry", "finance")).start()
    yield s
    await s.stop()


async def test_summary_per_year(two):
    suite = two
    srdi, plain = await register(suite), await register(suite)
    await certify(suite, srdi, "municipal_srdi", "2024-01-10")
    await wait_entry(suite, srdi, "on the list", listed=True)
    await suite.settled()
    fin = suite.client("finance", role="finance")
    r = await fin.post("/api/v1/guidance-funds", json={"name": "报告测试引导基金"})
    assert r.status_code == 201, r.text
    inv = f"/api/v1/guidance-funds/{r.json()['id']}/investments"
    for uscc, on in ((srdi, "2024-03-01"), (plain, "2025-03-01")):
        r = await fin.post(inv, json={"uscc": uscc, "invested_on": on, "amount_yuan": 5_000_000})
        assert r.status_code == 201, r.text
    with suite.db("finance").transaction() as s:
        a = Loan(bank="B1", uscc=srdi, applied_yuan=2_000_000, applied_on=D(2024, 11, 1), state="drawn",
                 drawn_yuan=1_800_000, drawn_on=D(2025, 1, 10))
        b = Loan(bank="B1", uscc=plain, applied_yuan=1_000_000, applied_on=D(2025, 2, 1), state="non_performing",
                 drawn_yuan=1_000_000, drawn_on=D(2025, 2, 10), closed_on=D(2025, 8, 1))
        s.add_all([a, b])
        s.flush()
        s.add(Payable(kind="first_loan_subsidy", loan_id=a.id, ref="2025Q1", uscc=srdi, payee=srdi, payee_type="enterprise",
                      amount_yuan=12_000, basis={}, state="paid", requested_by="t", requested_on=D(2025, 4, 2)))
        s.add(Payable(kind="first_loan_subsidy", loan_id=a.id, ref="2025Q2", uscc=srdi, payee=srdi, payee_type="enterprise",
                      amount_yuan=9_000, basis={}, requested_by="t", requested_on=D(2025, 7, 2)))  # asked, not paid
        s.add(RiskSplit(loan_id=b.id, outstanding_yuan=800_000, bank_yuan=400_000, guarantor_yuan=400_000,
                        compensation_yuan=160_000, basis={}))
    r = await suite.client("finance", role="econ").get("/api/v1/summary", params={"from_year": 2024, "to_year": 2025})
    assert r.status_code == 200, r.text
    y24, y25 = r.json()["years"]
    assert (y24["loans_applied"], y24["applied_yuan"], y24["loans_drawn"]) == (1, 2_000_000, 0)
    assert (y25["loans_applied"], y25["loans_drawn"], y25["drawn_yuan"]) == (1, 2, 2_800_000)
    assert (y25["subsidy_yuan"], y25["compensations"], y25["compensation_yuan"]) == (12_000, 1, 160_000)
    assert (y24["investments"], y24["fund_enterprises"], y24["fund_srdi_enterprises"], y24["fund_share_bp"]) == (
        1, 1, 1, 10_000)
    assert (y25["fund_enterprises"], y25["fund_srdi_enterprises"], y25["fund_share_bp"]) == (2, 1, 5_000)
    assert y25["fund_meets_floor"] is True and y24["on"] == "2024-12-31"
    old = (await fin.get("/api/v1/summary", params={"from_year": 2000, "to_year": 2001})).json()
    assert [y["fund_enterprises"] for y in old["years"]] == [0, 0]  # before the floor's first row: that row applies
    for bad in ({"from_year": 2025, "to_year": 2024}, {"from_year": 2024, "to_year": today().year + 1},
                {"to_year": 2024}):
        r = await fin.get("/api/v1/summary", params=bad)
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), bad
    assert (await suite.client("finance", role="bank", org="B1").get(
        "/api/v1/summary?from_year=2024&to_year=2025")).status_code == 403
    for role in ("treasury", "auditor"):
        assert (await suite.client("finance", role=role).get(
            "/api/v1/summary?from_year=2024&to_year=2025")).status_code == 200
    await suite.settled()
