"""The monthly monitoring page: the month's key enterprises by name with flags in words, the import
preview with its row errors on the same page, the import, an enterprise's trend chart, who may see it."""
from __future__ import annotations

from shared.testing import make_uscc

HEADER = "统一社会信用代码,月份,营业收入（元）,研发费用（元）,从业人数,新增专利\n"
OK = {"revenue_yuan": 1_000_000, "rd_spend_yuan": 50_000, "employees": 40, "new_patents": 1}


async def key_firm(econ, name, tier="municipal_srdi"):
    u = make_uscc()
    assert (await econ.post("/api/v1/enterprises", json={"uscc": u, "name": name})).status_code == 201
    r = await econ.post(f"/api/v1/enterprises/{u}/certifications", json={"tier": tier, "recognized_on": "2024-03-01"})
    assert r.status_code == 201, r.text
    return u


async def test_month_page_import_and_trend(portal, suite):
    econ = suite.client("registry")
    steady = await key_firm(econ, "月测稳健科技有限公司")
    quiet = await key_firm(econ, "月测未报科技有限公司", "national_little_giant")
    assert (await econ.put(f"/api/v1/enterprises/{steady}/operating-data/2025-10", json=OK)).status_code == 201
    await portal.login("econ")
    page = await portal.http.get("/monitoring", params={"month": "2026-10"})
    assert page.status_code == 200, page.text
    html = page.text
    assert "月测稳健科技有限公司" in html and "月测未报科技有限公司" in html  # names, not codes
    assert "2026-10 未报送经营数据" in html and "missing" not in html
    assert "月度监测" in html  # the nav link
    # The programme's counts as of the month's end, as the registry counts them (stats/monitoring).
    snap = (await econ.get("/api/v1/stats/monitoring", params={"month": "2026-10"})).json()
    assert "2026-10 梯度培育概况（截至 2026-10-31）" in html
    assert f"复核提示期内的称号 {snap['renewals_due']} 个" in html
    assert f"服务诉求未办结 {snap['service_requests']['open']} 件" in html
    stock = snap["tiers"]["national_little_giant"]["stock"]
    assert f'<td>国家级专精特新“小巨人”企业</td><td class="n">{stock}</td>' in html and stock >= 1

    bad = (HEADER + f"{steady},2026-10,1200000,60000,41,0\n{make_uscc()},2026-10,1,1,1,1\n{quiet},2026-10,-3,1,1,1\n")
    files = {"file": ("m.csv", bad.encode(), "text/csv")}
    r = await portal.post("/monitoring/import", data={"dry_run": "1", "month": "2026-10"}, page="/monitoring",
                          files=files)
    assert r.status_code == 200, r.text
    assert "2 行有错误" in r.text and "第 3 行" in r.text and "企业未在库中登记" in r.text and "第 4 行" in r.text
    r = await portal.post("/monitoring/import", data={"month": "2026-10"}, page="/monitoring", files=files)
    assert r.status_code == 422 and "第 3 行" in r.text  # refused whole, the rows said beside the form
    assert (await econ.get(f"/api/v1/enterprises/{steady}/operating-data")).json()["items"][-1]["month"] == "2025-10"

    good = HEADER + f"{steady},2026-10,1200000,60000,41,0\n"
    r = await portal.post("/monitoring/import", data={"month": "2026-10"}, page="/monitoring",
                          files={"file": ("m.csv", good.encode(), "text/csv")})
    assert r.status_code == 200 and "新增 1 条" in r.text, r.text
    r = await portal.http.get(f"/monitoring/enterprises/{steady}")
    assert r.status_code == 200 and "<svg" in r.text and "2026-10" in r.text and "120 万元" in r.text

    r = await portal.http.get("/monitoring", params={"month": "2026-13"})
    assert r.status_code == 422 and "月份应写作" in r.text
    x = await portal.http.get("/monitoring/2026-10.xlsx")
    assert x.status_code == 200 and x.content[:2] == b"PK"


async def test_who_may_see_it(portal):
    await portal.login("auditor")
    r = await portal.http.get("/monitoring", params={"month": "2026-10"})
    assert r.status_code == 200 and "导入月度经营数据" not in r.text  # reads, does not import
    await portal.login("bank", "BOB")
    assert (await portal.http.get("/monitoring")).status_code == 403
