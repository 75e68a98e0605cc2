"""An enterprise signed in with its USCC: its own page (titles and validity, the awards paid to it,
its requests with a form, its inbox), bad input next to the field, nothing of another enterprise."""
from __future__ import annotations

from services.portal.tests.helpers import promote
from shared.testing import make_uscc


async def test_an_enterprise_sees_its_own_page_and_opens_a_request(portal, suite):
    own, other = make_uscc(), make_uscc()
    await promote(suite, own, name="北京自助服务测试有限公司")
    await promote(suite, other, name="北京别家企业有限公司")
    await portal.login("enterprise", own)
    page = (await portal.http.get("/mine")).text
    assert "北京自助服务测试有限公司" in page and "北京别家企业有限公司" not in page
    assert "北京市专精特新中小企业" in page or "专精特新" in page  # its title, in words
    assert "奖励（1 笔）" in page and "待审核" in page and "30 万元" in page
    assert '<a href="/mine"' in (await portal.http.get("/")).text  # in its menu

    # Bad input is said next to the field, the text kept; nothing is opened.
    r = await portal.post("/mine/requests", {"category": "", "summary": "想了解首贷贴息"}, page="/mine")
    assert r.status_code == 422 and 'id="category-error"' in r.text and "想了解首贷贴息" in r.text
    listed = (await suite.client("registry").get("/api/v1/service-requests", params={"uscc": own})).json()["items"]
    assert listed == []
    r = await portal.post("/mine/requests", {"category": "finance", "summary": "想了解首贷贴息", "form_id": "m1"},
                          page="/mine")
    assert r.status_code == 303 and r.headers["location"].startswith("/mine#request-")
    page = (await portal.http.get("/mine")).text
    assert "诉求已提交" in page and "想了解首贷贴息" in page and "区金融服务办" in page
    [req] = (await suite.client("registry").get("/api/v1/service-requests", params={"uscc": own})).json()["items"]
    assert (req["category"], req["department"]) == ("finance", "finance")
    # Another enterprise's record is not its to open, and the district's pages are closed to it.
    assert (await portal.http.get(f"/enterprises/{other}")).status_code == 403
    assert (await portal.http.get("/awards")).status_code == 403
