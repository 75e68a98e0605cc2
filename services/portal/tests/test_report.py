"""The leadership report for the shared sample: the page reproduces the bureau's reply (截至9月末，
存量创新型中小企业130家，较2022年新增72家；…), names not codes, amounts in 万元, a print stylesheet;
the workbook opens in openpyxl with its charts; bad input beside the field; who may see it."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from services.portal.pages.report import _asked
from services.portal.tests.helpers import award_of, fund, promote
from services.registry.tests import listgen
from services.registry.tests.imports.test_sample_and_reply import reply_rows
from shared.clock import today
from shared.testing import make_uscc

REPLY = ("截至2023年9月30日，存量创新型中小企业130家，较2022年新增72家；"
         "存量专精特新中小企业141家，较2022年新增22家；"
         "存量国家级专精特新“小巨人”企业20家，较2022年新增2家。")


def test_the_form_is_checked():
    v, errors = _asked("2022", "2023", "2023-09-30")
    assert not errors and (v["from"], v["to"], v["on"].isoformat()) == (2022, 2023, "2023-09-30")
    assert set(_asked("20x2", "2023", "")[1]) == {"from"}
    assert set(_asked("2022", "2023", "2023-02-30")[1]) == {"on"}
    assert set(_asked("2023", "2022", "2022-06-30")[1]) == {"to"}
    assert set(_asked("2000", "2023", "2023-09-30")[1]) == {"from"}


async def test_report_of_the_shared_sample(portal, suite):
    r = await suite.client("registry").post("/api/v1/imports/recognition-lists",
                                            files={"file": ("list.csv", listgen.to_csv(reply_rows()), "text/csv")})
    assert r.status_code == 200 and r.json()["created"] == 299, r.text
    await portal.login("econ")
    page = await portal.http.get("/report", params={"from": "2022", "to": "2023", "on": "2023-09-30"})
    assert page.status_code == 200, page.text
    html = page.text
    assert REPLY in html
    assert "创新型中小企业" in html and "innovative" not in html  # names, not codes
    assert "/static/report.css" in html and "<svg" in html and "/report.xlsx?from=2022&amp;to=2023&amp;on=2023-09-30" in html
    css = await portal.http.get("/static/report.css")
    assert css.status_code == 200 and "@page" in css.text and "A4" in css.text

    x = await portal.http.get("/report.xlsx", params={"from": "2022", "to": "2023", "on": "2023-09-30"})
    assert x.status_code == 200 and x.content[:2] == b"PK", x.text[:300]
    wb = load_workbook(io.BytesIO(x.content))
    assert REPLY in [c.value for c in wb["摘要"]["A"]]
    stock = wb["称号存量"]
    assert stock._charts, "the tier series has no chart"
    rows = {row[0]: row[1:] for row in stock.iter_rows(min_row=2, max_row=8, values_only=True)}
    assert rows["创新型中小企业"] == (58, 130) and rows["国家级专精特新“小巨人”企业"] == (18, 20)
    assert wb["政策宣讲"]._charts and wb["金融服务"]._charts and "奖励兑现" in wb.sheetnames

    bad = await portal.http.get("/report", params={"from": "2022", "to": "2023", "on": "2023-13-01"})
    assert bad.status_code == 422 and 'id="rp-on-error"' in bad.text and "2023-13-01" in bad.text
    bad = await portal.http.get("/report", params={"from": "2022", "to": "2099"})
    assert bad.status_code == 422 and 'id="rp-to-error"' in bad.text

    for role in ("auditor", "treasury"):
        await portal.login(role)
        r = await portal.http.get("/report", params={"from": "2023", "to": "2023", "on": "2023-09-30"})
        assert r.status_code == 200 and REPLY in r.text, role
    # An approved award this year: the awards part names its programme, in 万元, with its chart.
    u = make_uscc()
    await promote(suite, u, name="北京领导报告测试有限公司")
    await fund(suite)
    award = await award_of(suite, u)
    assert (await suite.client("awards").post(f"/api/v1/awards/{award['id']}/review")).status_code == 200
    assert (await suite.client("awards", role="treasury").post(f"/api/v1/awards/{award['id']}/approve")).status_code == 200
    year = today().year
    await portal.login("econ")
    html = (await portal.http.get("/report", params={"from": year - 1, "to": year})).text
    assert "层级奖励" in html and "万元" in html and ">tier<" not in html
    wb = load_workbook(io.BytesIO((await portal.http.get("/report.xlsx", params={"from": year - 1, "to": year})).content))
    assert wb["奖励兑现"]._charts and wb["奖励兑现"]["A3"].value == "层级奖励"
    assert wb["奖励兑现"]["B3"].value == award["amount_yuan"]

    await portal.login("bank", "BOB")
    assert (await portal.http.get("/report")).status_code == 403
    assert (await portal.http.get("/report.xlsx")).status_code == 403
    await suite.settled(timeout=120)  # the sample list is hundreds of events: slow on a busy machine
