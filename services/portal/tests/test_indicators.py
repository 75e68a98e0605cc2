"""An enterprise's indicators (经营指标, issue 17): the lead bureau enters a year from the enterprise page
and corrects it (万元 sent as whole 元 exactly, % as decimal text), the page shows them again; a bad value
is said beside its field with what was typed kept (422) — the portal's and the registry's checks alike —
and a form opened before another's save does not overwrite it unseen; a reader sees them without a form
and its POST is refused in words."""
from __future__ import annotations

import re

from services.portal.tests.test_words import no_raw_code
from shared.testing import make_uscc

YEAR = 2024


async def registered(suite, name: str) -> str:
    u = make_uscc()
    r = await suite.client("registry").post("/api/v1/enterprises", json={"uscc": u, "name": name})
    assert r.status_code == 201, r.text
    return u


async def recorded(suite, uscc: str) -> dict:
    r = await suite.client("registry").get(f"/api/v1/enterprises/{uscc}/indicators")
    assert r.status_code == 200, r.text
    return {y["year"]: y for y in r.json()["items"]}


def beside(html: str, field: str) -> str:
    m = re.search(rf'<p [^>]*id="err-{field}"[^>]*>(.*?)</p>', html, re.S)
    assert m, f"nothing said beside {field}"
    return m.group(1)


def seen_of(html: str) -> str:
    m = re.search(r'name="seen" value="([^"]*)"', html)
    assert m, "no form"
    return m.group(1)


FORM = {"revenue_yuan": "3,000", "rd_spend_yuan": "150.5", "staff": "80", "rd_staff": "16",
        "main_business_share_pct": "72.5", "high_tech_enterprise": "1", "st_award": "0", "srdi_score": "60"}


async def test_econ_enters_a_year_sees_it_again_and_corrects_it(portal, suite):
    u = await registered(suite, "北京经营指标测试有限公司")
    await portal.login("econ")
    ent = (await portal.http.get(f"/enterprises/{u}")).text
    assert ">经营指标</h2>" in ent and f'href="/enterprises/{u}/indicators"' in ent and "尚无经营指标记录" in ent
    path = f"/enterprises/{u}/indicators"
    page = (await portal.http.get(path, params={"year": YEAR})).text
    assert f'action="{path}/{YEAR}"' in page and f"填报 {YEAR} 年度经营指标" in page
    for label in ("营业收入（万元）", "研发费用（万元）", "主营业务收入占营业收入比重（%）", "资产负债率（%）",
                  "从业人员数（人）", "研发人员数（人）", "发明专利数（件）", "高新技术企业"):
        assert f">{label}</label>" in page, label

    r = await portal.post(f"{path}/{YEAR}", {**FORM, "seen": seen_of(page)}, page=f"{path}?year={YEAR}")
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"{path}?year={YEAR}"
    saved = (await recorded(suite, u))[YEAR]
    assert saved["revenue_yuan"] == 30_000_000 and saved["rd_spend_yuan"] == 1_505_000  # exact 元
    assert saved["staff"] == 80 and saved["rd_staff"] == 16 and saved["main_business_share_pct"] == "72.5"
    assert saved["high_tech_enterprise"] is True and saved["st_award"] is False and saved["srdi_score"] == "60"
    assert "debt_ratio_pct" not in saved  # left empty: not recorded

    page = (await portal.http.get(r.headers["location"])).text
    assert f"{YEAR} 年度经营指标已登记" in page
    assert f"更正 {YEAR} 年度经营指标" in page
    assert 'value="3000"' in page and 'value="150.5"' in page and 'value="72.5"' in page  # the form holds them
    assert '<option value="1" selected>是</option>' in page and '<option value="0" selected>否</option>' in page
    table = page.split('id="ind-table"', 1)[1].split("</table>", 1)[0]
    assert "3,000" in table and "150.5" in table and ">72.5<" in table and ">是<" in table and ">—<" in table
    no_raw_code(page, "/enterprises/{uscc}/indicators")

    # Corrected: one figure changes, the others stay as the form held them.
    r = await portal.post(f"{path}/{YEAR}", {**FORM, "staff": "90", "seen": seen_of(page)}, page=f"{path}?year={YEAR}")
    assert r.status_code == 303, r.text
    saved = (await recorded(suite, u))[YEAR]
    assert saved["staff"] == 90 and saved["revenue_yuan"] == 30_000_000
    assert f"{YEAR} 年度经营指标已更正" in (await portal.http.get(r.headers["location"])).text

    # The enterprise page shows the year's key figures with a link to it.
    ent = (await portal.http.get(f"/enterprises/{u}")).text
    section = ent.split('id="inds"', 1)[1].split("</section>", 1)[0]
    assert f"{YEAR} 年度" in section and "3,000" in section and "150.5" in section and ">90<" in section


