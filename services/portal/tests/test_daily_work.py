"""The portal without a browser, each department's daily work: the dashboard, an enterprise's timeline,
odd ids as Chinese 4xx pages, vouchers, lapsed titles, nominations on the enterprise's own quota, a
park's incubation records."""
from __future__ import annotations

import re

from services.portal.tests.helpers import a_park, award_of, fund, promote
from shared.clock import today
from shared.testing import make_uscc, wrong_check


async def test_dashboard_new_titles_targets_and_overdue_requests(portal, suite):
    u = make_uscc()
    await promote(suite, u, name="北京门户诉求测试有限公司")
    econ = suite.client("registry")
    r = await econ.post("/api/v1/service-requests", json={"uscc": u, "category": "subsidy",
                                                          "summary": "门户超期诉求", "opened_on": "2025-01-02"})
    assert r.status_code == 201, r.text
    late = r.json()
    year = today().year
    new = (await econ.get(f"/api/v1/stats/new?year={year}")).json()
    await portal.login("econ")
    dash = (await portal.http.get("/")).text
    assert f"{year} 年新增企业（按称号）" in dash and new["text_zh"] in dash
    assert f"{year} 年培育目标完成情况" in dash and 'id="target-municipal_srdi"' in dash
    assert "新增市级专精特新中小企业" in dash
    assert f'id="request-{late["id"]}"' in dash and f'href="/enterprises/{u}"' in dash and "资金补贴" in dash
    # An overdue request is 已逾期 on every page (the enterprise's timeline said 已超期).
    assert "逾期未办结的服务包诉求" in dash and "超期" not in dash.replace("门户超期诉求", "")
    page = (await portal.http.get(f"/enterprises/{u}")).text
    assert f"办理时限 {late['due_on']}，已逾期" in page and "已超期" not in page
    assert "已逾期" in (await portal.http.get("/requests", params={"overdue": "1"})).text
    # A department's dashboard counts its own overdue requests, as its queue shows them: the treasury
    # owns the subsidy request, not a talent one.
    r = await econ.post("/api/v1/service-requests", json={"uscc": u, "category": "talent",
                                                          "summary": "人才超期诉求", "opened_on": "2025-01-02"})
    assert r.status_code == 201, r.text
    for role, shown, hidden in (("treasury", late, r.json()), ("talent", r.json(), late)):
        await portal.login(role)
        dash = (await portal.http.get("/")).text
        assert f'id="request-{shown["id"]}"' in dash and f'id="request-{hidden["id"]}"' not in dash, role
    # A park may read requests (its own park's) but not the district's statistics or targets.
    await portal.login("park", (await a_park(suite))["id"])
    dash = (await portal.http.get("/")).text
    # what it may not read is one line, not a card each
    assert "新增企业统计、培育目标由区经信局等相关部门查看" in dash and 'id="nw"' not in dash and 'id="tg"' not in dash
    assert f'id="request-{late["id"]}"' not in dash
    # A bank reads none of the three.
    await portal.login("bank", "BOB")
    dash = (await portal.http.get("/")).text
    assert "全区层级统计、奖励办理情况、新增企业统计、培育目标、服务包诉求由区经信局等相关部门查看" in dash
    assert 'href="/loans"' in dash and 'id="sl"' in dash  # its own work: loans, and the service list it reads


