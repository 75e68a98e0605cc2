"""The talent office's reports in the portal: quotas per year and tier, nominations per state, the
XLSX; a bad year said beside the field; an enterprise liaison does not see the district's reports."""
from __future__ import annotations

from services.portal.tests.helpers import promote
from shared.testing import make_uscc


async def test_talent_reads_its_reports(portal, suite):
    firm = make_uscc()
    await promote(suite, firm, tier="national_little_giant", name="北京人才报表测试有限公司")
    await portal.login("talent")
    page = (await portal.http.get("/talent/reports")).text
    assert "落户指标（截至" in page and "国家级专精特新“小巨人”企业" in page and "人才推荐" in page
    assert (await portal.http.get("/talent/reports?year=20x5")).status_code == 422
    r = await portal.http.get("/talent/reports.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    await portal.login("enterprise", firm)
    assert (await portal.http.get("/talent/reports")).status_code == 403
