"""走访与宣讲 for the lead bureau: econ records a visit to any enterprise, a session in any township and an
enterprise's attendance; the year's sessions are summed by township; bad input beside its form with
what was typed; the auditor reads without forms; a township records its own on /township."""
from __future__ import annotations

from services.portal.tests.helpers import promote
from services.portal.tests.test_words import no_raw_code
from shared.clock import today
from shared.testing import make_uscc


async def test_econ_records_visits_sessions_and_attendance_for_any_township(portal, suite):
    u = make_uscc()
    await promote(suite, u, name="北京走访宣讲测试有限公司")
    day = today().isoformat()
    await portal.login("econ")
    page = (await portal.http.get("/visits")).text
    assert "登记走访" in page and "窦店镇" in page  # the district's fixed township list
    r = await portal.post("/visits/visit", {"uscc": "91110111/../x", "visited_on": day, "visitors": "张科长",
                                            "findings": "需协调用地"}, page="/visits")
    assert r.status_code == 422 and 'id="visit-error"' in r.text and "统一社会信用代码无效" in r.text
    assert "需协调用地" in r.text  # what was typed is kept
    r = await portal.post("/visits/visit", {"uscc": u.lower(), "visited_on": day, "visitors": "张科长",
                                            "findings": "企业计划扩产，需协调用地", "form_id": f"v{u}"}, page="/visits")
    assert r.status_code == 303, r.text
    visits = (await suite.client("registry").get("/api/v1/visits", params={"uscc": u})).json()["items"]
    assert [(v["visitors"], v["findings"]) for v in visits] == [("张科长", "企业计划扩产，需协调用地")]

    r = await portal.post("/visits/session", {"title": "专精特新政策宣讲", "held_on": day, "topic": "申报指南"},
                          page="/visits")
    assert r.status_code == 422 and 'id="session-error"' in r.text and "请选择举办宣讲会的乡镇" in r.text
    r = await portal.post("/visits/session", {"township": "窦店镇", "title": f"专精特新政策宣讲{u[-4:]}", "held_on": day,
                                              "topic": "申报指南", "form_id": f"s{u}"}, page="/visits")
    assert r.status_code == 303, r.text
    sessions = (await suite.client("registry").get("/api/v1/policy-sessions", params={"township": "窦店镇"})).json()
    session = next(x for x in sessions["items"] if x["title"] == f"专精特新政策宣讲{u[-4:]}")
    r = await portal.post("/visits/attendance", {"session_id": str(session["id"]), "uscc": u, "attendees": "0"},
                          page="/visits")
    assert r.status_code == 422 and "参会人数须为" in r.text
    r = await portal.post("/visits/attendance", {"session_id": str(session["id"]), "uscc": u, "attendees": "3"},
                          page="/visits")
    assert r.status_code == 303, r.text
    page = (await portal.http.get("/visits", params={"township": "窦店镇"})).text
    assert f"专精特新政策宣讲{u[-4:]}" in page and "北京走访宣讲测试有限公司" in page and "合计" in page
    no_raw_code(page, "/visits")
    summary = (await suite.client("registry").get("/api/v1/policy-sessions/summary",
                                                  params={"year": today().year})).json()
    row = next(r for r in summary["townships"] if r["township"] == "窦店镇")
    assert row["attendees"] >= 3 and f'<td>窦店镇</td><td class="n">{row["sessions"]}</td>' in page


async def test_the_auditor_reads_visits_and_sessions_without_forms(portal, suite):
    await portal.login("auditor")
    page = (await portal.http.get("/visits")).text
    assert "宣讲会分乡镇统计" in page and "登记走访" not in page
    r = await portal.post("/visits/visit", {"uscc": make_uscc(), "visited_on": today().isoformat(), "visitors": "x",
                                            "findings": "y"}, page="/visits")
    assert r.status_code == 403
    await portal.login("park", (await suite.client("parks").post("/api/v1/parks", json={"name": f"走访测试园{make_uscc()[-5:]}"})).json()["id"])
    assert (await portal.http.get("/visits")).status_code == 403