async def test_enterprise_timeline_has_loan_cases_and_service_requests(portal, suite):
    u = make_uscc()
    await promote(suite, u, name="北京门户贷款测试有限公司")
    for org, yuan_ in (("B1", 3_000_000), ("B2", 5_000_000)):
        b = suite.client("finance", role="bank", org=org)
        r = await b.post("/api/v1/loans", json={"uscc": u, "applied_yuan": yuan_, "applied_on": "2025-07-01",
                                               "first_loan": True})
        assert r.status_code == 201, r.text
        if org == "B1":
            loan = r.json()["id"]
            assert (await b.post(f"/api/v1/loans/{loan}/decision",
                                 json={"approved": True, "decided_on": "2025-07-10"})).status_code == 200
            draw = {"drawn_yuan": yuan_, "drawn_on": "2025-07-15", "rate_bp": 350, "due_on": "2026-07-14"}
            assert (await b.post(f"/api/v1/loans/{loan}/draw", json=draw)).status_code == 200
    econ = suite.client("registry")
    req = (await econ.post("/api/v1/service-requests", json={"uscc": u, "category": "talent",
                                                             "summary": "人才公寓申请", "opened_on": "2025-08-01"})).json()
    r = await suite.client("registry", "talent").post(f"/api/v1/service-requests/{req['id']}/transition",
                                                       json={"state": "resolved", "note": "已安排公寓"})
    assert r.status_code == 200, r.text

    await portal.login("finance")
    page = (await portal.http.get(f"/enterprises/{u}")).text
    # 首贷 is finance's decision (the earliest drawn case of the enterprise), shown on the draw.
    assert "（B1）申请 3,000,000 元</li>" in page
    assert "（B1）放款 3,000,000 元，到期日 2026-07-14，首贷" in page
    assert "（B2）申请 5,000,000 元" in page  # the financial office reads every bank's cases
    assert f"服务包诉求 {req['id']}（人才）提出：人才公寓申请" in page
    assert f"服务包诉求 {req['id']}（人才）已办结：已安排公寓" in page
    # The talent office may not read loan cases (the finance service's 403): the rest still shows.
    await portal.login("talent")
    r = await portal.http.get(f"/enterprises/{u}")
    assert r.status_code == 200 and "贷款案件" not in r.text and "人才公寓申请" in r.text


async def test_odd_ids_and_queries_are_chinese_4xx_pages_never_a_500(portal):
    """Path parameters reach the services as one quoted segment; a bad value is the user's 4xx."""
    await portal.login("econ")
    cases = {
        "/enterprises/abc%3Fq=1": (404, "企业不存在：ABC?Q=1"),  # not the registry's list with ?q=1 (a code is case-insensitive)
        "/enterprises/%2e%2e": (404, "企业不存在：.."),  # not /api/v1/ one level up
        "/enterprises/%20": (404, "企业不存在：（空）"),
        "/parks/%2e%2e": (404, "园区不存在：.."),
        "/parks/x%23y": (404, "园区不存在：x#y"),
        "/import/jobs/%2e": (404, "导入任务不存在：."),
        "/import/jobs/x%3Fa=b": (404, "导入任务不存在：x?a=b"),
        "/talent?year=%C2%B2": (200, "落户指标（"),  # "²" is a digit to str.isdigit(), not to int()
        "/talent?year=99999": (422, "请求数据不符合要求（年度"),
        "/awards/99999999999999999999999": (422, "超出可存储的范围"),
        "/enterprises?cursor=garbage": (422, "分页游标无效"),
    }
    for url, (status, text) in cases.items():
        r = await portal.http.get(url)
        assert r.status_code == status and text in r.text, (url, r.status_code, r.text[-800:])
        assert "Traceback" not in r.text and "详见各字段问题" not in r.text and "detail_en" not in r.text, url
        assert "query." not in r.text and "body." not in r.text, url


async def test_a_voucher_pays_one_award_and_field_errors_are_in_the_flash(portal, suite):
    """Treasury: a second award with the same voucher is refused with the awards service's Chinese
    reason; a voucher with a control character is refused with the field's reason in the flash
    (no "see below" with nothing below, no pydantic "Value error" prefix)."""
    first, second = make_uscc(), make_uscc()
    await promote(suite, first, name="北京凭证测试甲有限公司")
    await promote(suite, second, name="北京凭证测试乙有限公司")
    await fund(suite)
    awards = [await award_of(suite, u) for u in (first, second)]
    for aw in awards:
        for action in ("review", "approve"):
            role = "econ" if action == "review" else "treasury"
            assert (await suite.client("awards", role).post(f"/api/v1/awards/{aw['id']}/{action}")).status_code == 200
    await portal.login("treasury")
    voucher = f"PZ-{first[-6:]}"
    r = await portal.post(f"/awards/{awards[0]['id']}/disburse", {"voucher": voucher, "next": "/awards"}, page="/awards")
    assert "已拨付，当前状态" in (await portal.http.get(r.headers["location"])).text
    r = await portal.post(f"/awards/{awards[1]['id']}/disburse", {"voucher": voucher, "next": "/awards"}, page="/awards")
    page = (await portal.http.get(r.headers["location"])).text
    assert f"奖励 {awards[1]['id']} 拨付未成功：凭证号 {voucher} 已用于拨付奖励 {awards[0]['id']}" in page
    assert (await suite.client("awards").get(f"/api/v1/awards/{awards[1]['id']}")).json()["state"] == "approved"
    r = await portal.post(f"/awards/{awards[1]['id']}/disburse", {"voucher": "PZ\x07X", "next": "/awards"}, page="/awards")
    page = (await portal.http.get(r.headers["location"])).text
    assert "拨付未成功：请求数据不符合要求（支付凭证号" in page and "含有控制字符" in page
    assert "见下列说明" not in page and "Value error" not in page and "body.voucher" not in page


