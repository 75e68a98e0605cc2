"""Issue 17's remaining daily pages in Chromium (Playwright, real TCP; test_browser_programme_year's stack
with the municipal platform simulator):
(a) econ: 到期复核 → an enterprise's filings (a missed annual update recorded); 走访与宣讲 (a visit);
    上级项目申报 (a programme, an application); 市级平台任务 (a sync started and followed); a park
    registered and its entry corrected by the park itself, an incubatee graduated.
(b) the treasury's 奖励台账 on screen; a bank's service-list sync view; a guarantor's 承保决定.

Every page: named controls, plain Chinese, no raw code, no sideways scroll at 390 px (`check`); with
SRDI_SCREENSHOTS=docs/portal each is saved for the liaisons' guide."""
from __future__ import annotations

import datetime as dt
import re

import httpx

from services.portal.tests.test_browser import BROWSER_ONLY, api, flash_says, sign_in, sign_out, wait_until
from services.portal.tests.test_browser_outreach import new_page
from services.portal.tests.test_browser_programme_year import browser, check, created, enterprise, stack
from shared.auth import issue_token
from shared.clock import today
from shared.testing import SIGNING_KEY

__all__ = ["browser", "stack"]

pytestmark = BROWSER_ONLY


def test_econs_upkeep_pages_and_a_parks_own_entry(stack, browser):
    portal, on = stack["portal"], today()
    coming = dt.date(on.year - 3, on.month, min(on.day, 28)) + dt.timedelta(days=60)
    due = enterprise(stack, "北京复核到期示范科技有限公司", "municipal_srdi", recognized_on=coming.isoformat())
    page, errors = new_page(browser)
    sign_in(page, portal, "econ", "李经信")

    # -- 到期复核 → the enterprise's filings: the missed year recorded
    page.goto(portal + "/renewals")
    row = page.locator("tr", has_text="北京复核到期示范科技有限公司")
    missed = re.search(r"漏报 (\d{4})", row.inner_text()).group(1)
    check(page, "econ-renewals", show="table")
    row.get_by_role("link", name="年度更新与变更报告").click()
    page.wait_for_url(portal + f"/enterprises/{due}/filings")
    page.fill("#annual-updates-year", missed)
    page.fill("#annual-updates-submitted_on", f"{missed}-04-20")
    page.get_by_role("button", name="登记年度更新").click()
    flash_says(page, "已登记")
    page.select_option("#change-reports-kind", "rename")
    page.fill("#change-reports-changed_on", (on - dt.timedelta(days=10)).isoformat())
    page.get_by_role("button", name="登记变更报告").click()
    flash_says(page, "已登记重大变更报告")
    assert "更名" in page.locator("#change-reports ~ table, section").first.inner_text()
    check(page, "econ-filings")

    # -- 走访与宣讲: a visit
    page.goto(portal + "/visits")
    page.fill("#visit-uscc", due)
    page.fill("#visit-on", on.isoformat())
    page.fill("#visit-who", "李经信")
    page.fill("#visit-found", "企业准备复核材料")
    page.get_by_role("button", name="登记走访").click()
    flash_says(page, "走访已登记")
    assert "北京复核到期示范科技有限公司" in page.locator("main").inner_text()
    check(page, "econ-visits")

    # -- 上级项目申报: a programme and an application
    page.goto(portal + "/programmes")
    page.fill("#prog-name", "北京市专精特新发展专项（示范）")
    page.select_option("#prog-level", "municipal")
    page.fill("#prog-authority", "北京市经济和信息化局")
    page.fill("#prog-window_opens", (on - dt.timedelta(days=10)).isoformat())
    page.fill("#prog-window_closes", (on + dt.timedelta(days=5)).isoformat())
    page.fill("#prog-max_wan", "50")
    page.get_by_role("button", name="登记项目").click()
    flash_says(page, "已登记上级项目")
    page.fill("#app-uscc", due)
    page.fill("#app-requested_wan", "30")
    page.get_by_role("button", name="登记申报").click()
    flash_says(page, "已登记申报")
    check(page, "econ-programme")

    # -- 市级平台任务: a sync of the published list, followed to its end
    page.goto(portal + "/platform-jobs")
    page.get_by_role("button", name="从市级平台同步认定名单").click()
    page.locator("#job", has_text="已完成").wait_for(timeout=60_000)
    page.goto(portal + "/platform-jobs")
    check(page, "econ-platform-jobs")

    # -- a park registered, then its own entry corrected by the park; an incubatee graduated
    page.goto(portal + "/parks")
    page.fill("#new-name", "房山示范智造园")
    page.fill("#new-area_mu", "120.5")
    page.select_option("#new-township", "窦店镇")
    page.get_by_role("button", name="登记园区").click()
    flash_says(page, "已登记园区")
    park_id = page.url.rsplit("/", 1)[1]
    firm = enterprise(stack, "北京示范孵化科技有限公司", park_id=park_id)
    wait_until(lambda: api(stack, "parks", "econ", "GET", f"/parks/{park_id}/enterprises").json()["items"],
               "the parks service to place the enterprise")
    created(api(stack, "parks", "econ", "POST", f"/parks/{park_id}/incubations",
                json={"uscc": firm, "entered_on": f"{on.year}-01-05"}))
    sign_out(page, portal)
    sign_in(page, portal, "park", "王园区", org=park_id)
    page.goto(portal + f"/parks/{park_id}")
    page.locator("#entry summary").click()
    page.fill("#entry-operator_org", "房山示范智造园运营有限公司")
    page.get_by_role("button", name="保存修改").click()
    flash_says(page, "已修改园区信息")
    page.locator("input[name=graduated_on]").first.fill(on.isoformat())
    page.get_by_role("button", name="登记出孵").first.click()
    flash_says(page, "已登记出孵")
    assert "出孵 1 家" in page.locator("main").inner_text()
    check(page, "park-entry-and-graduation")
    assert not errors, errors


