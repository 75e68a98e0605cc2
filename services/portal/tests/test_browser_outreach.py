"""Issue 17's daily work in a real browser: Debian's Chromium driven by Playwright, over real TCP.

NATS, the six services and the portal run as uvicorn processes (test_browser's `stack`).
(a) Talent nominations end to end: an enterprise with a quota nominates a person from its own
portal; the talent office reviews, recommends and approves it; the liaison sees it approved.
(b) A park's day: an enterprise of the park opens a service request; the park signs in, sees its
enterprises, records an incubation and reads its enterprises' requests.
(c) Outreach: econ adds a new product to the showcase, records a buyer's interest and searches by a
partial word; publishes an application scenario (a wrong budget said beside its field first); an
enterprise proposes for it from its own portal; econ signs the contract (the awards service raises
the scenario award from it) and recommends the scenario to the city.

Every page on the way: reachable and named controls, plain Chinese, no raw code or trace, and no
sideways scroll at 390 px (test_browser_programme_year's `check`). With SRDI_SCREENSHOTS=docs/portal,
each page is also saved there at 1280×800 for the liaisons' guide (docs/portal/README.md).
"""
from __future__ import annotations

import re


from services.portal.tests.test_browser import (  # the same fixtures, checks and keyboard helpers
    BROWSER_ONLY,
    WAIT_MS, api, browser, flash_says, sign_in, sign_out, stack, wait_until,
)
from services.portal.tests.test_browser_programme_year import DESKTOP, check, created, enterprise
from shared.clock import today
from shared.testing import make_resident_id

__all__ = ["browser", "stack"]  # the module-scoped Chromium and suite, shared with test_browser.py

pytestmark = BROWSER_ONLY


def new_page(browser):
    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text
            else None)
    return page, errors


def test_talent_nomination_from_the_enterprise_to_approval(stack, browser):
    portal, year = stack["portal"], today().year
    firm = enterprise(stack, "北京房山人才推荐示范科技有限公司", "national_little_giant", recognized_on=f"{year}-01-05")
    wait_until(lambda: any(q["available"] for q in api(stack, "talent", "talent", "GET", f"/quotas?uscc={firm}&year={year}")
                           .json()["items"]), "the enterprise's quota this year")
    page, errors = new_page(browser)

    # -- the enterprise's liaison nominates a person on its own quota; only the masked ID is shown
    sign_in(page, portal, "enterprise", "刘联络", org=firm)
    page.get_by_role("link", name="落户指标与人才推荐").click()
    page.wait_for_url(portal + "/talent")
    page.select_option("#nf-category", "骨干人才")
    page.fill("#nf-name", "王晓明")
    pid = make_resident_id("19880315")
    page.fill("#nf-id", pid)
    page.fill("#nf-education", "硕士研究生")
    page.fill("#nf-post", "研发总监")
    check(page, "talent-enterprise-nominate", show="#nf")
    page.get_by_role("button", name="提交推荐").click()
    said = flash_says(page, "已提交人才推荐")
    assert pid not in page.content() and "王晓明" in said, said
    nid = api(stack, "talent", "talent", "GET", f"/nominations?uscc={firm}").json()["items"][0]["id"]
    check(page, "talent-enterprise-nominated")

    # -- the talent office: review, recommend, approve; each step said, the row's state in words
    sign_out(page, portal)
    sign_in(page, portal, "talent", "李人才")
    page.get_by_role("link", name="落户指标与人才推荐").click()
    page.wait_for_url(portal + "/talent")
    assert "北京房山人才推荐示范科技有限公司" in page.locator("#nm ~ table").inner_text()
    check(page, "talent-office-queue", show="#nm")
    for action, label in (("review", "区级审核"), ("recommend", "推荐"), ("approve", "批准")):
        page.get_by_role("button", name=f"{label}推荐 {nid}", exact=True).click()
        flash_says(page, f"推荐 {nid} 已{label}")
    state = api(stack, "talent", "talent", "GET", f"/nominations/{nid}").json()["state"]
    assert state == "approved", state
    assert "已批准" in page.locator("#nm ~ table").inner_text()
    check(page, "talent-office-approved", show="#nm")

    # -- the liaison sees it approved, and its quota used
    sign_out(page, portal)
    sign_in(page, portal, "enterprise", "刘联络", org=firm)
    page.goto(portal + "/talent")
    assert "已批准" in page.locator("#nm ~ table").inner_text()
    used = api(stack, "talent", "talent", "GET", f"/quotas?uscc={firm}&year={year}").json()["items"][0]["used"]
    assert used == 1, used
    assert not errors, errors
    page.close()


