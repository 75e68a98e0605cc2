"""The portal without a browser: sign-in, CSRF, role-restricted pages, the services' problems in Chinese."""
from __future__ import annotations

import asyncio
import datetime as dt
import re
import time

import httpx

from services.portal.config import PortalSettings
from services.portal.main import create_portal
from services.portal.tests.conftest import Portal
from shared.clock import SHANGHAI, today
from shared.auth import SigningKey
from shared.settings import Settings
from shared.testing import make_uscc, wrong_check


async def promote(suite, uscc: str, tier: str = "municipal_srdi", name: str = "北京门户测试科技有限公司",
                  **facts) -> None:
    r = suite.client("registry")
    assert (await r.post("/api/v1/enterprises", json={"uscc": uscc, "name": name, **facts})).status_code == 201
    assert (await r.post(f"/api/v1/enterprises/{uscc}/certifications",
                         json={"tier": tier, "recognized_on": "2025-03-01"})).status_code == 201
    await suite.settled()


async def fund(suite, yuan: int = 10**9) -> None:
    """Give this year's tier awards a budget, where the awards service keeps budgets (issue 3)."""
    r = await suite.client("awards", "treasury").put(f"/api/v1/budgets/{today().year}/tier",
                                                     json={"allocated_yuan": yuan})
    assert r.status_code in (200, 201, 404, 405), r.text


async def award_of(suite, uscc: str) -> dict:
    items = (await suite.client("awards").get(f"/api/v1/awards?uscc={uscc}")).json()["items"]
    assert len(items) == 1
    return items[0]


async def test_pages_need_sign_in_and_healthz_does_not(portal):
    r = await portal.http.get("/")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    r = await portal.http.get("/enterprises")
    assert r.status_code == 303
    assert (await portal.http.get("/healthz")).json() == {"status": "ok", "service": "portal"}
    ready = (await portal.http.get("/readyz")).json()
    assert ready["issuer"] == "ok" and set(ready["services"]) == {"registry", "awards", "talent", "finance", "parks"}
    assert all(ready["services"].values()), ready  # every service of the suite answers ready
    metrics = await portal.http.get("/metrics")
    assert metrics.status_code == 200 and "python_info" in metrics.text
    r = await portal.http.get("/login")
    assert r.status_code == 200 and "选择角色登录" in r.text
    assert "srdi_portal" in r.headers["set-cookie"] and "httponly" in r.headers["set-cookie"].lower()
    assert "default-src 'self'" in r.headers["content-security-policy"]


async def test_every_form_refuses_a_missing_or_wrong_csrf_token(portal, suite):
    r = await portal.http.post("/login", data={"role": "econ"})  # no token at all
    assert r.status_code == 403 and "表单校验失败" in r.text
    await portal.http.get("/login")
    r = await portal.http.post("/login", data={"role": "econ", "csrf_token": "forged"})
    assert r.status_code == 403 and "表单校验失败" in r.text
    assert (await portal.http.get("/")).status_code == 303  # still not signed in

    await portal.login("econ")
    u = make_uscc()
    await promote(suite, u)
    award = await award_of(suite, u)
    for path, data in ((f"/awards/{award['id']}/review", {}), ("/logout", {}),
                       (f"/awards/{award['id']}/reject", {"reason": "x"})):
        r = await portal.http.post(path, data={**data, "csrf_token": "forged"})
        assert r.status_code == 403 and "表单校验失败" in r.text, path
    r = await portal.http.post("/import", files={"file": ("l.csv", b"x", "text/csv")})
    assert r.status_code == 403 and "表单校验失败" in r.text
    assert (await award_of(suite, u))["state"] == "computed"  # nothing was forwarded
    # Another browser's token is not this session's.
    other = Portal(portal.app)
    await other.login("econ")
    r = await portal.http.post(f"/awards/{award['id']}/review", data={"csrf_token": await other.csrf("/")})
    assert r.status_code == 403
    await other.http.aclose()
    # With the right token it goes through.
    r = await portal.post(f"/awards/{award['id']}/review", {"next": "/awards"})
    assert r.status_code == 303 and r.headers["location"] == "/awards"
    assert (await award_of(suite, u))["state"] == "reviewed"