def test_the_treasurys_ledger_a_banks_sync_and_a_guarantors_decision(stack, browser):
    portal, on = stack["portal"], today()
    firm = enterprise(stack, "北京台账与担保示范科技有限公司", "municipal_srdi")
    wait_until(lambda: api(stack, "finance", "finance", "GET", f"/service-list/{firm}").status_code == 200,
               "the finance service to list the enterprise")
    wait_until(lambda: api(stack, "awards", "treasury", "GET", "/ledger", params={"year": 2025, "uscc": firm}
                           ).json()["items"], "the award's ledger entry")
    page, errors = new_page(browser)
    sign_in(page, portal, "treasury", "赵财政")
    page.goto(portal + "/budgets")
    page.get_by_role("link", name=f"查看 {on.year} 年奖励台账").click()
    page.goto(portal + f"/budgets/2025/ledger?uscc={firm}")
    assert "奖励核定" in page.locator("main").inner_text()
    check(page, "treasury-ledger")
    sign_out(page, portal)

    product = created(api(stack, "finance", "finance", "POST", "/products", json={
        "kind": "guarantee", "name": "专精特新保（示范）", "provider_org": "BJ-GUARANTEE", "description": "示范担保产品"}))
    loan = created(httpx.post(stack["finance"] + "/api/v1/loans", timeout=30, json={
        "uscc": firm, "applied_yuan": 2_000_000, "applied_on": on.isoformat(), "product_id": product["id"]},
        headers={"Authorization": f"Bearer {issue_token(SIGNING_KEY, 'bank', 'BOB')}"}))
    sign_in(page, portal, "bank", "钱银行", org="BOB")
    page.goto(portal + "/service-list")
    page.fill("#changed_since", "2025-01-01")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(lambda url: "changed_since=2025-01-01" in url)
    assert "北京台账与担保示范科技有限公司" in page.locator("main").inner_text()
    check(page, "bank-service-list-sync")
    sign_out(page, portal)
    sign_in(page, portal, "bank", "孙担保", org="BJ-GUARANTEE")
    page.goto(portal + f"/loans/{loan['id']}")
    page.select_option("#provider-decision-approved", "1")
    page.fill("#provider-decision-decided_on", on.isoformat())
    page.fill("#provider-decision-reason", "反担保措施充足")
    page.get_by_role("button", name="承保决定").click()
    flash_says(page, "承保决定已登记")
    assert "同意承保" in page.locator("main").inner_text()
    check(page, "guarantor-decision")
    assert not errors, errors
