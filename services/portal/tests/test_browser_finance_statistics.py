"""Issue 17's daily work in a real browser: Debian's Chromium driven by Playwright, over real TCP.

NATS, the six services and the portal run as uvicorn processes (test_browser's `stack`).
(a) The financial office's programme pages: it adds a product to the catalogue (an insurance product
without its type is refused beside the field first), records a matchmaking event with a bank and an
enterprise (and another the bank did not attend), records a listing stage, a guidance fund and an
investment of it; then the bank signs in and sees the event it attended, with its own case, but not
the other, and reads the product catalogue.
(b) The lead bureau's statistics pages: econ screens for a title with one enterprise met and one near
(indicators set through the registry), counts titles by township and by park (the workbook downloaded
through the page's link and opened), and reads the year's targets with their chart; the auditor reads
the screening list, with nothing to change.

Every page on the way: reachable and named controls, plain Chinese, no raw code or trace, and no
sideways scroll at 390 px (test_browser_programme_year's `check`). With SRDI_SCREENSHOTS=docs/portal,
each page is also saved there at 1280×800 for the liaisons' guide (docs/portal/README.md).
"""
from __future__ import annotations

import re

import httpx
from openpyxl import load_workbook

from services.portal.tests.test_browser import (  # the same fixtures, checks and keyboard helpers
    BROWSER_ONLY,
    api, browser, flash_says, sign_in, sign_out, stack, wait_until,
)
from services.portal.tests.test_browser_outreach import new_page
from services.portal.tests.test_browser_programme_year import MEETS, check, created, enterprise
from services.portal.tests.test_statistics_pages import TOWN, rows_of
from shared.auth import issue_token
from shared.clock import today
from shared.testing import SIGNING_KEY

__all__ = ["browser", "stack"]  # the module-scoped Chromium and suite, shared with test_browser.py

pytestmark = BROWSER_ONLY


def on_service_list(stack, uscc: str) -> None:
    """The finance service knows the enterprise and its title (the registry's events reached it)."""
    wait_until(lambda: api(stack, "finance", "finance", "GET", f"/service-list/{uscc}").status_code == 200,
               "the finance service to know the enterprise")


