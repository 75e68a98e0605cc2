"""A township office signed in (any writing of its name): its own enterprises, a visit, a policy
session and an attendance recorded from its page, a missing field said beside the form, nothing of
another township's."""
from __future__ import annotations

from shared.testing import make_uscc


async def test_a_township_records_a_visit_a_session_and_who_attended(portal, suite):
    econ = suite.client("registry")
    here, there = make_uscc(), make_uscc()
    for u, town, name in ((here, "良乡镇", "北京良乡走访测试有限公司"), (there, "窦店镇", "北京窦店别家有限公司")):
        assert (await econ.post("/api/v1/enterprises", json={"uscc": u, "name": name, "township": town})).status_code == 201
    r = await portal.http.post("/login", data={"role": "township", "org": "良乡地区",
                                               "csrf_token": await portal.csrf("/login")})
    assert r.status_code == 303  # 良乡地区 is 良乡镇 on the fixed list
    page = (await portal.http.get("/township")).text
    assert "<h1>良乡镇</h1>" in page and "北京良乡走访测试有限公司" in page and "北京窦店别家有限公司" not in page

    r = await portal.post("/township/visit", {"uscc": here, "visited_on": "2025-04-10", "visitors": "",
                                              "findings": "扩产需要用地"}, page="/township")
    assert r.status_code == 422 and 'id="visit-error"' in r.text and "走访人员" in r.text and "扩产需要用地" in r.text
    r = await portal.post("/township/visit", {"uscc": here, "visited_on": "2025-04-10", "visitors": "王科长",
                                              "findings": "扩产需要用地", "form_id": "v1"}, page="/township")
    assert r.status_code == 303
    r = await portal.post("/township/visit", {"uscc": there, "visited_on": "2025-04-10", "visitors": "王科长",
                                              "findings": "越界"}, page="/township")
    assert r.status_code == 422  # another township's enterprise: the registry does not find it for us
    r = await portal.post("/township/session", {"title": "专精特新政策宣讲", "held_on": "2025-05-20",
                                                "topic": "认定条件与奖励", "form_id": "s1"}, page="/township")
    assert r.status_code == 303
    [session] = (await suite.client("registry", role="township", org="良乡镇").get(
        "/api/v1/policy-sessions")).json()["items"]
    r = await portal.post("/township/attendance", {"session_id": str(session["id"]), "uscc": here, "attendees": "0"},
                          page="/township")
    assert r.status_code == 422 and 'id="attendance-error"' in r.text
    r = await portal.post("/township/attendance", {"session_id": str(session["id"]), "uscc": here, "attendees": "3"},
                          page="/township")
    assert r.status_code == 303
    page = (await portal.http.get("/township")).text
    assert "扩产需要用地" in page and "专精特新政策宣讲" in page and "登记参会" in page
    visits = (await econ.get("/api/v1/visits", params={"uscc": here})).json()["items"]
    assert [v["findings"] for v in visits] == ["扩产需要用地"]
    assert (await econ.get(f"/api/v1/policy-sessions/{session['id']}")).json()["attendees"] == 3
    assert (await portal.http.get("/awards")).status_code == 403
    r = await portal.http.post("/login", data={"role": "township", "org": "望京街道",
                                               "csrf_token": await portal.csrf("/login")})
    assert r.status_code == 422 and "房山区没有“望京街道”这个乡镇（街道）" in r.text
