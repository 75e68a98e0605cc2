"""An enterprise opens a request on its page; the owning department finds it in its queue and resolves
it (a note is needed, said beside the field); the enterprise sees it resolved."""
from __future__ import annotations

import datetime as dt

from services.portal.tests.helpers import promote
from shared.clock import today
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
    assert f"{today().isoformat()} 受理" in row[:row.index("</tr>")]  # the day it was accepted
    assert '<a href="/requests?state=accepted" aria-current="page">已受理</a>' in page
    assert "办理中" not in page
    await portal.login("enterprise", req["uscc"])
    page = (await portal.http.get("/mine")).text
    assert "已受理" in page and "办理中" not in page


async def test_a_refused_move_comes_back_to_the_same_filter(portal, suite):
    """A move the registry refuses (accepted meanwhile by a colleague) brings back the queue as it was
    filtered, with the refusal said (the request itself has left the 待受理 list); the other forms
    still lead back to that filter, not to the move's address."""
    req = await opened(portal, suite, "北京筛选保留测试有限公司", "咨询首贷贴息")
    other = await opened(portal, suite, "北京筛选保留另一测试有限公司", "咨询专精特新保")
    await portal.login("finance")
    page = (await portal.http.get("/requests", params={"state": "open"})).text
    assert f'id="request-{req["id"]}"' in page
    meanwhile = await suite.client("registry", role="finance").post(
        f"/api/v1/service-requests/{req['id']}/transition", json={"state": "accepted"})
    assert meanwhile.status_code == 200, meanwhile.text

    r = await portal.post(f"/requests/{req['id']}/move", {
        "to": "accepted", "note": "", "state": "open", "overdue": "", "cursor": "",
        "next": f"/requests?state=open#request-{req['id']}"}, page="/requests?state=open")
    assert r.status_code == 422, r.text
    assert '<a href="/requests?state=open" aria-current="page">待受理</a>' in r.text
    assert f"诉求 {req['id']} 未办理：诉求已受理，不能变为已受理" in r.text
    assert f'id="request-{req["id"]}"' not in r.text  # no longer 待受理
    row = r.text[r.text.index(f'id="request-{other["id"]}"'):]
    assert f'name="next" value="/requests?state=open#request-{other["id"]}"' in row
    assert '<input type="hidden" name="state" value="open">' in row
    # The browser's address is now the move's: entered again (a GET), it leads to the queue, not 405.
    r = await portal.http.get(f"/requests/{req['id']}/move")
    assert r.status_code == 303 and r.headers["location"] == "/requests", r.text
    r = await portal.http.get(f"/requests/{req['id']}/move", params={"state": "open"})
    assert r.status_code == 303 and r.headers["location"] == "/requests?state=open"
    assert (await portal.http.get(r.headers["location"])).status_code == 200


async def test_a_refused_move_keeps_the_move_chosen(portal, suite):
    """退回 without a note is refused: the form comes back on 退回 with the note field, so adding the
    note sends the request back (it came back on 受理, and the next submit accepted it)."""
    req = await opened(portal, suite, "北京退回保留测试有限公司", "咨询担保费补贴")
    await portal.login("finance")
    r = await portal.post(f"/requests/{req['id']}/move", {"to": "rejected", "note": "", "next": "/requests"},
                          page="/requests")
    assert r.status_code == 422 and "退回须填写办理说明" in r.text
    row = r.text[r.text.index(f'id="request-{req["id"]}"'):]
    row = row[:row.index("</select>")]
    assert '<option value="rejected" selected>' in row and '<option value="accepted" selected>' not in row