async def test_pages_are_restricted_by_role(portal):
    await portal.login("talent")
    nav = (await portal.http.get("/")).text
    assert "落户指标与人才推荐" in nav and "奖励审核与拨付" not in nav and "名单导入" not in nav
    for path in ("/awards", "/import", "/service-list", "/parks"):
        r = await portal.http.get(path)
        assert r.status_code == 403, path
        assert "无权访问" in r.text and "区人社局" in r.text
    assert (await portal.http.get("/talent")).status_code == 200
    r = await portal.post("/import", files={"file": ("l.csv", b"x", "text/csv")})
    assert r.status_code == 403

    await portal.login("treasury")
    assert (await portal.http.get("/awards")).status_code == 200
    assert (await portal.http.get("/talent")).status_code == 403
    await portal.login("park", "park-nope")
    r = await portal.http.get("/parks")
    assert r.status_code == 303 and r.headers["location"] == "/parks/park-nope"
    r = await portal.http.get("/parks/park-nope")  # the parks service's 404, in Chinese
    assert r.status_code == 404 and "不存在" in r.text


async def test_a_services_problem_is_shown_in_chinese_never_a_trace(portal, suite):
    await portal.login("econ")
    u = make_uscc()
    await promote(suite, u)
    award = await award_of(suite, u)
    assert (await suite.client("awards").post(f"/api/v1/awards/{award['id']}/review")).status_code == 200
    # Reviewing it again: the awards service answers 409; the portal tells why, in Chinese.
    r = await portal.post(f"/awards/{award['id']}/review", {"next": "/awards?state=reviewed"}, page="/awards")
    assert r.status_code == 303
    page = (await portal.http.get(r.headers["location"])).text
    # The service says it in Chinese words (no state or action codes), and the portal shows that.
    assert "审核通过未成功" in page and "奖励当前状态为“已审核”，不能审核" in page
    flash = next(line for line in page.splitlines() if "审核通过未成功" in line)
    assert "review" not in flash and "reviewed" not in flash, flash
    # An unknown enterprise: the registry's 404 problem, as a Chinese error page.
    missing = make_uscc()
    r = await portal.http.get(f"/enterprises/{missing}")
    assert r.status_code == 404 and f"企业不存在：{missing}" in r.text
    assert "Traceback" not in r.text and "detail_en" not in r.text
    # A file the registry cannot read: its 4xx problem, in Chinese, on the import page.
    junk = "甲,乙\n1,2\n".encode()
    direct = await suite.client("registry").post("/api/v1/imports/recognition-lists",
                                                 files={"file": ("list.csv", junk, "text/csv")})
    assert direct.status_code >= 400
    r = await portal.post("/import", files={"file": ("list.csv", junk, "text/csv")})
    assert r.status_code == direct.status_code and "未能导入：list.csv" in r.text
    assert direct.json()["detail_zh"] in r.text and direct.json()["detail_en"] not in r.text
    assert "Traceback" not in r.text
    assert 'id="file"' in r.text  # the form is still there to try again
    # The portal's own 404 and a bad query parameter.
    r = await portal.http.get("/no-such-page")
    assert r.status_code == 404 and "您要访问的页面不存在" in r.text
    r = await portal.http.get("/awards/not-a-number")
    assert r.status_code == 422 and "请求参数不正确（奖励编号）" in r.text


async def test_an_unreachable_service_and_an_unexpected_error_are_plain_chinese(suite, tmp_path):
    settings = Settings(data_dir=tmp_path, jwt_secret=suite.settings.jwt_secret)
    dead = PortalSettings(registry_url="http://127.0.0.1:9", awards_url="http://127.0.0.1:9",
                          talent_url="http://127.0.0.1:9", finance_url="http://127.0.0.1:9",
                          parks_url="http://127.0.0.1:9")
    app = create_portal(settings, dead)
    p = Portal(app)
    await p.login("econ")
    r = await p.http.get("/enterprises")
    assert r.status_code == 503 and "企业库服务暂时无法访问" in r.text
    r = await p.http.get("/")  # the dashboard's sections: an outage is an error page, not a trace
    assert r.status_code == 503 and "暂时无法访问" in r.text

    @app.get("/boom")
    async def boom():
        raise RuntimeError("secret internals")
    r = await p.http.get("/boom")
    assert r.status_code == 500 and "系统出现意外错误" in r.text
    assert "secret internals" not in r.text and "Traceback" not in r.text
    await p.http.aclose()


async def test_an_expired_or_foreign_token_sends_the_user_back_to_sign_in(suite, tmp_path):
    transports = {s: httpx.ASGITransport(app=a) for s, a in suite.apps.items()}
    other = create_portal(Settings(data_dir=tmp_path, jwt_private_key=SigningKey.generate().pem()),
                          PortalSettings(), transports)
    p = Portal(other)
    await p.login("econ")  # its tokens are signed with a key the services do not know
    r = await p.http.get("/enterprises")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert "登录已失效" in (await p.http.get("/login")).text
    assert (await p.http.get("/")).status_code == 303  # the session was cleared
    await p.http.aclose()


