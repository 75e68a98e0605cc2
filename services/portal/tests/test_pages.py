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
from services.portal.tests.helpers import a_park, award_of, fund, promote
from shared.auth import SigningKey
from shared.clock import SHANGHAI
from shared.settings import Settings
from shared.testing import make_uscc, wrong_check


async def test_pages_need_sign_in_and_healthz_does_not(portal):
    r = await portal.http.get("/")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    r = await portal.http.get("/enterprises")
    assert r.status_code == 303
    assert (await portal.http.get("/healthz")).json() == {"status": "ok", "service": "portal"}
    ready = (await portal.http.get("/readyz")).json()
    assert ready["issuer"] == "ok" and set(ready["services"]) == {"registry", "awards", "talent", "finance", "parks", "outreach"}
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


async def test_pages_are_restricted_by_role(portal, suite):
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
    park = await a_park(suite)
    await portal.login("park", park["id"])
    r = await portal.http.get("/parks")
    assert r.status_code == 303 and r.headers["location"] == f"/parks/{park['id']}"
    r = await portal.http.get("/parks/park-nope")  # another id: the parks service's 404, in Chinese
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
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fenterprises"  # back there after
    assert "登录已失效" in (await p.http.get(r.headers["location"])).text
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
                            ("park", "园区 1", "园区不存在"), ("bank", "B1/../x", "银行不存在")):
        r = await portal.http.post("/login", data={"role": role, "org": org, "csrf_token": await portal.csrf()})
        assert r.status_code == 422 and says in r.text, (role, org, re.findall(r"role=\"alert\"[^<]*", r.text))
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
    assert '<td class="basis">北京市专精特新中小企业 奖励 300,000 元' in queue  # the basis names the tier in Chinese
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
    assert 'href="/import/jobs"' in r2.text  # every job, paged, beyond the last ten
    jobs = await portal.http.get("/import/jobs")
    assert jobs.status_code == 200 and "名单.csv" in jobs.text and "已完成" in jobs.text
    assert "import" not in jobs.text.split("<main", 1)[1].replace("/import", "")  # the mode and state in words


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


async def test_sign_in_checks_the_organisation_and_says_why_beside_the_field(portal, suite):
    """A park or bank signs in by id, code or unique name; one that does not exist is refused on the
    sign-in form (the error beside the field, what was typed kept), never accepted for every page to
    say 园区不存在."""
    park = await a_park(suite, f"门户登录测试园{make_uscc()[-6:]}")
    for role, org, says in (("park", "park-nope", "园区不存在"), ("bank", "B9", "银行不存在"),
                            ("enterprise", make_uscc(), "企业库中没有"), ("park", "", "须填写所属机构")):
        r = await portal.http.post("/login", data={"role": role, "org": org, "csrf_token": await portal.csrf()})
        assert r.status_code == 422, (role, org)
        assert 'action="/login"' in r.text and 'id="org-error"' in r.text and says in r.text, (role, org)
        assert 'aria-invalid="true" aria-describedby="org-error"' in r.text
        assert f'value="{org}"' in r.text  # what was typed is still there
        assert "无权访问" not in r.text and (await portal.http.get("/")).status_code == 303
    # The park's name instead of its id: resolved to the id.
    await portal.login("park", park["name"])
    r = await portal.http.get("/parks")
    assert r.headers["location"] == f"/parks/{park['id']}"
    page = (await portal.http.get(r.headers["location"])).text
    assert f"园区运营方（{park['name']}）" in page  # by name, once (no 园区运营方（名称（park-…））)
    # A bank by its name: its code; the header says the bank's name.
    await portal.login("bank", "北京银行")
    page = (await portal.http.get("/")).text
    assert "合作银行（北京银行）" in page


async def test_the_header_names_the_role_once(portal):
    """Signed in without a name, the header says the role once (it said 区经信局（牵头） · 区经信局（牵头））;
    with a name, the name and the role."""
    await portal.login("econ")
    who = re.search(r'<div class="who">\s*<span>(.*?)</span>', (await portal.http.get("/")).text, re.S).group(1)
    assert who == "区经信局（牵头）", who
    await portal.http.post("/login", data={"role": "econ", "name": "李明", "csrf_token": await portal.csrf()})
    who = re.search(r'<div class="who">\s*<span>(.*?)</span>', (await portal.http.get("/")).text, re.S).group(1)
    assert who == "李明 · 区经信局（牵头）", who


async def test_a_lost_session_goes_to_sign_in_with_a_message(portal, suite):
    await portal.login("econ")
    token = await portal.csrf("/")
    portal.http.cookies.clear()
    portal.http.cookies.set("srdi_portal", "tampered-or-expired")
    # A page: the sign-in page, saying so, and back to the page after signing in.
    r = await portal.http.get("/awards", params={"state": "computed"})
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fawards%3Fstate%3Dcomputed"
    page = (await portal.http.get(r.headers["location"])).text
    assert "登录已失效，请重新登录" in page and 'name="next" value="/awards?state=computed"' in page
    # A form sent after the session was lost: not 无权访问 (the CSRF check), the sign-in page.
    r = await portal.http.post("/awards/1/review", data={"csrf_token": token},
                               headers={"referer": "http://127.0.0.1/awards?state=computed"})
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    page = (await portal.http.get(r.headers["location"])).text
    assert "登录已失效或已退出" in page and "无权访问" not in page
    r = await portal.http.post("/login", data={"role": "econ", "next": "/awards?state=computed",
                                               "csrf_token": await portal.csrf(r.headers["location"])})
    assert r.status_code == 303 and r.headers["location"] == "/awards?state=computed"
    r = await portal.http.post("/login", data={"role": "econ", "next": "//evil.example/x",
                                               "csrf_token": await portal.csrf()})
    assert r.headers["location"] == "/"  # never another site