async def test_the_bureau_logs_a_request_an_enterprise_made_by_phone(portal, suite):
    """On the enterprise's page (econ): what is missing is said beside the form with the text kept, a
    day after today is the registry's refusal, and a logged request goes to its department's queue."""
    own = make_uscc()
    await promote(suite, own, name="北京来电诉求测试有限公司")
    await portal.login("econ")
    page = (await portal.http.get(f"/enterprises/{own}")).text
    assert "登记诉求" in page and f'action="/enterprises/{own}/requests"' in page
    r = await portal.post(f"/enterprises/{own}/requests", {"category": "talent", "summary": ""},
                          page=f"/enterprises/{own}")
    assert r.status_code == 422 and "未登记：请填写诉求内容" in r.text
    assert '<option value="talent" selected>' in r.text
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    r = await portal.post(f"/enterprises/{own}/requests", {"category": "talent", "summary": "咨询人才落户指标",
                                                          "opened_on": tomorrow}, page=f"/enterprises/{own}")
    assert r.status_code == 422 and 'id="req-error"' in r.text and "咨询人才落户指标</textarea>" in r.text
    said = r.text[r.text.index('id="req-error"'):]
    assert "提出日期" in said[:said.index("</div>")] and "opened_on" not in said[:said.index("</div>")]
    assert (await suite.client("registry").get("/api/v1/service-requests", params={"uscc": own})).json()["items"] == []
    r = await portal.post(f"/enterprises/{own}/requests", {"category": "talent", "summary": "咨询人才落户指标",
                                                          "form_id": "phone1"}, page=f"/enterprises/{own}")
    assert r.status_code == 303 and r.headers["location"] == f"/enterprises/{own}#tl"
    [req] = (await suite.client("registry").get("/api/v1/service-requests", params={"uscc": own})).json()["items"]
    assert (req["category"], req["department"], req["state"]) == ("talent", "talent", "open")
    page = (await portal.http.get(r.headers["location"])).text
    assert f"已登记诉求（编号 {req['id']}，人才），由区人社局 / 区委人才办办理，办理时限至 {req['due_on']}" in page

    await portal.login("talent")  # its department finds it; a department cannot log one for an enterprise
    assert f'id="request-{req["id"]}"' in (await portal.http.get("/requests")).text
    r = await portal.post(f"/enterprises/{own}/requests", {"category": "talent", "summary": "再来一次"},
                          page="/requests")
    assert r.status_code == 403


async def test_an_accepted_request_is_on_the_enterprises_timeline(portal, suite):
    """The enterprise's timeline says 受理 between 提出 and 办结, naming the department (the portal dropped
    the registry's service_request.accepted entry and built only 提出 and 办结 itself); within a day,
    the later step first."""
    own = make_uscc()
    await promote(suite, own, name="北京受理时间线测试有限公司")
    req = (await suite.client("registry").post("/api/v1/service-requests", json={
        "uscc": own, "category": "subsidy", "summary": "咨询研发费用补贴"})).json()
    treasury = suite.client("registry", "treasury")
    for state, note in (("accepted", None), ("resolved", "已说明申报流程")):
        r = await treasury.post(f"/api/v1/service-requests/{req['id']}/transition",
                                json={"state": state, **({"note": note} if note else {})})
        assert r.status_code == 200, r.text
    await portal.login("econ")
    page = (await portal.http.get(f"/enterprises/{own}")).text
    what = f"服务包诉求 {req['id']}（资金补贴）"
    lines = [f"{what}已办结：已说明申报流程", f"{what}已受理（区财政局）", f"{what}提出：咨询研发费用补贴"]
    at = [page.find(line) for line in lines]
    assert -1 not in at and at == sorted(at), at  # newest first: 办结, 受理, 提出


def test_a_role_reading_only_the_registrys_timeline_sees_the_request_accepted():
    """Without the requests themselves, the registry's own entries: its 受理 entry says 已受理 and
    the department, not the request's state today (已办结)."""
    from services.portal.pages.enterprises import registry_timeline
    detail = {"id": 7, "category": "land_space", "department": "park", "state": "resolved", "due_on": "2025-03-16"}
    entries = [{"on": "2025-03-03", "kind": "service_request.closed", "summary_zh": "诉求办结（已办结）", "detail": detail},
               {"on": "2025-03-02", "kind": "service_request.accepted", "summary_zh": "诉求已受理（园区）", "detail": detail},
               {"on": "2025-03-01", "kind": "service_request.opened", "summary_zh": "提出诉求（用地空间）：扩租厂房",
                "detail": detail}]
    items = registry_timeline({"entries": entries}, [], [], [], False, False, None)
    assert [i["text"] for i in items] == ["服务包诉求 7（用地空间）已办结", "服务包诉求 7（用地空间）已受理（园区运营方）",
                                          "服务包诉求 7（用地空间）提出：扩租厂房"]