async def test_role_picker_only_in_the_embedded_default(suite, tmp_path):
    cookie_key = PortalSettings(session_secret="shared-by-both-apps-for-this-test")
    prod = create_portal(Settings(data_dir=tmp_path, env="prod", jwt_private_key=suite.settings.jwt_private_key),
                         cookie_key)
    p = Portal(prod)
    page = (await p.http.get("/login")).text
    assert "选择角色登录" not in page and "未配置任何登录方式" in page
    dev = Portal(create_portal(Settings(data_dir=tmp_path, jwt_secret=suite.settings.jwt_secret), cookie_key))
    token = await dev.csrf()  # a valid session and CSRF token, so only the role picker's rule is tested
    p.http.cookies = dev.http.cookies
    await dev.http.aclose()
    r = await p.http.post("/login", data={"role": "econ", "csrf_token": token})
    assert r.status_code == 403 and "统一身份认证" in r.text
    r = await p.http.get("/auth/oidc/login")
    assert r.status_code == 404 and "未启用统一身份认证" in r.text
    await p.http.aclose()
    exposed = create_portal(Settings(data_dir=tmp_path, host="0.0.0.0", jwt_secret="x" * 40), PortalSettings())
    assert exposed.state.dev_login is False


async def test_org_roles_need_an_organisation(portal):
    r = await portal.http.post("/login", data={"role": "park", "csrf_token": await portal.csrf()})
    assert r.status_code == 422 and "所属机构" in r.text
    # An organisation of the wrong kind is refused at sign-in (the services would refuse its token).
    for role, org, says in (("enterprise", "not-a-uscc", "统一社会信用代码"),
                            ("enterprise", wrong_check(make_uscc()), "统一社会信用代码"),
                            ("park", "园区 1", "园区编号格式不正确"), ("bank", "B1/../x", "银行代码格式不正确")):
        r = await portal.http.post("/login", data={"role": role, "org": org, "csrf_token": await portal.csrf()})
        assert r.status_code == 422 and says in r.text, (role, org)
        assert (await portal.http.get("/")).status_code == 303  # not signed in
    r = await portal.http.post("/login", data={"role": "root", "csrf_token": await portal.csrf()})
    assert r.status_code == 422 and "有效的角色" in r.text


async def test_econ_reviews_and_treasury_disburses_with_a_voucher(portal, suite):
    u = make_uscc()
    p = (await suite.client("parks").post("/api/v1/parks", json={"name": f"门户测试园{u[-4:]}"})).json()
    await promote(suite, u, name="北京门户奖励测试有限公司", park_id=p["id"], township="长阳镇")
    award = await award_of(suite, u)
    await portal.login("econ")
    queue = (await portal.http.get("/awards")).text
    assert f'id="award-{award["id"]}"' in queue and "300,000 元" in queue
    assert '<td class="basis">北京市专精特新中小企业 奖励 300000 元' in queue  # the basis names the tier in Chinese
    assert "municipal_srdi" not in queue
    r = await portal.post(f"/awards/{award['id']}/review", {"note": "材料齐全", "next": "/awards"})
    assert "已审核通过" in (await portal.http.get(r.headers["location"])).text

    await portal.login("treasury")
    queue = (await portal.http.get("/awards")).text
    assert f'id="award-{award["id"]}"' in queue and "批准" in queue
    await fund(suite)
    r = await portal.post(f"/awards/{award['id']}/approve", {"next": "/awards"})
    assert "已批准，当前状态" in (await portal.http.get(r.headers["location"])).text
    r = await portal.post(f"/awards/{award['id']}/disburse", {"voucher": "  ", "next": "/awards"})
    assert "须填写支付凭证号" in (await portal.http.get(r.headers["location"])).text
    r = await portal.post(f"/awards/{award['id']}/disburse", {"voucher": "FS-2026-0001", "next": "/awards"})
    assert "已拨付，当前状态" in (await portal.http.get(r.headers["location"])).text
    detail = (await suite.client("awards").get(f"/api/v1/awards/{award['id']}")).json()
    assert detail["state"] == "disbursed" and detail["history"][-1]["voucher"] == "FS-2026-0001"
    page = (await portal.http.get(f"/awards/{award['id']}")).text  # the history, in Beijing time
    assert "时间（北京时间）" in page and "FS-2026-0001" in page and "municipal_srdi 奖励" not in page
    at = detail["history"][-1]["at"]
    beijing = dt.datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(SHANGHAI)
    assert beijing.strftime("%Y-%m-%d %H:%M:%S") in page

    # The enterprise page: certifications, awards (with the voucher), quotas, the service list.
    await portal.login("econ")
    page = (await portal.http.get(f"/enterprises/{u}")).text
    assert "北京门户奖励测试有限公司" in page and "认定为北京市专精特新中小企业" in page
    assert "凭证号 FS-2026-0001" in page and "列入专精特新企业金融服务名单" in page
    search = (await portal.http.get("/enterprises", params={"q": "门户奖励", "tier": "municipal_srdi"})).text
    assert u in search
    dash = (await portal.http.get("/")).text
    assert "梯度培育金字塔" in dash and "<svg" in dash and "已拨付" in dash
    park = (await portal.http.get(f"/parks/{p['id']}")).text
    assert u in park
    await portal.login("finance")
    assert u in (await portal.http.get("/service-list")).text
    await portal.login("park", p["id"])
    assert u in (await portal.http.get(f"/parks/{p['id']}")).text


