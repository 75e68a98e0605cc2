"""Outreach in the portal: application scenarios (econ publishes, an enterprise proposes for itself and
sees only its own proposal, econ signs the contract, recommends, closes) and the showcase of new
technologies and products (econ adds an entry, search by a partial word, a buyer's interest). Bad
input is said beside its field with what was typed (422), and changes nothing."""
from __future__ import annotations

import re

from services.portal.tests.helpers import promote
from shared.testing import make_uscc, wrong_check


async def test_a_scenario_from_publication_to_contract(portal, suite):
    a, b = make_uscc(), make_uscc()
    await promote(suite, a, name="北京场景方案甲科技有限公司")
    await promote(suite, b, name="北京场景方案乙科技有限公司")
    outreach = suite.client("outreach")
    await portal.login("econ")
    page = (await portal.http.get("/scenarios")).text
    assert "发布应用场景" in page and 'id="s-budget_wan"' in page
    good = {"title": "门户测试场景：智慧供热调度", "owner_department": "区城管委", "need": "供热管网的智能调度与能耗监测",
            "budget_wan": "300", "deadline": "2099-12-31"}
    before = len((await outreach.get("/api/v1/scenarios?limit=500")).json()["items"])
    # a missing title and a budget that is not a number: each said beside its field, what was typed kept
    r = await portal.post("/scenarios", {**good, "title": "", "budget_wan": "三百"}, page="/scenarios")
    assert r.status_code == 422
    assert 'id="s-title-error"' in r.text and "请填写场景名称" in r.text
    assert 'id="s-budget_wan-error"' in r.text and "三百" in r.text and "区城管委" in r.text
    assert len((await outreach.get("/api/v1/scenarios?limit=500")).json()["items"]) == before  # nothing written
    r = await portal.post("/scenarios", {**good, "form_id": "sc-1"}, page="/scenarios")
    assert r.status_code == 303, r.text
    path = r.headers["location"]
    sid = int(path.rsplit("/", 1)[1])
    assert (await outreach.get(f"/api/v1/scenarios/{sid}")).json()["budget_yuan"] == 3_000_000  # 万元 → whole 元
    page = (await portal.http.get(path)).text
    assert "已发布应用场景" in page and "300 万元" in page and "征集中" in page and "代企业登记方案" in page

    # -- the enterprise signs in with its USCC: the open scenario, its own proposal, never another's
    await portal.login("enterprise", a)
    assert 'href="/scenarios"' in (await portal.http.get("/mine")).text
    listing = (await portal.http.get("/scenarios")).text
    assert "门户测试场景：智慧供热调度" in listing and "发布应用场景" not in listing
    page = (await portal.http.get(path)).text
    assert "为本企业提交方案" in page and 'id="p-uscc"' not in page  # its USCC comes from the sign-in
    r = await portal.post(f"{path}/proposals", {"summary": " ", "price_wan": "280"}, page=path)
    assert r.status_code == 422 and 'id="p-summary-error"' in r.text and 'value="280"' in r.text
    r = await portal.post(f"{path}/proposals", {"summary": "蓄热式调度系统", "price_wan": "280.5", "form_id": "pa"},
                          page=path)
    assert r.status_code == 303, r.text
    page = (await portal.http.get(path)).text
    assert "方案已提交" in page and "北京场景方案甲科技有限公司" in page and "280.5 万元" in page
    assert "为本企业提交方案" not in page  # one proposal per enterprise
    r = await portal.post(f"{path}/contracts", {"proposal_id": "1", "contract_wan": "1", "signed_on": "2026-01-01",
                                                "evidence": "x"}, page=path)
    assert r.status_code == 403
    await portal.login("enterprise", b)
    r = await portal.post(f"{path}/proposals", {"summary": "另一方案"}, page=path)
    assert r.status_code == 303, r.text
    page = (await portal.http.get(path)).text
    assert "北京场景方案乙科技有限公司" in page and "北京场景方案甲科技有限公司" not in page  # not a rival's

    # -- econ: both proposals by name; the contract (a missing date said beside it), recommended, and read back
    await portal.login("econ")
    detail = (await outreach.get(f"/api/v1/scenarios/{sid}")).json()
    pa = next(p["id"] for p in detail["proposals"] if p["uscc"] == a)
    page = (await portal.http.get(path)).text
    assert "北京场景方案甲科技有限公司" in page and "北京场景方案乙科技有限公司" in page and "方案（2 份）" in page
    contract = {"proposal_id": str(pa), "contract_wan": "275", "signed_on": "2026-05-20", "evidence": "HT-门户-001"}
    r = await portal.post(f"{path}/contracts", {**contract, "signed_on": ""}, page=path)
    assert r.status_code == 422 and 'id="c-on-error"' in r.text and "HT-门户-001" in r.text
    r = await portal.post(f"{path}/contracts", {**contract, "signed_on": "2999-01-01"}, page=path)
    assert r.status_code == 422 and 'id="c-error"' in r.text  # outreach's refusal (after today), in Chinese
    assert (await outreach.get(f"/api/v1/scenarios/{sid}")).json()["contracts"] == []
    r = await portal.post(f"{path}/contracts", {**contract, "form_id": "c-1"}, page=path)
    assert r.status_code == 303, r.text
    r = await portal.post(f"{path}/recommend", {"recommended_on": "2026-06-01"}, page=path)
    assert r.status_code == 303
    page = (await portal.http.get(path)).text
    assert "已签约" in page and "已选定" in page and "未选定" in page and "275 万元" in page
    assert "已推荐（2026-06-01）" in page and "登记后续一期合同" in page
    held = (await outreach.get(f"/api/v1/scenarios/{sid}")).json()
    assert held["state"] == "contracted" and held["contracts"][0]["contract_yuan"] == 2_750_000
    assert "已推荐全市" in (await portal.http.get("/scenarios?state=contracted")).text
    assert not re.search(r"\bcontracted\b|not_chosen|econ:", page)

    # -- the enterprise not chosen reads its proposal's outcome, no contract; another scenario closed
    await portal.login("enterprise", b)
    page = (await portal.http.get(path)).text
    assert "未选定" in page and "HT-门户-001" not in page
    await portal.login("econ")
    r = await portal.post("/scenarios", {**good, "title": "门户测试场景：将关闭"}, page="/scenarios")
    shut = r.headers["location"]
    r = await portal.post(f"{shut}/close", {}, page=shut)
    assert r.status_code == 303
    assert "场景已关闭" in (await portal.http.get(shut)).text
    await portal.login("enterprise", a)
    assert "门户测试场景：将关闭" not in (await portal.http.get("/scenarios")).text
    assert (await portal.http.get(shut)).status_code == 404

    # -- the auditor reads without forms; the treasury may not open the page
    await portal.login("auditor")
    page = (await portal.http.get(path)).text
    assert "北京场景方案甲科技有限公司" in page and "登记后续一期合同" not in page and "发布应用场景" not in page
    for odd in ("/scenarios/0", "/scenarios/abc", "/scenarios/99999999999999999999", "/scenarios/2147483647",
                "/scenarios?state=bogus", "/showcase/0", "/showcase/2147483647"):
        r = await portal.http.get(odd)
        assert r.status_code < 500 and re.search(r"[\u4e00-\u9fff]", r.text) and "Traceback" not in r.text, odd
    await portal.login("treasury")
    assert (await portal.http.get("/scenarios")).status_code == 403


