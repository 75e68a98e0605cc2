"""The lead bureau's statistics pages (issue 17): 培育筛选 (达标 / 准达标 with each enterprise's gaps),
stock and new titles per township and per park on a chosen day with its workbook, the year's
targets against progress with a bar chart, and the tier pyramid at several year-ends; names, not
codes; bad input said beside the field (422); who may open them."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from services.portal.labels import TIER_LABELS
from services.portal.tests.helpers import a_park, promote
from services.portal.tests.test_words import no_raw_code
from shared.clock import today
from shared.testing import make_uscc

SRDI_OK = {"years_in_niche": 2, "rd_spend_yuan": 1_000_000, "revenue_yuan": 30_000_000, "srdi_score": 60}
TOWN = "窦店镇"
POTENTIAL = TIER_LABELS["potential"]


def rows_of(ws) -> dict:
    """A statistics sheet by its first column: {name: {header: value}} (the header is row 2)."""
    header = [c.value for c in ws[2]]
    return {r[0]: dict(zip(header[1:], r[1:])) for r in ws.iter_rows(min_row=3, values_only=True) if r and r[0]}


async def test_stock_and_new_by_township_and_park_with_the_workbook(portal, suite):
    reg = suite.client("registry")
    towns = (await reg.get("/api/v1/townships")).json()["items"]
    assert TOWN in {t["name"] for t in towns}
    park = await a_park(suite)
    old, new = make_uscc(), make_uscc()
    await promote(suite, old, name="北京统计页老牌科技有限公司", township=TOWN, park_id=park["id"])  # 2025-03-01
    await promote(suite, new, tier="innovative", name="北京统计页新秀科技有限公司", township=TOWN, park_id=park["id"])
    r = await reg.post(f"/api/v1/enterprises/{new}/certifications",
                       json={"tier": "potential", "recognized_on": today().isoformat()})
    assert r.status_code == 201, r.text
    await suite.settled()
    day = today().isoformat()
    want = (await reg.get("/api/v1/stats/new", params={"year": today().year, "to": day, "by": "park"})).json()

    await portal.login("econ")
    nav = (await portal.http.get("/")).text
    assert "分乡镇园区统计" in nav and "培育筛选" in nav and "目标与进度" in nav
    page = await portal.http.get("/statistics", params={"on": day, "by": "park"})
    assert page.status_code == 200, page.text
    html = page.text
    assert f'<th scope="row">{park["name"]}</th>' in html and park["id"] not in html
    assert "创新型中小企业" in html and want["text_zh"] in html
    no_raw_code(html, "/statistics")
    assert f"/statistics.xlsx?on={day}&amp;by=park" in html
    # The pyramid over time: the last year-ends and the day, each drawn and counted.
    for y in range(today().year - 4, today().year):
        assert f'id="pyramid-{y}-12-31"' in html and f"{y} 年末" in html
    assert f'id="pyramid-{day}"' in html and html.count("梯度培育金字塔：") >= 5
    tiers_now = (await reg.get("/api/v1/stats/tiers", params={"on": day})).json()["counts"]
    assert tiers_now["potential"] >= 1

    x = await portal.http.get("/statistics.xlsx", params={"on": day, "by": "park"})
    assert x.status_code == 200 and x.content[:2] == b"PK", x.text[:300]
    assert "attachment" in x.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(x.content))["按园区"]
    rows = rows_of(ws)
    mine = rows[park["name"]]  # the park by its name, not its id
    assert mine["北京市专精特新中小企业存量"] == 1 and mine["北京市专精特新中小企业新增"] == 0
    assert mine[f"{POTENTIAL}存量"] == 1 and mine[f"{POTENTIAL}新增"] == 1  # recognised today
    assert mine["创新型中小企业存量"] == 1
    total = rows["全区"]
    assert total["北京市专精特新中小企业存量"] == want["tiers"]["municipal_srdi"]["stock"]
    assert total["创新型中小企业新增"] == want["tiers"]["innovative"]["new"]
    assert park["id"] not in [c for r in ws.iter_rows(values_only=True) for c in r if isinstance(c, str)]

    by_town = (await reg.get("/api/v1/stats/new", params={"year": today().year, "to": day, "by": "township"})).json()
    town = next(g for g in by_town["groups"] if g["key"] == TOWN)["tiers"]
    x = await portal.http.get("/statistics.xlsx", params={"on": day, "by": "township"})
    rows = rows_of(load_workbook(io.BytesIO(x.content))["按乡镇"])
    assert rows[TOWN]["北京市专精特新中小企业存量"] == town["municipal_srdi"]["stock"] >= 1
    assert rows[TOWN][f"{POTENTIAL}新增"] == town["potential"]["new"] >= 1
    page = (await portal.http.get("/statistics", params={"on": day, "by": "township"})).text
    assert f'<th scope="row">{TOWN}</th>' in page

    # A day that is not one, a day ahead, a grouping not offered: said beside the field, 422.
    for params, field, said in (({"on": "2023-02-30"}, "on", "2023-02-30"), ({"on": "2999-01-01"}, "on", "不能晚于今天"),
                                ({"by": "industry"}, "by", "乡镇（街道）或园区")):
        bad = await portal.http.get("/statistics", params=params)
        assert bad.status_code == 422 and f'id="st-{field}-error"' in bad.text and said in bad.text, params
        assert (await portal.http.get("/statistics.xlsx", params=params)).status_code == 422


async def test_screening_lists_met_and_near_with_their_gaps(portal, suite):
    reg = suite.client("registry")
    met, near, miss = make_uscc(), make_uscc(), make_uscc()
    await promote(suite, met, tier="innovative", name="北京筛选达标科技有限公司", township=TOWN)
    await promote(suite, near, tier="innovative", name="北京筛选准达标科技有限公司", township="良乡镇")
    await promote(suite, miss, tier="innovative", name="北京筛选不达标科技有限公司", township=TOWN)
    for u, facts in ((met, SRDI_OK), (near, {**SRDI_OK, "rd_spend_yuan": 999_000}),
                     (miss, {**SRDI_OK, "years_in_niche": 1, "srdi_score": 10})):
        assert (await reg.put(f"/api/v1/enterprises/{u}/indicators/2024", json=facts)).status_code in (200, 201)
    want = (await reg.get("/api/v1/screening", params={"tier": "municipal_srdi", "on": "2025-06-01"})).json()
    assert {i["uscc"]: i["status"] for i in want["items"]}[near] == "near"

    await portal.login("econ")
    page = await portal.http.get("/screening", params={"tier": "municipal_srdi", "on": "2025-06-01"})
    assert page.status_code == 200, page.text
    html = page.text
    assert f'id="screen-{met}"' in html and f'id="screen-{near}"' in html and f'id="screen-{miss}"' not in html
    assert "北京筛选达标科技有限公司" in html and "北京筛选准达标科技有限公司" in html
    assert f"达标 <strong>{want['totals']['met']}</strong> 家，准达标 <strong>{want['totals']['near']}</strong> 家" in html
    row = html[html.index(f'id="screen-{near}"'):]
    row = row[:row.index("</tr>")]
    assert "准达标" in row and "研发费用" in row and "99.9 万元" in row and "100 万元" in row and "1,000 元" in row
    assert "良乡镇" in row and "创新型中小企业" in row
    no_raw_code(html, "/screening")
    # Not met, on request; one township only.
    html = (await portal.http.get("/screening", params={"tier": "municipal_srdi", "on": "2025-06-01",
                                                        "status": "not_met"})).text
    assert f'id="screen-{miss}"' in html and f'id="screen-{met}"' not in html
    html = (await portal.http.get("/screening", params={"tier": "municipal_srdi", "on": "2025-06-01",
                                                        "township": TOWN})).text
    assert f'id="screen-{met}"' in html and f'id="screen-{near}"' not in html

    # Bad input beside its field, 422, what was typed kept.
    for params, field, said in (({"township": "火星镇"}, "township", "火星镇"), ({"on": "2025-13-01"}, "on", "2025-13-01"),
                                ({"tier": "sme"}, "tier", "请从列表中选择"), ({"year": "24"}, "year", "四位数字"),
                                ({"status": "maybe"}, "status", "请从列表中选择状态")):
        bad = await portal.http.get("/screening", params={"tier": "municipal_srdi", **params})
        assert bad.status_code == 422 and f'id="sc-{field}-error"' in bad.text and said in bad.text, params
        assert 'id="sc-totals"' not in bad.text

    await portal.login("auditor")
    assert (await portal.http.get("/screening", params={"on": "2025-06-01"})).status_code == 200


async def test_targets_against_progress_with_a_chart(portal, suite):
    year = today().year
    want = (await suite.client("registry").get(f"/api/v1/targets/{year}")).json()
    assert want["targets"], want
    await portal.login("auditor")
    page = await portal.http.get("/targets")
    assert page.status_code == 200, page.text
    html = page.text
    assert "<svg" in html and "目标与完成：" in html and "年度目标" in html and "（家）" in html
    for t in want["targets"]:
        row = html[html.index(f'id="target-{t["key"]}"'):]
        row = row[:row.index("</tr>")]
        assert t["zh"] in row and f'<td class="n">{t["target"]}</td>' in row
        assert f'<td class="n">{"—" if t["actual"] is None else t["actual"]}</td>' in row
        assert f'{t["zh"]}：年度目标 {t["target"]}，已完成 {t["actual"] or 0}' in html  # the chart's own text
    no_raw_code(html, "/targets")
    assert "enterprises listed" not in html and ("口径：上市" in html or not want.get("note"))  # the note in Chinese
    for year_typed, said in (("20x6", "四位数字"), (str(year + 1), "尚未开始")):
        bad = await portal.http.get("/targets", params={"year": year_typed})
        assert bad.status_code == 422 and 'id="tg-year-error"' in bad.text and said in bad.text
        assert "<svg" not in bad.text

    for role in ("treasury", "talent"):
        await portal.login(role)
        for path in ("/targets", "/statistics", "/screening", "/statistics.xlsx"):
            r = await portal.http.get(path)
            assert r.status_code == 403 and "无权访问" in r.text, (role, path)
