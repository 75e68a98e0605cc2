"""Issue 18's pages without a browser, through the real in-process suite: correcting the record
(township, departure, a certification voided), the record on a date, the import preview then
confirmation (and back-fill), the annual updates, the declaration season to the platform simulator,
the reminders, the audit log and a future policy version withdrawn. Chinese text, no raw codes."""
from __future__ import annotations

import datetime as dt
import re


from services.portal.tests.helpers import a_park, award_of, platform_simulator, promote
from services.registry.tests.season.helpers import qualify
from shared.clock import today
from shared.testing import make_uscc, wrong_check

RAW = re.compile(r">[^<]*\b(municipal_srdi|moved_out|pre_reviewed|not_met|title_lapse|settled_outside|voided|"
                 r"certification_voided|recommend|backfill|dry_run)\b[^<]*<")


def no_raw_codes(html: str) -> None:
    """No state, tier or status code in the visible text (attributes and values may hold them)."""
    shown = re.sub(r'<span class="hint code">[^<]*</span>', "", html)  # a policy key, shown beside its name
    m = RAW.search(shown)
    assert m is None, m.group(0)


async def wait_page(suite, portal, url: str, text: str, timeout: float = 60.0) -> str:
    """The page at `url` once it shows `text` (a job's page, polled like everything else: suite.wait_for)."""
    async def shown():
        page = (await portal.http.get(url)).text
        return page if text in page else None
    return await suite.wait_for(shown, f"{url} to show {text!r}", timeout)


async def test_econ_corrects_an_enterprise_and_reads_it_on_a_date(portal, suite):
    u = make_uscc()
    await promote(suite, u, name="北京门户更正测试有限公司")
    await portal.login("econ")
    page = (await portal.http.get(f"/enterprises/{u}")).text
    assert "更正企业信息" in page and "迁出/注销" in page and '<option value="良乡镇"' in page
    no_raw_codes(page)
    # A township outside Fangshan's list is refused beside the form, with what was typed kept.
    r = await portal.post(f"/enterprises/{u}/correct", {"name": "北京门户更正测试有限公司", "township": "海淀镇",
                                                        "reason": "按执照补正"}, page=f"/enterprises/{u}")
    assert r.status_code == 422 and 'id="fix-error"' in r.text and "不是房山区的乡镇" in r.text
    assert 'value="按执照补正"' in r.text
    assert (await suite.client("registry").get(f"/api/v1/enterprises/{u}")).json()["township"] is None
    r = await portal.post(f"/enterprises/{u}/correct", {"name": "北京门户更正后科技有限公司", "township": "良乡镇",
                                                        "industry_code": "C3484", "reason": "导入时未填乡镇，按执照补正"},
                          page=f"/enterprises/{u}")
    assert r.status_code == 303
    page = (await portal.http.get(r.headers["location"])).text
    assert "已更正企业信息：北京门户更正后科技有限公司（乡镇/街道：良乡镇" in page
    held = (await suite.client("registry").get(f"/api/v1/enterprises/{u}")).json()
    assert (held["name"], held["township"], held["industry_code"]) == ("北京门户更正后科技有限公司", "良乡镇", "C3484")
    assert "记录更正" in page  # on the registry's timeline
    assert '<span class="tag">企业登记</span> 登记入企业库' in page  # its registration is not a correction
    # The record on a date before its title: no title then, and no forms on a past record.
    page = (await portal.http.get(f"/enterprises/{u}", params={"on": "2024-01-01"})).text
    assert "2024-01-01 的层级" in page and "<strong>中小企业</strong>" in page and "更正企业信息" not in page
    assert "认定为北京市专精特新中小企业" not in page  # the timeline stops at the date
    r = await portal.http.get(f"/enterprises/{u}", params={"on": "2024-13-01"})
    assert r.status_code == 422 and "日期格式不正确" in r.text
    # The auditor reads it without the forms.
    await portal.login("auditor")
    page = (await portal.http.get(f"/enterprises/{u}")).text
    assert "良乡镇" in page and "更正企业信息" not in page and "作废…" not in page
    r = await portal.post(f"/enterprises/{u}/correct", {"township": "窦店镇"}, page=f"/enterprises/{u}")
    assert r.status_code == 403