async def test_the_showcase_search_entry_and_interest(portal, suite):
    supplier, buyer = make_uscc(), make_uscc()
    await promote(suite, supplier, name="北京门户储能科技有限公司")
    await promote(suite, buyer, name="北京门户采购示范有限公司")
    await portal.login("econ")
    entry = {"uscc": supplier, "name": "门户新型储能系统", "kind": "product", "category": "新能源",
             "maturity": "mass_production", "certifications": "CE\n高新技术产品", "references": "良乡供热站",
             "description": "磷酸铁锂电池储能柜"}
    r = await portal.post("/showcase", {**entry, "uscc": wrong_check(supplier), "maturity": ""}, page="/showcase")
    assert r.status_code == 422 and 'id="g-uscc-error"' in r.text and 'id="g-maturity-error"' in r.text
    assert "门户新型储能系统" in r.text  # what was typed, kept
    r = await portal.post("/showcase", {**entry, "uscc": make_uscc()}, page="/showcase")  # not in the registry
    assert r.status_code == 422 and 'id="g-form-error"' in r.text
    r = await portal.post("/showcase", {**entry, "form_id": "g-1"}, page="/showcase")
    assert r.status_code == 303, r.text
    path = r.headers["location"]
    page = (await portal.http.get(path)).text
    assert "北京门户储能科技有限公司" in page and "量产" in page and "CE、高新技术产品" in page
    found = (await portal.http.get("/showcase", params={"q": "储能 门户"})).text
    assert "门户新型储能系统" in found and "北京门户储能科技有限公司" in found
    none = (await portal.http.get("/showcase", params={"q": "储能", "maturity": "research"})).text
    assert "门户新型储能系统" not in none and "没有符合条件的技术或产品" in none
    r = await portal.post(f"{path}/interests", {"note": "无采购方"}, page=path)
    assert r.status_code == 422 and 'id="i-uscc-error"' in r.text and "无采购方" in r.text
    r = await portal.post(f"{path}/interests", {"buyer_uscc": supplier}, page=path)  # the supplier itself
    assert r.status_code == 422 and 'id="i-error"' in r.text
    r = await portal.post(f"{path}/interests", {"buyer_uscc": buyer, "note": "拟用于园区微电网"}, page=path)
    assert r.status_code == 303, r.text
    r = await portal.post(f"{path}/interests", {"buyer_department": "区城管委"}, page=path)
    assert r.status_code == 303
    page = (await portal.http.get(path)).text
    assert "北京门户采购示范有限公司" in page and "区城管委" in page and "采购意向（2 条）" in page
    await portal.login("auditor")
    page = (await portal.http.get(path)).text
    assert "北京门户采购示范有限公司" in page and "登记采购意向" not in page
    await portal.login("enterprise", buyer)
    assert (await portal.http.get("/showcase")).status_code == 403
