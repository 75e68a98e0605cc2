"""The treasury's recoveries and carry-over pages (issue 19): a claw-back's receivable named and in 万元,
repayments recorded from the page (a refusal beside its field), and an award refused for lack of budget
carried to the next year."""
from __future__ import annotations

from services.portal.tests.helpers import award_of, fund
from services.portal.tests.test_words import no_raw_code
from shared.clock import today
from shared.testing import make_uscc


async def paid_then_clawed_back(suite, uscc: str, name: str) -> dict:
    reg, treasury = suite.client("registry"), suite.client("awards", role="treasury")
    assert (await reg.post("/api/v1/enterprises", json={"uscc": uscc, "name": name})).status_code == 201
    cert = (await reg.post(f"/api/v1/enterprises/{uscc}/certifications",
                           json={"tier": "municipal_srdi", "recognized_on": "2025-03-01"})).json()
    await suite.settled()
    award = await award_of(suite, uscc)
    assert (await suite.client("awards").post(f"/api/v1/awards/{award['id']}/review")).status_code == 200
    assert (await treasury.post(f"/api/v1/awards/{award['id']}/approve")).status_code == 200
    assert (await treasury.post(f"/api/v1/awards/{award['id']}/disburse", json={"voucher": f"FK-{uscc}"})
            ).status_code == 200
    r = await reg.post(f"/api/v1/certifications/{cert['id']}/revoke",
                       json={"reason": "虚假申报", "for_cause": True, "revoked_on": "2025-06-01"})
    assert r.status_code == 200, r.text
    await suite.settled()
    assert (await award_of(suite, uscc))["state"] == "clawed_back"
    return award


async def test_treasury_records_repayments_of_a_claw_back(portal, suite):
    await fund(suite)
    u = make_uscc()
    award = await paid_then_clawed_back(suite, u, "北京追回页面测试有限公司")
    await portal.login("treasury")
    page = await portal.http.get("/recoveries")
    assert page.status_code == 200 and "北京追回页面测试有限公司" in page.text and "30 万元" in page.text
    assert "待追回" in page.text and "追回与结转" in page.text  # the nav link
    no_raw_code(page.text, "/recoveries")
    [rec] = (await suite.client("awards", role="treasury").get("/api/v1/receivables", params={"uscc": u})
             ).json()["items"]
    assert rec["award_id"] == award["id"]
    detail = f"/recoveries/{rec['id']}"
    assert 'id="repay-amount"' in (await portal.http.get(detail)).text

    on = today().isoformat()
    r = await portal.post(f"{detail}/repay", {"amount": "十万", "on": on, "voucher": "SK-1"}, page=detail)
    assert r.status_code == 422 and 'id="repay-amount-error"' in r.text and "十万" in r.text  # typed kept
    r = await portal.post(f"{detail}/repay", {"amount": "400,000", "on": on, "voucher": "SK-1"}, page=detail)
    assert r.status_code == 422 and 'id="repay-amount-error"' in r.text and "尚欠" in r.text  # the service's 409
    r = await portal.post(f"{detail}/repay", {"amount": "100,000", "on": "2099-01-01", "voucher": "SK-1"}, page=detail)
    assert r.status_code == 422 and 'id="repay-on-error"' in r.text
    r = await portal.post(f"{detail}/repay", {"amount": "100,000", "on": on, "voucher": "SK-1"}, page=detail)
    assert r.status_code == 303 and r.headers["location"] == detail
    page = (await portal.http.get(detail)).text
    assert "部分追回" in page and "200,000 元" in page and "SK-1" in page
    r = await portal.post(f"{detail}/repay", {"amount": "200000", "on": on, "voucher": "sk-1"}, page=detail)
    assert r.status_code == 422 and 'id="repay-voucher-error"' in r.text  # one voucher, one repayment
    r = await portal.post(f"{detail}/repay", {"amount": "200000", "on": on, "voucher": "SK-2"}, page=detail)
    assert r.status_code == 303
    page = (await portal.http.get(detail)).text
    assert "已全部追回" in page and 'id="repay-amount"' not in page
    got = (await suite.client("awards", role="auditor").get(f"/api/v1/receivables/{rec['id']}")).json()
    assert (got["recovered_yuan"], got["outstanding_yuan"]) == (300_000, 0)

    await portal.login("econ")  # reads, records nothing
    assert 'id="repay-amount"' not in (await portal.http.get(detail)).text
    assert (await portal.post(f"{detail}/repay", {"amount": "1", "on": on, "voucher": "SK-3"}, page=detail)
            ).status_code == 403
    await portal.login("talent")
    assert (await portal.http.get("/recoveries")).status_code == 403


async def test_treasury_carries_an_award_refused_for_lack_of_budget(portal, suite):
    year = today().year
    treasury = suite.client("awards", role="treasury")
    await fund(suite)
    v = make_uscc()
    reg = suite.client("registry")
    assert (await reg.post("/api/v1/enterprises", json={"uscc": v, "name": "北京结转页面测试有限公司"})).status_code == 201
    assert (await reg.post(f"/api/v1/enterprises/{v}/certifications",
                           json={"tier": "municipal_srdi", "recognized_on": "2025-03-01"})).status_code == 201
    await suite.settled()
    award = await award_of(suite, v)
    assert (await suite.client("awards").post(f"/api/v1/awards/{award['id']}/review")).status_code == 200
    [tier] = [i for i in (await treasury.get(f"/api/v1/budgets/{year}")).json()["items"] if i["program"] == "tier"]
    committed = tier["reserved_yuan"] + tier["disbursed_yuan"]
    assert (await treasury.put(f"/api/v1/budgets/{year}/tier", json={"allocated_yuan": committed})).status_code == 200
    assert (await treasury.post(f"/api/v1/awards/{award['id']}/approve")).status_code == 409

    await portal.login("treasury")
    page = await portal.http.get(f"/carry-over?year={year}")
    assert page.status_code == 200 and "北京结转页面测试有限公司" in page.text and "当年预算不足" in page.text
    assert f'value="{award["id"]}"' in page.text and f"结转至 {year + 1} 年度" in page.text
    no_raw_code(page.text, "/carry-over")
    assert (await portal.post(f"/carry-over/{year}", {}, page="/carry-over")).status_code == 303  # none ticked
    r = await portal.post(f"/carry-over/{year}", {"award_id": str(award["id"]), "note": "预算用尽"}, page="/carry-over")
    assert r.status_code == 303 and r.headers["location"] == f"/carry-over?year={year}"
    page = (await portal.http.get(f"/carry-over?year={year}")).text
    assert f"已结转至 {year + 1} 年度" in page and "预算用尽" in page
    nxt = (await treasury.get(f"/api/v1/budgets/{year + 1}")).json()
    assert nxt["total"]["carried_over_yuan"] == 300_000
    assert "上年结转待批" in (await portal.http.get(f"/budgets?year={year + 1}")).text
    assert (await portal.http.get("/carry-over?year=20x6")).status_code == 422

    await portal.login("econ")
    page = (await portal.http.get(f"/carry-over?year={year}")).text
    assert 'name="award_id"' not in page
    assert (await portal.post(f"/carry-over/{year}", {"award_id": str(award["id"])}, page="/carry-over")
            ).status_code == 403
