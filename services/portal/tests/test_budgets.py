"""The treasury's budget page: set an allocation in 万元 (exactly, whole 元), see what approvals
reserved and what was paid, a refusal beside the field, and the year's ledger as a download."""
from __future__ import annotations

from services.portal.pages.common import decimal_units, wan_to_yuan
from services.portal.tests.helpers import award_of, promote
from shared.clock import today
from shared.testing import make_uscc


def test_wan_to_yuan_is_exact():
    assert [wan_to_yuan(t) for t in ("500", "12.5", "1,200", "0.0001", " 3 ")] == [
        5_000_000, 125_000, 12_000_000, 1, 30_000]
    assert [wan_to_yuan(t) for t in ("", "-1", "1.23456", "1e3", "五百", "１２")] == [None] * 6
    assert (decimal_units("3.45", 2), decimal_units("4", 2), decimal_units("3.456", 2)) == (345, 400, None)


async def test_treasury_sets_a_budget_and_sees_it_reserved_and_paid(portal, suite):
    year = today().year
    u = make_uscc()
    await promote(suite, u, name="北京预算页面测试有限公司")
    award = await award_of(suite, u)
    await portal.login("treasury")
    page = (await portal.http.get(f"/budgets?year={year}")).text
    assert f"{year} 年奖励预算执行" in page and 'id="alloc-tier"' in page
    r = await portal.post(f"/budgets/{year}/tier", {"allocated_wan": "12.3456789"}, page="/budgets")
    assert r.status_code == 422 and 'id="alloc-err-tier"' in r.text and "12.3456789" in r.text
    r = await portal.post(f"/budgets/{year}/tier", {"allocated_wan": "1000000001"}, page="/budgets")
    assert r.status_code == 422 and "金额不得超过 1,000,000,000 万元" in r.text  # the limit in the form's unit
    r = await portal.post(f"/budgets/{year}/tier", {"allocated_wan": "5,000"}, page="/budgets")
    assert r.status_code == 303 and r.headers["location"] == f"/budgets?year={year}#budget-tier"
    got = (await suite.client("awards", role="treasury").get(f"/api/v1/budgets/{year}")).json()
    [tier] = [i for i in got["items"] if i["program"] == "tier"]
    assert tier["allocated_yuan"] == 50_000_000

    assert (await suite.client("awards").post(f"/api/v1/awards/{award['id']}/review")).status_code == 200
    assert (await suite.client("awards", role="treasury").post(f"/api/v1/awards/{award['id']}/approve")).status_code == 200
    page = (await portal.http.get(f"/budgets?year={year}")).text
    assert "已预留（已批准未拨付）" in page and "30 万元" in page  # the approval's reservation
    # Below what is committed: the awards service refuses, said beside the field.
    r = await portal.post(f"/budgets/{year}/tier", {"allocated_wan": "1"}, page="/budgets")
    assert r.status_code == 422 and 'id="alloc-err-tier"' in r.text

    r = await portal.http.get(f"/budgets/{year}/ledger.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK" and "spreadsheet" in r.headers["content-type"]
    r = await portal.http.get(f"/budgets/{year}/disbursements.csv")
    assert r.status_code == 200 and "text/csv" in r.headers["content-type"]
    assert (await portal.http.get(f"/budgets/{year}/secrets.csv")).status_code == 404
    assert (await portal.http.get("/budgets?year=20x6")).status_code == 422

    await portal.login("econ")  # reads, sets nothing
    assert 'id="alloc-tier"' not in (await portal.http.get(f"/budgets?year={year}")).text
    assert (await portal.post(f"/budgets/{year}/tier", {"allocated_wan": "1"}, page="/budgets")).status_code == 403


async def test_the_years_ledger_on_screen(portal, suite):
    """The treasury reads the year's ledger a page at a time: each entry's kind in words, the award,
    the enterprise and payee by name, the amount; filtered by enterprise; a bad code beside the filter."""
    from services.portal.tests.test_words import no_raw_code
    year = today().year
    u = make_uscc()
    await promote(suite, u, name="北京台账页面测试有限公司")
    award = await award_of(suite, u)
    await portal.login("treasury")
    assert f'href="/budgets/{year}/ledger"' in (await portal.http.get(f"/budgets?year={year}")).text
    path = "/budgets/2025/ledger"  # the award is booked on its decision day, the recognition's (2025-03-01)
    page = (await portal.http.get(path, params={"uscc": u})).text
    entries = (await suite.client("awards", role="treasury").get("/api/v1/ledger", params={"year": 2025, "uscc": u})).json()
    assert entries["items"] and all(f"<td>{e['id']}</td>" in page for e in entries["items"])
    assert "奖励核定" in page and "北京台账页面测试有限公司" in page and f'href="/awards/{award["id"]}"' in page
    assert f"{award['amount_yuan']:,} 元" in page
    no_raw_code(page, path)
    r = await portal.http.get(path, params={"uscc": "9111"})
    assert r.status_code == 422 and 'id="uscc-error"' in r.text
    assert (await portal.http.get("/budgets/20x6/ledger")).status_code in (404, 422)
    await portal.login("bank", "BOB")
    assert (await portal.http.get(path)).status_code == 403