async def test_a_lapsed_title_shows_as_expired_on_its_dates_before_any_sweep(portal, suite):
    u = make_uscc()
    r = suite.client("registry")
    assert (await r.post("/api/v1/enterprises", json={"uscc": u, "name": "北京到期测试有限公司"})).status_code == 201
    c = await r.post(f"/api/v1/enterprises/{u}/certifications",
                     json={"tier": "municipal_srdi", "recognized_on": "2021-03-01", "expires_on": "2024-02-29"})
    assert c.status_code == 201, c.text
    await suite.settled()
    held = (await r.get(f"/api/v1/enterprises/{u}")).json()
    assert held["current_tier"] == "sme"
    await portal.login("econ")
    page = (await portal.http.get(f"/enterprises/{u}")).text
    # Whatever state the registry still stores (its sweep announces, it does not decide), the title
    # lapsed the day after 2024-02-29: the table says so and the timeline (the registry's) has the
    # lapse on that day, naming the last valid day.
    assert "<td>2024-02-29</td><td>—</td><td>手工录入</td><td>已到期</td>" in page
    assert "2024-03-01</time> <span class=\"tag\">到期</span> 北京市专精特新中小企业有效期届满（2024-02-29）" in page


async def test_an_enterprise_liaison_nominates_on_its_own_quota_and_sees_ids_masked(portal, suite):
    from shared.testing import make_resident_id

    u, other = make_uscc(), make_uscc()
    year = today().year
    await promote(suite, u, tier="national_little_giant", name="北京人才推荐测试有限公司")
    c = await suite.client("registry").post(f"/api/v1/enterprises/{u}/certifications",
                                            json={"tier": "national_little_giant", "recognized_on": f"{year}-01-05"})
    assert c.status_code in (201, 409), c.text
    await suite.settled()
    await suite.wait_for(lambda: quota_left(suite, u, year), "a quota this year")
    # Signing in: the picker offers the liaison; its organisation must be a valid USCC.
    page = (await portal.http.get("/login")).text
    assert '<option value="enterprise">企业联络员</option>' in page
    r = await portal.http.post("/login", data={"role": "enterprise", "org": wrong_check(u),
                                               "csrf_token": await portal.csrf()})
    assert r.status_code == 422 and "统一社会信用代码" in r.text and 'id="role"' in r.text  # the form again
    await portal.login("enterprise", u)
    nav = (await portal.http.get("/")).text
    assert "落户指标与人才推荐" in nav and "企业查询" not in nav and "奖励审核与拨付" not in nav
    assert (await portal.http.get("/enterprises")).status_code == 403
    page = (await portal.http.get("/talent")).text
    assert "提交人才推荐" in page and f'<option value="{year}" selected>' in page
    assert f'href="/enterprises/{u}"' not in page  # no link to a page the liaison may not open
    pid = make_resident_id("19880315")
    bad = await portal.post("/talent/nominations", {"year": str(year), "category": "骨干人才", "name": "张伟",
                                                    "id_number": wrong_check(pid), "education": "硕士",
                                                    "post": "研发总监"}, page="/talent")
    page = (await portal.http.get(bad.headers["location"])).text
    said = flashes(page)
    assert "人才推荐未提交" in said and "身份证号码" in said and "id_number" not in said, said
    r = await portal.post("/talent/nominations", {"year": str(year), "category": "骨干人才", "name": "张伟",
                                                  "id_number": pid, "education": "硕士", "post": "研发总监"},
                          page="/talent")
    page = (await portal.http.get(r.headers["location"])).text
    assert "已提交人才推荐" in page and "（身份证号 " in page
    assert pid not in page and pid[6:14] not in page and "1988-03-15" not in page  # nothing to rebuild it from
    nom = (await suite.client("talent").get(f"/api/v1/nominations?uscc={u}")).json()["items"][0]
    assert nom["state"] == "submitted" and nom["person"]["id_number_masked"] in page
    # The liaison only withdraws (the office decides); it may not nominate for another enterprise.
    assert f'action="/talent/nominations/{nom["id"]}/withdraw"' in page
    assert f'action="/talent/nominations/{nom["id"]}/review"' not in page
    r = await portal.post(f"/talent/nominations/{nom['id']}/review", page="/talent")
    assert "区级审核未成功" in (await portal.http.get(r.headers["location"])).text

    # The talent office: the same person nominated by another enterprise is flagged (keyed hash).
    await promote(suite, other, tier="national_little_giant", name="北京人才推荐测试乙有限公司")
    c = await suite.client("registry").post(f"/api/v1/enterprises/{other}/certifications",
                                            json={"tier": "national_little_giant", "recognized_on": f"{year}-01-05"})
    assert c.status_code in (201, 409), c.text
    await suite.settled()
    await suite.wait_for(lambda: quota_left(suite, other, year), "a quota this year")
    body = {"uscc": other, "year": year, "category": "领军人才",
            "person": {"name": "张伟", "id_number": pid, "education": "博士", "post": "首席科学家"}}
    assert (await suite.client("talent", "enterprise", other).post("/api/v1/nominations", json=body)).status_code == 201
    await portal.login("talent")
    page = (await portal.http.get(f"/talent?year={year}")).text
    assert f"同一人另有推荐：推荐 {nom['id']}" in page and pid not in page and "1988-03-15" not in page