def test_the_financial_offices_programme_and_a_bank_reading_it(stack, browser):
    portal, on = stack["portal"], today()
    firm = enterprise(stack, "北京房山融资对接示范科技有限公司", "municipal_srdi")
    listed = enterprise(stack, "北京房山拟上市精密制造有限公司", "municipal_srdi")
    on_service_list(stack, firm)
    on_service_list(stack, listed)
    page, errors = new_page(browser)
    sign_in(page, portal, "finance", "周金融")

    # -- 金融产品: an insurance product without its type is refused beside the field, then added
    page.get_by_role("link", name="金融产品").first.click()
    page.wait_for_url(portal + "/financial-products")
    page.locator("details.card summary").click()
    page.select_option("#p-kind", "insurance")
    page.fill("#p-name", "专精特新首批次保险")
    page.select_option("#p-provider", "PICC")
    page.fill("#p-description", "新技术首批次产品质量与责任风险保障，保费由区级财政按比例补贴")
    page.get_by_role("button", name="登记产品").click()
    page.wait_for_selector("#insurance_type-error")
    assert "保险产品请选择险种" in page.locator("#insurance_type-error").inner_text()
    assert page.input_value("#p-name") == "专精特新首批次保险"  # what was typed, kept
    assert api(stack, "finance", "finance", "GET", "/products?limit=500").json()["items"] == []  # nothing recorded
    check(page, "finance-products-refused", show="#insurance_type-error")
    page.select_option("#p-insurance", "first_batch")
    page.get_by_role("button", name="登记产品").click()
    page.wait_for_url(re.compile(r"/financial-products#product-\d+$"))
    flash_says(page, "金融产品已登记：专精特新首批次保险")
    row = page.locator("tr[id^=product-]", has_text="专精特新首批次保险").inner_text()
    assert "专精特新险（保险）" in row and "新技术首批次保险" in row and "中国人民财产保险" in row and "在售" in row, row
    check(page, "finance-products")

    # -- 政银企对接: an event with 北京银行 and the enterprise; another that 北京银行 did not attend
    page.get_by_role("link", name="政银企对接").first.click()
    page.wait_for_url(portal + "/matchmaking")
    page.fill("#m-title", "房山区专精特新企业政银企对接会（第三期）")
    page.fill("#m-held_on", on.isoformat())
    page.fill("#m-venue", "区政务服务中心三层报告厅")
    page.check("input[name=banks][value=BOB]")
    page.fill("#m-enterprises", firm)
    page.get_by_role("button", name="登记活动").click()
    page.wait_for_url(re.compile(r"/matchmaking#event-\d+$"))
    attended = int(page.url.rsplit("-", 1)[1])
    flash_says(page, f"政银企对接活动已登记（编号 {attended}）")
    page.fill("#m-title", "工商银行专场融资对接会")
    page.fill("#m-held_on", on.isoformat())
    page.check("input[name=banks][value=ICBC]")
    page.get_by_role("button", name="登记活动").click()
    flash_says(page, "政银企对接活动已登记")
    other = int(page.url.rsplit("-", 1)[1])
    assert other != attended
    event = page.locator(f"#event-{attended}").inner_text()
    assert "北京银行" in event and "北京房山融资对接示范科技有限公司" in event and "区政务服务中心" in event, event
    check(page, "finance-matchmaking", show=f"#event-{attended}")

    # -- 上市培育: the enterprise's 股改, with its sponsor
    page.get_by_role("link", name="上市培育").first.click()
    page.wait_for_url(portal + "/listings")
    page.fill("#l-uscc", listed)
    page.select_option("#l-stage", "shareholding_reform")
    page.fill("#l-on", on.isoformat())
    page.fill("#l-sponsor", "中信建投证券股份有限公司")
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url(re.compile(r"/listings#listing-"))
    flash_says(page, f"已登记：股改（{on.isoformat()}）")
    row = page.locator(f"#listing-{listed}").inner_text()
    assert "北京房山拟上市精密制造有限公司" in row and "股改" in row and "中信建投证券" in row, row
    assert api(stack, "finance", "finance", "GET", f"/listings/{listed}").json()["stage"] == "shareholding_reform"
    check(page, "finance-listings", show=f"#listing-{listed}")

    # -- 引导基金: a fund, then its investment in the enterprise (万元), the SRDI share counted
    page.get_by_role("link", name="引导基金").first.click()
    page.wait_for_url(portal + "/guidance-funds")
    page.get_by_text("登记引导基金…").click()
    page.fill("#f-name", "房山区高精尖产业引导基金")
    page.fill("#f-manager", "北京房山国有资本运营有限公司")
    page.get_by_role("button", name="登记基金").click()
    page.wait_for_url(re.compile(r"/guidance-funds#fund-\d+$"))
    fund = int(page.url.rsplit("-", 1)[1])
    flash_says(page, "引导基金已登记：房山区高精尖产业引导基金")
    page.get_by_text("登记基金投资…").click()
    page.select_option("#i-fund", label="房山区高精尖产业引导基金")
    page.fill("#i-inv_uscc", listed)
    page.fill("#i-invested_on", on.isoformat())
    page.fill("#i-amount_wan", "500")
    page.get_by_role("button", name="登记投资").click()
    flash_says(page, "基金投资已登记")
    section = page.locator(f"#fund-{fund}").inner_text()
    assert "北京房山拟上市精密制造有限公司" in section and "500 万元" in section, section
    assert "北京市专精特新中小企业" in section and "专精特新 1 家" in section, section
    check(page, "finance-guidance-funds", show=f"#fund-{fund}")

    # -- 北京银行 registers a loan arising from the event (the bank's own system, through the API)
    r = httpx.post(stack["finance"] + "/api/v1/loans", timeout=30,
                   headers={"Authorization": f"Bearer {issue_token(SIGNING_KEY, 'bank', 'BOB')}"},
                   json={"uscc": firm, "applied_yuan": 3_000_000, "applied_on": on.isoformat(),
                         "matchmaking_event_id": attended})
    assert r.status_code == 201, r.text
    loan = r.json()["id"]

    # -- the bank: the event it attended, with its case; not the one it did not; the catalogue
    sign_out(page, portal)
    sign_in(page, portal, "bank", "吴客户经理", org="BOB")
    page.get_by_role("link", name="政银企对接").first.click()
    page.wait_for_url(portal + "/matchmaking")
    assert page.locator(f"#event-{attended}").count() == 1
    assert page.locator(f"#event-{other}").count() == 0
    assert "工商银行专场融资对接会" not in page.locator("main").inner_text()
    assert page.locator("#m-title").count() == 0  # the office records events, not a bank
    event = page.locator(f"#event-{attended}").inner_text()
    assert "北京房山融资对接示范科技有限公司" in event and "300 万元" in event, event
    assert page.locator(f"#event-{attended} a[href='/loans/{loan}']").count() == 1
    check(page, "bank-matchmaking", show=f"#event-{attended}")
    page.get_by_role("link", name="金融产品").first.click()
    page.wait_for_url(portal + "/financial-products")
    assert "专精特新首批次保险" in page.locator("main table").inner_text()
    assert page.locator("#p-kind").count() == 0  # a bank reads the catalogue
    check(page, "bank-products")
    assert not errors, errors
    page.close()