async def test_a_form_opened_before_anothers_save_does_not_overwrite_it(portal, suite):
    u = await registered(suite, "北京指标并发测试有限公司")
    path = f"/enterprises/{u}/indicators"
    await portal.login("econ")
    stale = (await portal.http.get(path, params={"year": YEAR})).text  # opened before the year was recorded
    r = await suite.client("registry").put(f"/api/v1/enterprises/{u}/indicators/{YEAR}",
                                           json={"revenue_yuan": 50_000_000, "staff": 120})
    assert r.status_code == 201, r.text
    r = await portal.post(f"{path}/{YEAR}", {**FORM, "seen": seen_of(stale)}, page=f"{path}?year={YEAR}")
    assert r.status_code == 422, r.text
    said = re.search(r'<p [^>]*id="ind-error"[^>]*>(.*?)</p>', r.text, re.S).group(1)
    assert f"{YEAR} 年度指标已于" in said and "您填写的内容已保留" in said
    assert 'value="3,000"' in r.text and "5,000" in r.text  # what was typed, and the stored value in the table
    assert (await recorded(suite, u))[YEAR]["staff"] == 120  # unchanged
    r = await portal.post(f"{path}/{YEAR}", {**FORM, "seen": seen_of(r.text)}, page=f"{path}?year={YEAR}")
    assert r.status_code == 303, r.text  # saved once the stored value has been seen
    assert (await recorded(suite, u))[YEAR]["staff"] == 80


async def test_bad_values_are_said_beside_the_field_with_what_was_typed(portal, suite):
    u = await registered(suite, "北京指标校验测试有限公司")
    path = f"/enterprises/{u}/indicators"
    await portal.login("econ")
    # The portal's own check: not a number of 万元.
    r = await portal.post(f"{path}/{YEAR}", {**FORM, "revenue_yuan": "三千"}, page=path)
    assert r.status_code == 422, r.text
    assert "营业收入应为" in beside(r.text, "revenue_yuan") and 'value="三千"' in r.text
    assert 'value="150.5"' in r.text  # the other fields kept
    # The registry's: a share above 100 %, and more R&D staff than staff (a check across fields).
    r = await portal.post(f"{path}/{YEAR}", {**FORM, "main_business_share_pct": "150"}, page=path)
    assert r.status_code == 422, r.text
    said = beside(r.text, "main_business_share_pct")
    assert "100" in said and "main_business_share_pct" not in said and 'value="150"' in r.text
    r = await portal.post(f"{path}/{YEAR}", {**FORM, "revenue_yuan": "99999999999"}, page=path)
    assert r.status_code == 422 and "1,000,000,000 万元" in beside(r.text, "revenue_yuan")  # its bound, in 万元
    r = await portal.post(f"{path}/{YEAR}", {**FORM, "staff": "10", "rd_staff": "20"}, page=path)
    assert r.status_code == 422, r.text
    assert "研发人员数大于从业人员数" in beside(r.text, "rd_staff")
    assert 'value="10"' in r.text and 'value="20"' in r.text
    assert YEAR not in await recorded(suite, u)  # nothing recorded
    # A year that is not one: beside the year field.
    r = await portal.http.get(path, params={"year": "二〇二四"})
    assert r.status_code == 422 and "年度应为" in beside(r.text, "year") and 'method="post"' not in r.text.split(
        'id="ind-table"', 1)[1]


async def test_a_reader_sees_them_without_a_form_and_its_post_is_refused(portal, suite):
    u = await registered(suite, "北京指标只读测试有限公司")
    r = await suite.client("registry").put(f"/api/v1/enterprises/{u}/indicators/{YEAR}",
                                           json={"revenue_yuan": 12_345_678, "rd_staff": 7, "staff": 40,
                                                 "debt_ratio_pct": "45.25"})
    assert r.status_code == 201, r.text
    path = f"/enterprises/{u}/indicators"
    for role in ("treasury", "auditor"):
        await portal.login(role)
        ent = (await portal.http.get(f"/enterprises/{u}")).text
        assert "查看各年度经营指标" in ent and "填报或更正经营指标" not in ent and "1,234.5678" in ent
        page = (await portal.http.get(path, params={"year": YEAR})).text
        assert "1,234.5678" in page and "45.25" in page and "只读：由区经信局填报" in page
        assert 'method="post"' not in page.split("</header>", 1)[-1] and f'action="{path}/{YEAR}"' not in page
        r = await portal.post(f"{path}/{YEAR}", {"revenue_yuan": "1"}, page=path)
        assert r.status_code == 403 and "不能填报经营指标" in r.text and "请由区经信局办理" in r.text
    assert (await recorded(suite, u))[YEAR]["revenue_yuan"] == 12_345_678