def test_a_parks_day(stack, browser):
    portal, on = stack["portal"], today()
    park = created(api(stack, "parks", "econ", "POST", "/parks", json={"name": "房山区智能制造孵化园"}))
    pid = park["id"]
    firm = enterprise(stack, "北京园区日常示范科技有限公司", "innovative", park_id=pid)
    wait_until(lambda: firm in {e["uscc"] for e in api(stack, "parks", "econ", "GET", f"/parks/{pid}/enterprises")
                                .json()["items"]}, "the park's copy of its enterprise")
    page, errors = new_page(browser)

    # -- an enterprise of the park asks for space from its own page
    sign_in(page, portal, "enterprise", "赵联络", org=firm)
    page.goto(portal + "/mine")
    page.select_option("#category", "land_space")
    page.fill("#summary", "计划扩产，需要在园区内增租约两千平方米标准厂房")
    page.get_by_role("button", name="提交诉求").click()
    flash_says(page, "诉求已提交")

    # -- the park signs in: its enterprises, an incubation recorded, its enterprises' requests
    sign_out(page, portal)
    sign_in(page, portal, "park", "孙园区", org=pid)
    page.get_by_role("link", name="园区企业").first.click()
    page.wait_for_url(re.compile(r"/parks"))
    if not page.url.endswith(f"/parks/{pid}"):
        page.goto(f"{portal}/parks/{pid}")
    assert "北京园区日常示范科技有限公司" in page.locator("main table").first.inner_text()
    check(page, "park-day-enterprises")
    page.fill("#inc-uscc", firm)
    page.fill("#inc-entered", on.isoformat())
    page.fill("#inc-note", "入驻孵化器三层")
    page.get_by_role("button", name="登记入孵").click()
    flash_says(page, "已登记入孵")
    assert "入驻孵化器三层" in page.locator("#inc ~ table").inner_text()
    check(page, "park-day-incubation", show="#inc")
    page.get_by_role("link", name="服务诉求").first.click()
    page.wait_for_url(re.compile(r"/requests"))
    queue = page.locator("main").inner_text()
    assert "北京园区日常示范科技有限公司" in queue and "增租约两千平方米" in queue, queue[:500]
    check(page, "park-day-requests")
    assert not errors, errors
    page.close()