def test_econ_screens_counts_and_reads_the_targets_and_the_auditor_reads(stack, browser, tmp_path):
    portal, on = stack["portal"], today()
    park = created(api(stack, "parks", "econ", "POST", "/parks", json={"name": "房山区新材料产业基地"}))
    met = enterprise(stack, "北京房山筛选达标新材料有限公司", "innovative", township=TOWN, park_id=park["id"])
    near = enterprise(stack, "北京房山筛选准达标科技有限公司", "innovative", township="良乡镇")
    year = on.year - 1  # the screening's default: last year's indicators, against the criteria in force today
    for u, facts in ((met, MEETS), (near, {**MEETS, "rd_spend_yuan": 990_000, "revenue_yuan": 30_000_000})):
        r = api(stack, "registry", "econ", "PUT", f"/enterprises/{u}/indicators/{year}", json=facts)
        assert r.status_code in (200, 201), r.text
    want = api(stack, "registry", "econ", "GET", f"/screening?tier=municipal_srdi&on={on.isoformat()}").json()
    status = {i["uscc"]: i["status"] for i in want["items"]}
    assert (status.get(met), status.get(near)) == ("met", "near"), want
    page, errors = new_page(browser)
    sign_in(page, portal, "econ", "张经信")

    # -- 培育筛选: the title chosen, the met and the near listed, the near one's gap in 万元
    page.get_by_role("link", name="培育筛选").first.click()
    page.wait_for_url(re.compile(r"/screening"))
    page.select_option("#sc-tier", "municipal_srdi")
    page.get_by_role("button", name="筛选", exact=True).click()
    page.wait_for_url(re.compile(r"/screening\?tier=municipal_srdi"))
    totals = page.locator("#sc-totals").inner_text()
    assert f"达标 {want['totals']['met']} 家，准达标 {want['totals']['near']} 家" in totals, totals
    assert f"以 {year} 年度指标" in totals, totals
    row = page.locator(f"#screen-{met}").inner_text()
    assert "北京房山筛选达标新材料有限公司" in row and TOWN in row and "房山区新材料产业基地" in row, row
    assert "全部满足" in row and "创新型中小企业" in row, row
    row = page.locator(f"#screen-{near}").inner_text()
    assert "准达标" in row and "研发费用" in row and "99 万元" in row and "门槛 100 万元" in row and "差 1 万元" in row, row
    check(page, "econ-screening", show=f"#screen-{near}")

    # -- 分乡镇园区统计 by township: the table, and its workbook downloaded through the page's link
    page.get_by_role("link", name="分乡镇园区统计").first.click()
    page.wait_for_url(re.compile(r"/statistics"))
    page.select_option("#st-by", "township")
    page.get_by_role("button", name="统计", exact=True).click()
    page.wait_for_url(re.compile(r"/statistics\?on=.*by=township"))
    by_town = api(stack, "registry", "econ", "GET", f"/stats/new?year={on.year}&to={on.isoformat()}&by=township").json()
    town = next(g for g in by_town["groups"] if g["key"] == TOWN)["tiers"]
    assert town["innovative"]["stock"] >= 1, town
    cells = page.locator("main table tr", has=page.locator("th[scope=row]", has_text=TOWN)).first.locator("td")
    titles = page.locator("main table thead tr").first.locator("th[scope=colgroup]").all_inner_texts()
    first = titles.index("创新型中小企业")
    assert cells.nth(2 * first).inner_text() == str(town["innovative"]["stock"])
    assert page.locator("#pyramid-" + on.isoformat()).count() == 1  # the pyramid on the day, besides the year-ends
    check(page, "econ-statistics-township")
    with page.expect_download() as got:
        page.get_by_role("link", name=re.compile("下载 Excel")).click()
    download = got.value
    assert download.suggested_filename == f"srdi-township-{on.isoformat()}.xlsx", download.suggested_filename
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    ws = load_workbook(saved)["按乡镇"]
    assert ws["A1"].value.startswith("房山区专精特新企业分乡镇（街道）统计"), ws["A1"].value
    rows = rows_of(ws)
    assert rows[TOWN]["创新型中小企业存量"] == town["innovative"]["stock"], rows[TOWN]
    assert rows["全区"]["创新型中小企业存量"] == by_town["tiers"]["innovative"]["stock"], rows["全区"]

    # -- by park: the park by its name
    page.select_option("#st-by", "park")
    page.get_by_role("button", name="统计", exact=True).click()
    page.wait_for_url(re.compile(r"/statistics\?on=.*by=park"))
    body = page.locator("main table tbody").first.inner_text()
    assert "房山区新材料产业基地" in body and park["id"] not in page.locator("main").inner_text(), body
    cells = page.locator("main table tr", has=page.locator("th[scope=row]", has_text="房山区新材料产业基地")).locator("td")
    assert cells.nth(2 * first).inner_text() == "1"  # its one 创新型中小企业, under its name
    check(page, "econ-statistics-park")

    # -- 目标与进度: this year's targets against what is done, with the chart
    page.get_by_role("link", name="目标与进度").first.click()
    page.wait_for_url(portal + "/targets")
    targets = api(stack, "registry", "econ", "GET", f"/targets/{on.year}").json()["targets"]
    assert targets, targets
    assert "目标与完成：" in page.locator("svg.chart").get_attribute("aria-label")
    for t in targets:
        cells = page.locator(f"#target-{t['key']} td").all_inner_texts()
        assert cells[:3] == [t["zh"], str(t["target"]), "—" if t["actual"] is None else str(t["actual"])], cells
    check(page, "econ-targets", show="svg.chart")

    # -- the auditor reads the same screening, with nothing to change
    sign_out(page, portal)
    sign_in(page, portal, "auditor", "钱审计")
    page.get_by_role("link", name="培育筛选").first.click()
    page.wait_for_url(re.compile(r"/screening"))
    page.select_option("#sc-tier", "municipal_srdi")
    page.get_by_role("button", name="筛选", exact=True).click()
    page.wait_for_url(re.compile(r"/screening\?tier=municipal_srdi"))
    assert "准达标" in page.locator(f"#screen-{near}").inner_text()
    assert page.locator("main form[method=post]").count() == 0
    check(page, "auditor-screening", show=f"#screen-{near}")
    assert not errors, errors
    page.close()