async def test_a_certification_voided_and_an_enterprise_moved_out(portal, suite):
    u = make_uscc()
    await promote(suite, u, name="北京门户作废测试有限公司")
    award = await award_of(suite, u)
    cert = (await suite.client("registry").get(f"/api/v1/enterprises/{u}")).json()["certifications"][0]
    await portal.login("econ")
    r = await portal.post(f"/certifications/{cert['id']}/void", {"uscc": u, "reason": "x"}, page=f"/enterprises/{u}")
    assert r.status_code == 422 and "请填写作废原因" in r.text
    r = await portal.post(f"/certifications/{cert['id']}/void", {"uscc": u, "reason": "误将培育库企业录为北京市专精特新"},
                          page=f"/enterprises/{u}")
    assert r.status_code == 303
    page = (await portal.http.get(r.headers["location"])).text
    assert f"认定 {cert['id']} 已作废" in page and "已作废（录入错误）" in page
    await suite.settled()
    assert (await award_of(suite, u))["state"] == "withdrawn"  # the unpaid award withdrawn downstream
    page = (await portal.http.get(f"/enterprises/{u}")).text
    assert "已撤回（认定作废）" in page
    no_raw_codes(page)
    # Voiding it again: the registry's 409, beside the button.
    r = await portal.post(f"/certifications/{cert['id']}/void", {"uscc": u, "reason": "重复提交"}, page=f"/enterprises/{u}")
    assert r.status_code == 409 and "认定未作废" in r.text

    v = make_uscc()
    await promote(suite, v, name="北京门户迁出测试有限公司")
    r = await portal.post(f"/enterprises/{v}/departure", {"status": "moved_out", "on": "", "reason": "迁至大兴区"},
                          page=f"/enterprises/{v}")
    assert r.status_code == 422 and "请填写日期" in r.text and 'value="迁至大兴区"' in r.text
    r = await portal.post(f"/enterprises/{v}/departure", {"status": "moved_out", "on": today().isoformat(),
                                                          "reason": "迁至大兴区"}, page=f"/enterprises/{v}")
    assert r.status_code == 303
    page = (await portal.http.get(r.headers["location"])).text
    assert "已记录迁出本区" in page and "已迁出本区" in page
    assert (await suite.client("registry").get(f"/api/v1/enterprises/{v}")).json()["status"] == "moved_out"
    await suite.settled()
    assert (await award_of(suite, v))["state"] == "withheld"
    no_raw_codes((await portal.http.get(f"/enterprises/{v}")).text)
    # The treasury reads what the corrections did in the awards service's audit log.
    await portal.login("treasury")
    page = (await portal.http.get("/audit-log", params={"service": "awards", "object_type": "award",
                                                        "object_id": str(award["id"])})).text
    assert f'<span class="code">{award["id"]}</span>' in page and "系统自动" in page
    page = (await portal.http.get("/audit-log", params={"service": "registry"})).text
    assert "无权查看企业库服务的审计日志" in page


def listing(rows: list[str]) -> bytes:
    return ("序号,企业名称,统一社会信用代码,所属区,认定类型,批次,认定日期\n" + "\n".join(rows) + "\n").encode("utf-8-sig")


