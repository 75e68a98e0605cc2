"""The award queue at scale: 50 a page walked with the service's cursor, sorted by amount, the
filter's totals, a batch review with one confirmation, and back at the same place after an action."""
from __future__ import annotations

import re

from services.portal.tests.helpers import promote
from shared.testing import make_uscc


async def test_pages_totals_batch_review_and_staying_in_place(portal, suite):
    firms = [make_uscc() for _ in range(3)]
    for u, tier in zip(firms, ["municipal_srdi", "national_little_giant", "municipal_little_giant"], strict=True):
        await promote(suite, u, tier=tier, name=f"北京队列测试{u[-4:]}有限公司")
    awards = (await suite.client("awards").get("/api/v1/awards", params={"state": "computed", "limit": 500})).json()
    total = (await suite.client("awards").get("/api/v1/awards/totals", params={"state": "computed"})).json()
    await portal.login("econ")

    page = (await portal.http.get("/awards?sort=-amount")).text
    assert f"共 <strong>{total['count']}</strong> 笔" in page
    amounts = [int(x.replace(",", "")) for x in re.findall(r'<span class="hint">([\d,]+) 元</span>', page)]
    assert amounts == sorted(amounts, reverse=True) and amounts
    assert 'name="award_id"' in page and 'form="batch"' in page
    ours = [a for a in awards["items"] if a["uscc"] in firms]
    assert len(ours) == 3

    # Tick two: a confirmation names them and their sum; nothing has changed yet.
    picked = ours[:2]
    here = "/awards?sort=-amount"
    r = await portal.post("/awards/batch", {"award_id": [a["id"] for a in picked], "next": here, "form_id": "f1"},
                          page="/awards")
    assert r.status_code == 200 and "确认批量审核通过" in r.text and "确认审核通过 2 笔" in r.text
    assert f"北京队列测试{picked[0]['uscc'][-4:]}有限公司" in r.text
    for a in picked:
        assert (await suite.client("awards").get(f"/api/v1/awards/{a['id']}")).json()["state"] == "computed"
    r = await portal.post("/awards/batch", {"award_id": [a["id"] for a in picked], "next": here, "form_id": "f1",
                                            "confirmed": "1"}, page="/awards")
    assert r.status_code == 303 and r.headers["location"] == here
    for a in picked:
        assert (await suite.client("awards").get(f"/api/v1/awards/{a['id']}")).json()["state"] == "reviewed"
    assert "已审核通过 2 笔。" in (await portal.http.get(here)).text
    # Sent again (a double click): the idempotency keys make it the same answer, nothing twice.
    r = await portal.post("/awards/batch", {"award_id": [a["id"] for a in picked], "next": here, "form_id": "f1",
                                            "confirmed": "1"}, page="/awards")
    assert r.status_code == 303
    # A single action comes back to its own row, with the filters and sort kept.
    single = ours[2]
    r = await portal.post(f"/awards/{single['id']}/review", {"next": f"{here}#award-{single['id']}"}, page="/awards")
    assert r.status_code == 303 and r.headers["location"] == f"{here}#award-{single['id']}"
    # Nothing ticked is said on the same page.
    r = await portal.post("/awards/batch", {"next": here}, page="/awards")
    assert r.status_code == 303 and "请先勾选要批量处理的奖励" in (await portal.http.get(here)).text


async def test_the_queue_pages_with_the_services_cursor(portal, suite):
    for _ in range(3):
        await promote(suite, make_uscc())
    await portal.login("econ")
    from services.portal.pages import awards as queue
    size, queue.PAGE_SIZE = queue.PAGE_SIZE, 2
    try:
        first = (await portal.http.get("/awards?state=computed")).text
        more = re.search(r'href="(/awards\?[^"]*cursor=[^"]+)" rel="next"', first)
        assert more, "a next page link"
        second = (await portal.http.get(more.group(1).replace("&amp;", "&"))).text
        ids = lambda html: re.findall(r'<tr id="award-(\d+)">', html)  # noqa: E731
        assert len(ids(first)) == 2 and ids(second) and not set(ids(first)) & set(ids(second))
        assert "第一页" in second
    finally:
        queue.PAGE_SIZE = size


async def test_an_empty_queue_says_its_total_once(portal):
    """Nothing in the queue: 合计 0 元, once (it read 合计 0 元（0 元）); an amount below 万 is said in 元
    once too, one above it in 万元 and in 元."""
    from services.portal.labels import yuan_also
    await portal.login("treasury")
    page = (await portal.http.get("/awards", params={"uscc": make_uscc()})).text
    assert "共 <strong>0</strong> 笔，合计 <strong>0 元</strong>" in page and "（0 元）" not in page
    assert (yuan_also(0), yuan_also(5000), yuan_also(300000)) == ("", "", "（300,000 元）")
