"""An enterprise opens a request on its page; the owning department finds it in its queue and resolves
it (a note is needed, said beside the field); the enterprise sees it resolved."""
from __future__ import annotations

from services.portal.tests.helpers import promote
from shared.testing import make_uscc


async def test_an_enterprise_asks_and_the_owning_department_resolves(portal, suite):
    own = make_uscc()
    await promote(suite, own, name="北京诉求闭环测试有限公司")
    await portal.login("enterprise", own)
    r = await portal.post("/mine/requests", {"category": "finance", "summary": "申请对接首贷银行", "form_id": "q1"},
                          page="/mine")
    assert r.status_code == 303
    [req] = (await suite.client("registry").get("/api/v1/service-requests", params={"uscc": own})).json()["items"]

    await portal.login("talent")  # another department's queue does not hold it
    assert f'id="request-{req["id"]}"' not in (await portal.http.get("/requests")).text
    await portal.login("finance")
    page = (await portal.http.get("/requests")).text
    assert f'id="request-{req["id"]}"' in page and "北京诉求闭环测试有限公司" in page and "申请对接首贷银行" in page
    r = await portal.post(f"/requests/{req['id']}/move", {"to": "resolved", "note": "", "next": "/requests"},
                          page="/requests")
    assert r.status_code == 422 and f'id="note-err-{req["id"]}"' in r.text and "办结须填写办理说明" in r.text
    r = await portal.post(f"/requests/{req['id']}/move", {"to": "resolved", "note": "已对接北京银行房山支行",
                                                         "next": f"/requests#request-{req['id']}", "form_id": "q2"},
                          page="/requests")
    assert r.status_code == 303 and r.headers["location"] == f"/requests#request-{req['id']}"
    assert "诉求" in (await portal.http.get("/requests?state=resolved")).text

    await portal.login("enterprise", own)
    page = (await portal.http.get("/mine")).text
    assert "已办结" in page and "已对接北京银行房山支行" in page


async def opened(portal, suite, name: str, summary: str) -> dict:
    """A request an enterprise opened on its page (the finance office owns it: category finance)."""
    own = make_uscc()
    await promote(suite, own, name=name)
    await portal.login("enterprise", own)
    r = await portal.post("/mine/requests", {"category": "finance", "summary": summary, "form_id": own},
                          page="/mine")
    assert r.status_code == 303, r.text
    [req] = (await suite.client("registry").get("/api/v1/service-requests", params={"uscc": own})).json()["items"]
    return req


async def test_an_accepted_request_reads_as_accepted(portal, suite):
    """受理 makes a request 已受理 (the registry's word), in the queue, its filter and the enterprise's
    own page; not 办理中."""
    req = await opened(portal, suite, "北京受理状态测试有限公司", "咨询专精特新贷")
    await portal.login("finance")
    r = await portal.post(f"/requests/{req['id']}/move", {"to": "accepted", "next": "/requests"}, page="/requests")
    assert r.status_code == 303, r.text
    page = (await portal.http.get("/requests", params={"state": "accepted"})).text
    row = page[page.index(f'id="request-{req["id"]}"'):]
    assert "<td>已受理" in row[:row.index("</tr>")]
    assert '<a href="/requests?state=accepted" aria-current="page">已受理</a>' in page
    assert "办理中" not in page
    await portal.login("enterprise", req["uscc"])
    page = (await portal.http.get("/mine")).text
    assert "已受理" in page and "办理中" not in page