async def test_import_preview_then_confirm_and_backfill(portal, suite):
    firm, other = make_uscc(), make_uscc("110105")
    data = listing([f"1,北京门户预览科技有限公司,{firm},北京市房山区,北京市专精特新中小企业,2025年第二批,2025-09-01",
                    f"2,北京朝阳示例科技有限公司,{other},朝阳区,北京市专精特新中小企业,2025年第二批,2025-09-01",
                    f"3,北京代码有误有限公司,{wrong_check(make_uscc())},房山区,创新型中小企业,2025年第二批,2025-09-01"])
    await portal.login("econ")
    form = (await portal.http.get("/import")).text
    assert "上传并预览" in form and "历史名单补录：奖励视为已在系统外兑付" in form and "导入年度数据更新表" in form
    r = await portal.post("/import", {"dry_run": "1"}, page="/import", files={"file": ("预览名单.csv", data, "text/csv")})
    assert r.status_code == 303 and "?sha=" in r.headers["location"]
    page = await wait_page(suite, portal, r.headers["location"], "预览结果（尚未导入）")
    assert "确认导入" in page and 'id="skipped"' in page and "<td>2</td>" in page
    assert "校验位" in page and "新登记企业" in page
    no_raw_codes(page)
    assert (await suite.client("registry").get(f"/api/v1/enterprises/{firm}")).status_code == 404  # nothing written
    sha = re.search(r'name="expect" value="([0-9a-f]{64})"', page).group(1)
    # Another file is not the one previewed.
    r = await portal.post("/import", {"expect": sha, "mode": "import"}, page="/import",
                          files={"file": ("别的.csv", listing([]), "text/csv")})
    assert r.status_code == 422 and "与预览的文件不一致" in r.text
    r = await portal.post("/import", {"expect": sha, "mode": "import"}, page="/import",
                          files={"file": ("预览名单.csv", data, "text/csv")})
    assert r.status_code == 303 and "sha=" not in r.headers["location"]
    page = await wait_page(suite, portal, r.headers["location"], "导入报告：")
    assert (await suite.client("registry").get(f"/api/v1/enterprises/{firm}")).status_code == 200
    # A finished job cannot be cancelled: the registry says why, on the job's page.
    job = r.headers["location"]
    r = await portal.post(f"{job}/cancel", page="/import")
    assert r.status_code == 303
    assert "未能取消" in (await portal.http.get(r.headers["location"])).text

    # Back-fill: a list from before go-live creates no payable award.
    old = make_uscc()
    data = listing([f"1,北京门户补录科技有限公司,{old},房山区,北京市专精特新中小企业,2022年第一批,2022-06-01"])
    r = await portal.post("/import", {"mode": "backfill"}, page="/import", files={"file": ("2022名单.csv", data, "text/csv")})
    page = await wait_page(suite, portal, r.headers["location"], "导入报告：")
    assert "历史名单补录" in page
    await suite.settled()
    items = (await suite.client("awards").get(f"/api/v1/awards?uscc={old}")).json()["items"]
    assert items and all(a["state"] == "settled_outside" for a in items), items

    # Annual updates from a workbook: a good row and a future one.
    later = (today() + dt.timedelta(days=3)).isoformat()
    sheet = (f"统一社会信用代码,年度,提交日期\n{firm},{today().year},{today().isoformat()}\n"
             f"{old},{today().year},{later}\n").encode("utf-8")
    r = await portal.post("/import/annual-updates", page="/import", files={"file": ("年度更新.csv", sheet, "text/csv")})
    assert r.status_code == 200 and 'id="annual-report"' in r.text, r.text[-2000:]
    assert "新登记 <strong>1</strong> 行" in r.text and "被拒绝 1 行" in r.text


async def test_a_season_from_notice_to_the_platform(portal, suite):
    econ = suite.client("registry")
    fit = make_uscc()
    assert (await econ.post("/api/v1/enterprises", json={"uscc": fit, "name": "北京门户申报科技有限公司"})).status_code == 201
    await qualify(econ, fit, today().year - 1)
    await portal.login("econ")
    assert "发布申报季" in (await portal.http.get("/seasons")).text
    on = today()
    body = {"year": str(on.year), "programme": "municipal_srdi", "opens_on": (on - dt.timedelta(days=5)).isoformat(),
            "closes_on": (on - dt.timedelta(days=9)).isoformat(), "notice": "房经信发〔2026〕5号"}
    r = await portal.post("/seasons", body, page="/seasons")
    assert r.status_code == 422 and "截止日早于开始日" in r.text and "房经信发〔2026〕5号" in r.text
    r = await portal.post("/seasons", {**body, "closes_on": (on + dt.timedelta(days=9)).isoformat()}, page="/seasons")
    assert r.status_code == 303
    season = r.headers["location"]
    sid = int(season.rsplit("/", 1)[1])
    r = await portal.post(f"{season}/applications", {"uscc": fit}, page=season)
    assert r.status_code == 303
    page = (await portal.http.get(season)).text
    assert "已申报，待初审" in page and "北京门户申报科技有限公司" in page
    app_id = int(re.search(r'id="application-(\d+)"', page).group(1))
    r = await portal.post(f"{season}/applications", {"uscc": fit}, page=season)
    assert r.status_code == 409 and 'id="err-apply"' in r.text
    r = await portal.post(f"/applications/{app_id}/pre-review", {"season_id": str(sid)}, page=season)
    assert r.status_code == 303
    page = (await portal.http.get(season)).text
    assert "初审结果：达标" in page and "初审清单" in page and "已初审，待决定" in page
    r = await portal.post(f"/applications/{app_id}/decision", {"season_id": str(sid), "recommend": "no"}, page=season)
    assert r.status_code == 422 and "不推荐须写明理由" in r.text and "body:" not in r.text
    r = await portal.post(f"/applications/{app_id}/decision", {"season_id": str(sid), "recommend": "yes"}, page=season)
    assert r.status_code == 303
    # Recommendation: to the platform simulator, as a job.
    with platform_simulator(suite):
        r = await portal.post(f"{season}/recommendation", page=season)
        assert r.status_code == 303 and r.headers["location"].startswith("/platform-jobs/")
        page = await wait_page(suite, portal, r.headers["location"], "已完成")
        assert "报送推荐名单" in page and "1 家企业" in page
    page = (await portal.http.get(season)).text
    assert "第 1 版" in page and fit in page and "已完成" in page
    no_raw_codes(page)
    await portal.login("auditor")
    page = (await portal.http.get(season)).text
    assert "第 1 版" in page and "登记申报" not in page and "提交决定" not in page