def test_econ_reads_the_event_backlog_and_corrects_an_intermediary(stack, browser):
    """事件与死信 as econ and as the auditor; 中介机构 corrected through its form, a refusal first."""
    portal = stack["portal"]
    made = api(stack, "parks", "econ", "POST", "/intermediaries", json={"name": "房山浏览器测试咨询社"})
    assert made.status_code == 201, made.text
    mid = made.json()["id"]
    page, errors = new_page(browser)
    sign_in(page, portal, "econ", "张经信")
    page.get_by_role("link", name="事件与死信").first.click()
    page.wait_for_url(portal + "/events")
    assert "奖励服务" in page.locator("#backlog").inner_text()
    check(page, "econ-events")

    page.goto(f"{portal}/intermediaries/{mid}")
    page.locator("summary", has_text="修改名录信息").click()
    page.fill("#e-name", "")
    page.get_by_role("button", name="保存修改").click()
    assert "请填写名称" in page.locator("#e-error").inner_text()
    page.fill("#e-name", "房山浏览器测试企业协会")
    page.select_option("#e-kind", "association")
    page.fill("#e-contact", "周秘书长 010-69350000")
    check(page, "econ-intermediary-edit", show="#e-name")
    page.get_by_role("button", name="保存修改").click()
    flash_says(page, "已修改中介机构信息")
    assert page.locator("h1").inner_text() == "房山浏览器测试企业协会"
    held = api(stack, "parks", "econ", "GET", f"/intermediaries/{mid}").json()
    assert (held["name"], held["kind"], held["contact"]) == ("房山浏览器测试企业协会", "association", "周秘书长 010-69350000")

    sign_out(page, portal)
    sign_in(page, portal, "auditor", "钱审计")
    page.goto(portal + "/events")
    assert page.get_by_role("button", name="重放").count() == 0
    check(page, "auditor-events")
    assert not errors, errors
    page.close()