async def test_the_talent_page_says_where_each_quotas_certification_stands(portal, suite):
    """Beside a quota's basis, where the certification it rests on stands today (the talent service's
    `certification_status`, in the portal's words for a certification's state, `cert_state`): in
    force with its last valid day, revoked with its date (the quota it still grants is kept), voided
    on the lapsed year it granted; never as a title in force once revoked or voided."""
    year = today().year
    registry = suite.client("registry")
    certs = {}
    for u, name in ((make_uscc(), "北京指标依据有效测试有限公司"), (make_uscc(), "北京指标依据撤销测试有限公司"),
                    (make_uscc(), "北京指标依据作废测试有限公司")):
        assert (await registry.post("/api/v1/enterprises", json={"uscc": u, "name": name})).status_code == 201
        c = await registry.post(f"/api/v1/enterprises/{u}/certifications",
                                json={"tier": "national_little_giant", "recognized_on": f"{year - 1}-08-01"})
        assert c.status_code == 201, c.text
        certs[u] = c.json()
    kept, revoked, voided = certs
    for u in certs:
        await suite.wait_for(lambda u=u: quota_left(suite, u, year), "this year's quota")
    r = await registry.post(f"/api/v1/certifications/{certs[revoked]['id']}/revoke",
                            json={"reason": "企业主动申请", "for_cause": False})
    assert r.status_code == 200, r.text
    r = await registry.post(f"/api/v1/certifications/{certs[voided]['id']}/void", json={"reason": "误录"})
    assert r.status_code == 200, r.text

    async def basis_reads(u: str, y: int, state: str) -> bool:
        items = (await suite.client("talent").get(f"/api/v1/quotas?uscc={u}&year={y}")).json()["items"]
        return bool(items) and (items[0]["basis"].get("certification_status") or {}).get("state") == state
    await suite.wait_for(lambda: basis_reads(revoked, year, "revoked"), "this year's basis revoked in talent")
    await suite.wait_for(lambda: basis_reads(voided, year - 1, "voided"), "last year's basis voided in talent")
    await portal.login("talent")

    def row(page: str, u: str) -> str:
        [tr] = [tr for tr in page.split("<tr>") if f'href="/enterprises/{u}"' in tr]
        return tr
    page = (await portal.http.get(f"/talent?year={year}")).text
    nlg = "国家级专精特新“小巨人”企业"
    assert f'{nlg}<br><span class="hint">认定有效（有效期至 {certs[kept]["expires_on"]}）</span>' in row(page, kept)
    assert f'{nlg}<br><span class="hint">认定已撤销（{today().isoformat()}）</span>' in row(page, revoked)
    assert "认定有效" not in row(page, revoked)
    page = (await portal.http.get(f"/talent?year={year - 1}")).text
    assert f'{nlg}<br><span class="hint">认定已作废（录入错误）</span>' in row(page, voided)
    assert "认定有效" not in row(page, voided) and "有效期至" not in row(page, voided)


