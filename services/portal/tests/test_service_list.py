"""The banks' service list beyond today's page: a bank's sync view (every entry changed since a date,
a removed one with why), its XLSX, and the financial office's rebuild; a bad date beside the field."""
from __future__ import annotations

import io

import openpyxl

from services.portal.tests.helpers import promote
from services.portal.tests.test_words import no_raw_code
from shared.clock import today
from shared.testing import make_uscc


async def test_a_bank_syncs_the_changes_since_a_date_and_downloads_them(portal, suite):
    stays, leaves = make_uscc(), make_uscc()
    await promote(suite, stays, name="北京名单同步留存有限公司")
    await promote(suite, leaves, name="北京名单同步迁出有限公司")
    day = today().isoformat()
    r = await suite.client("registry").post(f"/api/v1/enterprises/{leaves}/departure",
                                            json={"status": "moved_out", "on": day, "reason": "迁往外区"})
    assert r.status_code == 200, r.text
    await suite.settled()

    await portal.login("bank", "BOB")
    today_list = (await portal.http.get("/service-list")).text
    assert "北京名单同步留存有限公司" in today_list and "北京名单同步迁出有限公司" not in today_list
    assert "重新核对名单" not in today_list  # the financial office's step only
    page = (await portal.http.get("/service-list", params={"changed_since": day})).text
    assert f"家企业自 {day} 起名单状态有变化" in page
    assert "北京名单同步迁出有限公司" in page and f"{day} 移出（企业迁出本区）" in page
    no_raw_code(page, "/service-list?changed_since")

    r = await portal.http.get("/service-list.xlsx", params={"changed_since": day})
    assert r.status_code == 200 and "spreadsheetml" in r.headers["content-type"]
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert leaves in rows and "北京名单同步迁出有限公司" in rows[leaves]

    r = await portal.http.get("/service-list", params={"changed_since": "2025-13-01"})
    assert r.status_code == 422 and 'id="changed_since-error"' in r.text and 'value="2025-13-01"' in r.text
    r = await portal.post("/service-list/rebuild", {"form_id": "rb-bank"}, page="/service-list")
    assert r.status_code == 403


async def test_the_financial_office_rebuilds_the_list(portal, suite):
    u = make_uscc()
    await promote(suite, u, name="北京名单核对有限公司")
    await portal.login("finance")
    page = (await portal.http.get("/service-list")).text
    assert 'action="/service-list/rebuild"' in page and "北京名单核对有限公司" in page
    r = await portal.post("/service-list/rebuild", {"form_id": "rb1"}, page="/service-list")
    assert r.status_code == 303 and r.headers["location"] == "/service-list"
    page = (await portal.http.get("/service-list")).text
    assert "重新核对名单" in page and ("没有企业的名单状态变化" in page or "家企业的名单状态有变化" in page)
    assert "北京名单核对有限公司" in page  # nothing lost by a rebuild