async def test_import_shows_the_registrys_report(portal):
    await portal.login("econ")
    good, bad = make_uscc(), wrong_check(make_uscc())
    csv = ("序号,企业名称,统一社会信用代码,所属区,认定类型,批次,认定日期\n"
           f"1,北京导入测试有限公司,{good},房山区,北京市专精特新中小企业,2025年第一批,2025年3月1日\n"
           f"2,北京外区公司,{make_uscc('110105')},朝阳区,创新型中小企业,2025年第一批,2025-03-01\n"
           f"3,北京坏代码公司,{bad},房山区,创新型中小企业,2025年第一批,2025/3/1\n").encode("utf-8-sig")
    r = await imported(portal, await portal.post("/import", files={"file": ("名单.csv", csv, "text/csv")}))
    assert "导入报告：名单.csv" in r.text and "统一社会信用代码无效" in r.text
    assert "invalid USCC" not in r.text  # the Chinese half only
    assert "统一社会信用代码无效（校验位不符）" in r.text and "check digit" not in r.text  # the reason too
    r2 = await imported(portal, await portal.post("/import", files={"file": ("名单.csv", csv, "text/csv")}))
    assert "<dt>已存在（未变）</dt><dd>1 行</dd>" in r2.text


async def imported(portal, r, timeout: float = 60.0):
    """The import's report: at once, or, where the registry runs imports as jobs, once the job is done."""
    if r.status_code == 303:
        job = r.headers["location"]
        assert job.startswith("/import/jobs/")
        deadline = time.monotonic() + timeout
        while True:
            r = await portal.http.get(job)
            assert r.status_code == 200, r.text
            if "导入报告：" in r.text:
                break
            assert 'http-equiv="refresh"' in r.text and "<progress" in r.text  # still running: the progress page
            assert time.monotonic() < deadline, f"the import job {job} did not finish in {timeout} s"
            await asyncio.sleep(0.1)
    assert r.status_code == 200, r.text
    assert "导入报告：" in r.text, r.text
    return r


async def test_single_sign_on_is_configurable_and_off_by_default(suite, tmp_path):
    settings = Settings(data_dir=tmp_path, env="prod", jwt_private_key=suite.settings.jwt_private_key)
    assert create_portal(settings, PortalSettings()).state.oauth is None
    sso = PortalSettings(oidc_enabled=True, oidc_metadata_url="https://sso.invalid/.well-known/openid-configuration",
                         oidc_client_id="srdi-portal", oidc_client_secret="s")
    app = create_portal(settings, sso)
    assert app.state.oauth is not None and app.state.dev_login is False
    p = Portal(app)
    page = (await p.http.get("/login")).text
    assert 'href="/auth/oidc/login"' in page and "选择角色登录" not in page
    await p.http.aclose()
    try:
        create_portal(settings, PortalSettings(oidc_enabled=True))
    except RuntimeError as e:
        assert "SRDI_PORTAL_OIDC_METADATA_URL" in str(e)
    else:
        raise AssertionError("OIDC without an IdP must refuse to start")


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
    # A park may read requests (its own park's) but not the district's statistics or targets.
    await portal.login("park", "park-none")
    dash = (await portal.http.get("/")).text
    assert "您的角色无权查看新增企业统计" in dash and "您的角色无权查看培育目标" in dash
    assert f'id="request-{late["id"]}"' not in dash
    # A bank reads none of the three.
    await portal.login("bank", "B1")
    dash = (await portal.http.get("/")).text
    assert "您的角色无权查看新增企业统计" in dash and "您的角色无权查看服务包诉求" in dash


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
    assert f"服务包诉求 {req['id']}（人才服务）提出：人才公寓申请" in page
    assert f"服务包诉求 {req['id']}（人才服务）已办结：已安排公寓" in page
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
    # lapsed the day after 2024-02-29: the table says so and the timeline has the expiry.
    assert "<td>2024-02-29</td><td>—</td><td>手工录入</td><td>已到期</td>" in page
    assert "2024-02-29</time> <span class=\"tag\">到期</span> 北京市专精特新中小企业有效期届满" in page


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