def flashes(page: str) -> str:
    """The flash messages' text on a page."""
    return " ".join(re.findall(r'<p class="flash [a-z]+" role="[a-z]+">(.*?)</p>', page, re.S))


async def quota_left(suite, uscc: str, year: int) -> bool:
    items = (await suite.client("talent").get(f"/api/v1/quotas?uscc={uscc}&year={year}")).json()["items"]
    return bool(items) and items[0]["available"] > 0


async def test_a_park_records_incubation_only_for_its_own_enterprises(portal, suite):
    parks = suite.client("parks")
    mine = (await parks.post("/api/v1/parks", json={"name": "门户孵化测试园甲"})).json()["id"]
    theirs = (await parks.post("/api/v1/parks", json={"name": "门户孵化测试园乙"})).json()["id"]
    own, foreign = make_uscc(), make_uscc()
    await promote(suite, own, tier="innovative", name="北京孵化测试甲有限公司", park_id=mine)
    await promote(suite, foreign, tier="innovative", name="北京孵化测试乙有限公司", park_id=theirs)
    await portal.login("park", mine)
    page = (await portal.http.get(f"/parks/{mine}")).text
    assert "登记入孵" in page and f'<option value="{own}">' in page and foreign not in page

    async def record(uscc: str, on: str) -> str:
        r = await portal.post(f"/parks/{mine}/incubations", {"uscc": uscc, "entered_on": on}, page=f"/parks/{mine}")
        assert r.status_code == 303 and r.headers["location"] == f"/parks/{mine}"
        return (await portal.http.get(r.headers["location"])).text

    page = await record(foreign, "2025-05-01")  # another park's enterprise: refused, its name not shown
    assert f"入孵未登记（{foreign}）：企业库未将该企业登记在园区 {mine}" in page and "北京孵化测试乙有限公司" not in page
    page = await record(own, "2099-01-01")  # a date after today
    assert "入孵未登记" in page and "晚于今天" in page and "Value error" not in page
    page = await record(own.lower(), "2025-05-01")
    assert "已登记入孵：北京孵化测试甲有限公司，入孵日期 2025-05-01" in page
    assert "<td>北京孵化测试甲有限公司</td>" in page and "<td>2025-05-01</td>" in page
    items = (await parks.get(f"/api/v1/parks/{mine}/incubations")).json()["items"]
    assert [i["uscc"] for i in items] == [own]
    # The auditor reads the records, without the form; another park's operator cannot post here.
    await portal.login("auditor")
    page = (await portal.http.get(f"/parks/{mine}")).text
    assert "入孵记录（1 条）" in page and "登记入孵" not in page
    assert (await portal.post(f"/parks/{mine}/incubations", {"uscc": own, "entered_on": "2025-05-01"},
                              page=f"/parks/{mine}")).status_code == 403
    await portal.login("park", theirs)
    page = await record(own, "2025-06-01")
    assert "入孵未登记" in page and "不存在" in page  # the parks service: not its park
    assert len((await parks.get(f"/api/v1/parks/{mine}/incubations")).json()["items"]) == 1