async def test_reminders_audit_log_and_policy_withdrawal(portal, suite):
    await portal.login("econ")
    page = (await portal.http.get("/reminders")).text
    assert "立即检查" in page and "已发出的提醒" in page
    r = await portal.post("/reminders/run", page="/reminders")
    page = (await portal.http.get(r.headers["location"])).text
    assert "已完成到期检查" in page
    no_raw_codes(page)
    # A future version of an award amount, mistyped: withdrawn from the policy page.
    next_year = dt.date(today().year + 1, 1, 1).isoformat()
    r = await suite.client("awards").put("/api/v1/policy", json={
        "key": "award.tier.municipal_srdi", "value": 3000000, "effective_from": next_year, "legal_ref": "测试依据"})
    assert r.status_code == 201, r.text
    version = r.json()["id"]
    page = (await portal.http.get("/policy", params={"service": "awards"})).text
    assert f'id="version-{version}"' in page and "尚未生效" in page and "3,000,000" in page and "现行" in page
    assert "奖励·层级奖励·北京市专精特新中小企业" in page
    r = await portal.post(f"/policy/awards/{version}/withdraw", {"reason": "金额多录一个零"}, page="/policy")
    assert r.status_code == 303
    page = (await portal.http.get(r.headers["location"])).text
    assert f"已撤回参数版本 {version}" in page and "已撤回（" in page and "金额多录一个零" in page
    r = await portal.post(f"/policy/awards/{version}/withdraw", {"reason": "再撤一次"}, page="/policy")
    assert "未撤回" in (await portal.http.get(r.headers["location"])).text
    # The auditor reads the withdrawal in the audit log, and has no withdraw button.
    await portal.login("auditor")
    page = (await portal.http.get("/audit-log", params={"service": "awards", "object_type": "policy_parameter",
                                                        "object_id": str(version)})).text
    assert "政策参数 撤回" in page and "区经信局（牵头）" in page and "金额多录一个零" in page
    assert "政策参数 新增版本" in page
    page = (await portal.http.get("/audit-log", params={"service": "awards", "since": "2000-01-01",
                                                        "until": "2000-01-02"})).text
    assert "没有符合条件的记录" in page
    page = (await portal.http.get("/policy", params={"service": "awards"})).text
    assert "确认撤回" not in page and "已撤回（" in page
    r = await portal.post(f"/policy/awards/{version}/withdraw", {"reason": "审计不能撤回"}, page="/policy")
    assert "未撤回" in (await portal.http.get(r.headers["location"])).text
    nav = (await portal.http.get("/")).text
    assert all(x in nav for x in ("申报季", "到期提醒", "审计日志", "政策参数"))
    await portal.login("park", (await a_park(suite))["id"])
    assert (await portal.http.get("/audit-log")).status_code == 403
    assert (await portal.http.get("/seasons")).status_code == 403