def test_showcase_and_a_scenario_from_publication_to_contract(stack, browser):
    portal, on = stack["portal"], today()
    supplier = enterprise(stack, "北京房山储能装备科技有限公司", "municipal_srdi")
    other = enterprise(stack, "北京房山热力智控有限公司", "innovative")
    # outreach knows both once the registry's events reached it (the later one, after the earlier)
    seed = {"uscc": other, "name": "供热管网智能调度平台", "kind": "product", "category": "智慧城市",
            "maturity": "deployed", "certifications": ["软件著作权"], "references": ["城关街道供热站"]}
    wait_until(lambda: api(stack, "outreach", "econ", "POST", "/products", json=seed).status_code == 201,
               "outreach to know the district's enterprises")
    page, errors = new_page(browser)
    sign_in(page, portal, "econ", "张经信")

    # -- 新技术新产品: an entry, a buyer's interest, a search by a partial word
    page.get_by_role("link", name="新技术新产品").first.click()
    page.wait_for_url(portal + "/showcase")
    page.locator("#new summary").click()
    page.fill("#g-uscc", supplier)
    page.fill("#g-name", "新型磷酸铁锂储能系统")
    page.fill("#g-category", "新能源")
    page.select_option("#g-maturity", "mass_production")
    page.fill("#g-certs", "高新技术产品\n北京市新技术新产品")
    page.fill("#g-refs", "良乡供热站")
    page.fill("#g-desc", "模块化储能柜，适用于园区微电网与供热调峰")
    check(page, "outreach-showcase-form", show="#new")
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url(re.compile(r"/showcase/\d+$"))
    flash_says(page, "已登记")
    page.fill("#i-dept", "区城管委")
    page.fill("#i-note", "拟用于冬季供热调峰")
    page.get_by_role("button", name="登记意向").click()
    flash_says(page, "已登记采购意向")
    assert "区城管委" in page.locator("#interests ~ div table").inner_text()
    check(page, "outreach-showcase-product", show="h1")
    page.goto(portal + "/showcase")
    page.fill("#q", "储能")
    page.get_by_role("button", name="检索").click()
    page.wait_for_url(re.compile(r"q=%E5%82%A8%E8%83%BD"))
    found = page.locator("table.showcase").inner_text()
    assert "新型磷酸铁锂储能系统" in found and "供热管网智能调度平台" not in found
    assert "北京房山储能装备科技有限公司" in found
    check(page, "outreach-showcase-search")

    # -- 应用场景: a budget that is not a number is said beside the field, then published
    page.get_by_role("link", name="应用场景").first.click()
    page.wait_for_url(portal + "/scenarios")
    page.locator("#new summary").click()
    page.fill("#s-title", "供热管网智能调度与储能调峰")
    page.fill("#s-owner_department", "区城管委")
    page.fill("#s-need", "对城关、良乡两座供热站的管网进行智能调度，配套储能调峰，降低单位面积能耗")
    page.fill("#s-budget_wan", "三百万")
    page.fill("#s-deadline", (on.replace(year=on.year + 1)).isoformat())
    page.get_by_role("button", name="发布场景").click()
    page.wait_for_selector("#s-budget_wan-error")
    assert page.input_value("#s-title") == "供热管网智能调度与储能调峰"  # what was typed, kept
    check(page, "outreach-scenario-refused", show="#s-budget_wan-error")
    page.fill("#s-budget_wan", "300")
    page.get_by_role("button", name="发布场景").click()
    page.wait_for_url(re.compile(r"/scenarios/\d+$"))
    scenario = page.url
    flash_says(page, "已发布应用场景")
    check(page, "outreach-scenario-published")

    # -- the enterprise proposes from its own portal
    sign_out(page, portal)
    sign_in(page, portal, "enterprise", "周联络", org=supplier)
    page.get_by_role("link", name="本企业").first.click()
    page.wait_for_url(portal + "/mine")
    page.locator("main").get_by_role("link", name="“应用场景”").click()
    page.wait_for_url(portal + "/scenarios")
    check(page, "outreach-scenarios-enterprise")
    page.get_by_role("link", name="供热管网智能调度与储能调峰").click()
    page.wait_for_url(scenario)
    page.fill("#p-summary", "以新型磷酸铁锂储能系统为核心，配套管网调度平台，分两期实施")
    page.fill("#p-price", "280")
    page.get_by_role("button", name="提交方案").click()
    flash_says(page, "方案已提交")
    assert page.locator("#propose").count() == 0  # one proposal per enterprise
    check(page, "outreach-scenario-proposed")

    # -- econ signs the contract and recommends the scenario; the scenario award follows
    sign_out(page, portal)
    sign_in(page, portal, "econ", "张经信")
    page.goto(scenario)
    assert "北京房山储能装备科技有限公司" in page.locator("#props ~ div table").inner_text()
    page.fill("#c-amount", "275")
    page.fill("#c-on", on.isoformat())
    page.fill("#c-evidence", "房城管合〔2026〕18号")
    page.get_by_role("button", name="登记合同").click()
    flash_says(page, "合同已登记")
    page.get_by_role("button", name="推荐全市").click()
    flash_says(page, "已推荐全市")
    facts = page.locator("dl.facts").inner_text()
    assert "已签约" in facts and "已推荐（" in facts
    assert "已选定" in page.locator("#props ~ div table").inner_text()
    check(page, "outreach-scenario-contracted", show="#contracts")
    awards = wait_until(lambda: [a for a in api(stack, "awards", "econ", "GET", f"/awards?uscc={supplier}").json()["items"]
                                 if a["program"] == "scenario"], "the scenario award")
    assert len(awards) == 1, awards
    page.goto(portal + "/scenarios")
    assert "已推荐全市" in page.locator("table.scenarios").inner_text()
    check(page, "outreach-scenarios-econ")
    assert not errors, errors
    page.close()
