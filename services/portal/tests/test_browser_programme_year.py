"""Issue 18's pages in a real browser: Debian's Chromium driven by Playwright, over real TCP.

NATS, the five services, the portal and the municipal platform simulator run as uvicorn processes
(the registry sends its recommendations to the simulator, as `srdi platform-sim` would serve it).
Econ corrects an enterprise, reads it on a date, voids a mistyped certification, records another
firm's departure; previews then confirms an import, back-fills an old list, imports annual
updates; runs a declaration season to the platform; runs the reminder sweep; withdraws a future
policy version. The auditor reads what happened in the audit log.

Every page on the way: reachable and named controls, plain Chinese, no raw code or trace, and no
sideways scroll at 390 px. With SRDI_SCREENSHOTS=docs/portal, each page is also saved there at
1280×800 for the liaisons' guide (docs/portal/README.md); without it nothing is written, so a CI
run does not rewrite tracked files.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from services.portal.config import PORTAL_SERVICES as SERVICES
from services.portal.tests.test_browser import (  # the same fixtures, checks and keyboard helpers
    BROWSER_ONLY,
    CJK, ENGLISH, PAGE_CHECK, ROOT, WAIT_MS, api, browser, flash_says, sign_in, sign_out,
    wait_until,
)
from shared.clock import today
from shared.natsserver import NatsServer, free_port
from shared.testing import key_env, make_uscc, wrong_check

__all__ = ["browser"]  # the module-scoped Chromium fixture, shared with test_browser.py

pytestmark = BROWSER_ONLY

DESKTOP = {"width": 1280, "height": 800}
PHONE = 390
# Codes that must never reach the visible text (a `.code` element, beside its name, may hold one).
RAW = re.compile(r"municipal_srdi|national_little_giant|innovative\b|moved_out|withdrawn|withheld|voided|"
                 r"settled_outside|pre_reviewed|title_lapse|annual_update|backfill|dry_run|event:|[a-z]+:[-\w]|"
                 r"park-[0-9a-f]{6}|Traceback|\bNone\b|\bnull\b|\{'|\d{4}-\d\d-\d\dT\d\d:")  # ... or a UTC timestamp
MEETS = {"years_in_niche": 5, "rd_spend_yuan": 2_000_000, "revenue_yuan": 40_000_000,  # the season tests' figures
         "main_business_share_pct": "90", "srdi_score": "75", "staff": 100, "rd_staff": 30}


def gallery() -> Path | None:
    """Where screenshots go: SRDI_SCREENSHOTS (relative to the repository), or nowhere."""
    where = os.environ.get("SRDI_SCREENSHOTS", "").strip()
    if not where:
        return None
    path = Path(where) if Path(where).is_absolute() else ROOT / where
    path.mkdir(parents=True, exist_ok=True)
    return path


def check(page, name: str, show: str | None = None) -> None:
    """The page's checks (test_browser's, plus raw codes and 390 px), then its screenshot at desktop
    width when asked for, scrolled to `show` (what the step is about) when it is below the fold."""
    page.wait_for_load_state("load")
    got = page.evaluate(PAGE_CHECK)
    assert not got["problems"], (name, got["problems"])
    assert got["lang"] == "zh-CN" and got["h1"] == 1 and CJK.search(got["title"]), (name, got["title"])
    assert "Traceback" not in page.content(), name
    text = got["text"]
    for pattern in (ENGLISH, RAW):
        m = pattern.search(text)
        assert m is None, (name, m and text[max(0, m.start() - 80):m.end() + 40])
    page.set_viewport_size({"width": PHONE, "height": 800})
    wide = page.evaluate("""w => document.documentElement.scrollWidth <= w ? null :
      [document.documentElement.scrollWidth, ...[...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > w + 1).slice(0, 5).map(e => e.outerHTML.slice(0, 100))]""", PHONE)
    page.set_viewport_size(DESKTOP)
    assert wide is None, (name, "scrolls sideways at 390 px", wide)
    where = gallery()
    if where is not None:
        if show:
            page.locator(show).first.scroll_into_view_if_needed()
        page.screenshot(path=str(where / f"{name}.png"))


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """NATS, the five services, the portal and the municipal platform simulator, each on a free port."""
    data = tmp_path_factory.mktemp("portal-programme-year")
    nats = NatsServer(data / "nats").start()
    names = (*SERVICES, "portal", "platform")
    ports = {s: free_port() for s in names}
    apps = {**{s: f"services.{s}.main:app" for s in (*SERVICES, "portal")},
            "platform": "services.registry.platform.simulator:make_simulator"}
    env = dict(os.environ, SRDI_DATA_DIR=str(data), SRDI_NATS_URL=nats.url, **key_env(),
               SRDI_LOG_LEVEL="WARNING", SRDI_RELAY_INTERVAL_S="0.1",
               SRDI_MUNICIPAL_PLATFORM_URL=f"http://127.0.0.1:{ports['platform']}",
               **{f"SRDI_PORTAL_{s.upper()}_URL": f"http://127.0.0.1:{ports[s]}" for s in SERVICES})
    env.pop("SRDI_TEST_DATABASE_URL", None)
    env.pop("SRDI_DATABASE_URL", None)
    procs, logs = [], []
    try:
        for name in names:
            log = open(data / f"{name}.log", "w")
            logs.append(log)
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "uvicorn", apps[name], *(["--factory"] if name == "platform" else []),
                 "--host", "127.0.0.1", "--port", str(ports[name]), "--no-access-log", "--log-level", "warning"],
                cwd=ROOT, env={**env, **key_env(issuer=name == "portal")}, stdout=log, stderr=subprocess.STDOUT))
        urls = {s: f"http://127.0.0.1:{p}" for s, p in ports.items()}
        try:
            for s in SERVICES:
                wait_until(lambda s=s: httpx.get(urls[s] + "/readyz").status_code == 200, f"{s} to be ready", 120)
            wait_until(lambda: httpx.get(urls["portal"] + "/healthz").status_code == 200, "the portal", 60)
            wait_until(lambda: httpx.get(urls["platform"] + "/api/recommendations").status_code == 200,
                       "the platform simulator", 60)
        except AssertionError as e:  # say which process failed and why
            for log in logs:
                log.flush()
            tails = {n: (data / f"{n}.log").read_text()[-1500:] for n in names}
            raise AssertionError(f"{e}; exit codes {[p.poll() for p in procs]}; logs: {tails}") from None
        yield urls
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
        for log in logs:
            log.close()
        nats.stop()


def created(r: httpx.Response) -> dict:
    assert r.status_code in (200, 201), r.text
    return r.json()


def enterprise(stack, name: str, tier: str | None = None, recognized_on: str = "2025-03-01", **facts) -> str:
    u = make_uscc()
    created(api(stack, "registry", "econ", "POST", "/enterprises", json={"uscc": u, "name": name, **facts}))
    if tier:
        created(api(stack, "registry", "econ", "POST", f"/enterprises/{u}/certifications",
                    json={"tier": tier, "recognized_on": recognized_on}))
    return u


def awards_of(stack, uscc: str) -> list[dict]:
    return api(stack, "awards", "econ", "GET", f"/awards?uscc={uscc}").json()["items"]


def listing(path: Path, rows: list[str]) -> Path:
    path.write_text("序号,企业名称,统一社会信用代码,所属区,认定类型,批次,认定日期\n" + "\n".join(rows) + "\n",
                    encoding="utf-8-sig")
    return path


def preview(page, path: Path, backfill: bool = False) -> None:
    page.goto(page.url.split("/import")[0] + "/import")
    page.set_input_files("#file", str(path))
    if backfill:
        page.check("input[name=mode][value=backfill]")
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_selector("#rep:has-text('预览结果（尚未导入）')", timeout=WAIT_MS)


def confirm(page, path: Path) -> str:
    page.set_input_files("#confirm-file", str(path))
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_selector("#rep:has-text('导入报告')", timeout=WAIT_MS)
    return page.locator(".report").inner_text()


def test_econ_walks_the_programme_year_and_the_auditor_reads_it(stack, browser, tmp_path):
    portal, on = stack["portal"], today()
    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text
            else None)

    # -- what the district already holds: titled firms, a park, a candidate for the season, a
    # title about to lapse, a future award amount typed with one zero too many
    fixed = enterprise(stack, "北京房山导入未填乡镇科技有限公司", "municipal_srdi")
    wrong = enterprise(stack, "北京房山误录认定科技有限公司", "municipal_srdi")
    leaving = enterprise(stack, "北京房山拟迁出精工有限公司", "municipal_srdi")
    lapsing = enterprise(stack, "北京房山称号将到期科技有限公司", "innovative",
                         recognized_on=(on.replace(year=on.year - 3) + dt.timedelta(days=40)).isoformat())
    park = created(api(stack, "parks", "econ", "POST", "/parks", json={"name": "房山区高端制造产业园"}))
    candidate = enterprise(stack, "北京房山申报示范科技有限公司", "innovative",
                           recognized_on=(on - dt.timedelta(days=200)).isoformat())
    r = api(stack, "registry", "econ", "PUT", f"/enterprises/{candidate}/indicators/{on.year - 1}", json=MEETS)
    assert r.status_code in (200, 201), r.text
    future = created(api(stack, "awards", "econ", "PUT", "/policy", json={
        "key": "award.tier.municipal_srdi", "value": 3_000_000, "effective_from": dt.date(on.year + 1, 1, 1).isoformat(),
        "legal_ref": "房经信发〔2026〕12号"}))["id"]
    award = wait_until(lambda: (awards_of(stack, wrong) or [None])[0], "the award of the mistyped title")
    wait_until(lambda: awards_of(stack, leaving), "the award of the firm about to leave")

    sign_in(page, portal, "econ", "张经信")

    # -- 更正企业信息: the township and park an import never filled, with the reason
    page.goto(f"{portal}/enterprises/{fixed}")
    page.fill("#fix-name", "北京房山精密智造科技有限公司")
    page.select_option("#fix-township", "良乡镇")
    page.select_option("#fix-park", label="房山区高端制造产业园")
    page.fill("#fix-industry", "C3484")
    page.fill("#fix-reason", "导入时未填乡镇，按营业执照补正")
    page.get_by_role("button", name="保存更正").click()
    assert "乡镇/街道：良乡镇，园区：房山区高端制造产业园" in flash_says(page, "已更正企业信息")
    assert page.locator("h1").inner_text() == "北京房山精密智造科技有限公司"
    assert "记录更正" in page.locator(".timeline").inner_text()
    check(page, "econ-enterprise-correct")
    held = api(stack, "registry", "econ", "GET", f"/enterprises/{fixed}").json()
    assert (held["township"], held["park_id"]) == ("良乡镇", park["id"])
    wait_until(lambda: fixed in {e["uscc"] for e in api(stack, "parks", "econ", "GET", f"/parks/{park['id']}/enterprises")
                                 .json()["items"]}, "the park's count to include the corrected firm")

    # -- the record as of a date: before its title, no title and no forms
    page.fill("#on", "2024-06-30")
    page.get_by_role("button", name="查看该日档案").click()
    page.wait_for_url(re.compile(r"\?on=2024-06-30"))
    assert "2024-06-30 的层级" in page.locator("dl.facts").inner_text()
    assert page.locator("#fix").count() == 0 and "认定为" not in page.locator(".timeline").inner_text()
    check(page, "econ-enterprise-on-date")

    # -- 作废 a certification entered by mistake: its unpaid award is withdrawn downstream
    cert = api(stack, "registry", "econ", "GET", f"/enterprises/{wrong}").json()["certifications"][0]["id"]
    page.goto(f"{portal}/enterprises/{wrong}")
    page.locator(f"#cert-{cert} summary", has_text="作废").click()
    page.fill(f"#void-reason-{cert}", "误将培育库企业录为北京市专精特新")
    page.get_by_role("button", name=f"作废认定 {cert}").click()
    assert f"认定 {cert} 已作废" in flash_says(page, "已作废")
    wait_until(lambda: api(stack, "awards", "econ", "GET", f"/awards/{award['id']}").json()["state"] == "withdrawn",
               "the unpaid award withdrawn")
    page.reload()
    assert "已作废（录入错误）" in page.locator(f"#cert-{cert}").inner_text()
    assert "已撤回（认定作废）" in page.locator("#aws ~ table").inner_text()
    check(page, "econ-certification-void", show="#certs")

    # -- 迁出本区: unpaid awards withheld with the reason
    page.goto(f"{portal}/enterprises/{leaving}")
    page.check("input[name=status][value=moved_out]")
    page.fill("#dep-on", on.isoformat())
    page.fill("#dep-reason", "已迁至大兴区")
    page.get_by_role("button", name="记录迁出/注销").click()
    flash_says(page, "已记录迁出本区")
    assert "已迁出本区" in page.locator("dl.facts").inner_text()
    wait_until(lambda: all(a["state"] == "withheld" for a in awards_of(stack, leaving)), "the awards withheld")
    page.reload()
    assert "已暂停（企业迁出或注销）" in page.locator("#aws ~ table").inner_text()
    check(page, "econ-enterprise-departure", show="#dep")

    # -- 名单导入: a preview with row numbers for skipped and rejected rows, then confirmed
    firm = make_uscc()
    new_list = listing(tmp_path / "2025年第二批认定名单.csv", [
        f"1,北京房山新认定科技有限公司,{firm},北京市房山区,北京市专精特新中小企业,2025年第二批,2025-09-01",
        f"2,北京朝阳示例科技有限公司,{make_uscc('110105')},朝阳区,北京市专精特新中小企业,2025年第二批,2025-09-01",
        f"3,北京代码有误有限公司,{wrong_check(make_uscc())},房山区,创新型中小企业,2025年第二批,2025-09-01"])
    page.goto(f"{portal}/import")
    check(page, "econ-import-form")
    preview(page, new_list)
    report = page.locator(".report").inner_text()
    assert "校验位" in report and "2" in page.locator("#skipped").inner_text()
    assert api(stack, "registry", "econ", "GET", f"/enterprises/{firm}").status_code == 404  # nothing written
    check(page, "econ-import-preview", show="#rep")
    assert "导入报告" in confirm(page, new_list)
    assert api(stack, "registry", "econ", "GET", f"/enterprises/{firm}").status_code == 200
    check(page, "econ-import-report", show="#rep")

    # -- 历史名单补录: a 2022 list creates no payable award
    old = make_uscc()
    old_list = listing(tmp_path / "2022年第一批认定名单.csv",
                       [f"1,北京房山往年认定科技有限公司,{old},房山区,北京市专精特新中小企业,2022年第一批,2022-06-01"])
    preview(page, old_list, backfill=True)
    assert "历史名单补录" in page.locator("#cf ~ *").first.inner_text() + page.locator(".report").inner_text()
    assert "历史名单补录" in confirm(page, old_list)
    check(page, "econ-import-backfill", show="#rep")
    items = wait_until(lambda: awards_of(stack, old), "the back-filled award")
    assert all(a["state"] == "settled_outside" for a in items), items

    # -- 年度数据更新表: one good row, one dated in the future
    sheet = tmp_path / "年度数据更新.csv"
    sheet.write_text(f"统一社会信用代码,年度,提交日期\n{firm},{on.year},{on.isoformat()}\n"
                     f"{old},{on.year},{(on + dt.timedelta(days=3)).isoformat()}\n", encoding="utf-8")
    page.set_input_files("#annual-file", str(sheet))
    page.get_by_role("button", name="导入年度更新").click()
    page.wait_for_selector("#annual-report")
    assert "新登记 1 行" in page.locator("#annual-report").inner_text()
    assert "被拒绝 1 行" in page.locator("#annual-report").inner_text()
    check(page, "econ-annual-updates", show="#annual-report")

    # -- 申报季: notice → application → 初审 → decision → recommendation sent to the platform
    page.get_by_role("link", name="申报季").first.click()
    page.wait_for_url(portal + "/seasons")
    page.fill("#s-opens", (on - dt.timedelta(days=5)).isoformat())
    page.fill("#s-closes", (on + dt.timedelta(days=25)).isoformat())
    page.fill("#s-notice", "关于组织申报2026年度北京市专精特新中小企业的通知（房经信发〔2026〕5号）")
    check(page, "econ-seasons", show="#new")
    page.get_by_role("button", name="发布申报季").click()
    page.wait_for_url(re.compile(r"/seasons/\d+$"))
    season = page.url
    flash_says(page, "已发布申报季")
    page.fill("#a-uscc", candidate)
    page.get_by_role("button", name="登记申报").click()
    flash_says(page, "已登记申报")
    app = int(page.locator("article[id^=application-]").first.get_attribute("id").split("-")[1])
    assert "已申报，待初审" in page.locator(f"#application-{app}").inner_text()
    page.get_by_role("button", name=f"初审申报 {app}").click()
    flash_says(page, "初审结果")
    assert "初审清单" in page.locator(f"#application-{app}").inner_text()
    page.locator(f"#application-{app} input[name=recommend][value=yes]").check()
    page.get_by_role("button", name=f"提交申报 {app} 的推荐决定").click()
    flash_says(page, "已决定：推荐")
    check(page, "econ-season-review", show=f"#application-{app}")
    page.get_by_role("button", name="生成推荐名单并报送市级平台").click()
    page.wait_for_url(re.compile(r"/platform-jobs/"))
    page.wait_for_selector("#job:has-text('已完成')", timeout=WAIT_MS)  # the page refreshes itself until done
    assert "1 家企业" in page.locator("#job").inner_text() and "已接收 1 家" in page.locator("#job").inner_text()
    check(page, "econ-platform-job")
    kept = httpx.get(stack["platform"] + "/api/recommendations").json()["items"]
    assert [b["enterprises"] for b in kept] == [[candidate]] or candidate in str(kept), kept
    page.goto(season)
    assert "第 1 版" in page.locator("#recs ~ article").first.inner_text()
    check(page, "econ-season-recommended", show="#recs")

    # -- 到期提醒: the sweep now; the lapsing title's reminder, once
    page.goto(f"{portal}/reminders")
    page.get_by_role("button", name="立即检查").click()
    said = flash_says(page, "已完成到期检查")
    assert "新发出称号到期提醒 1 条" in said, said
    assert "北京房山称号将到期科技有限公司" in page.locator("table").inner_text()
    check(page, "econ-reminders")
    assert lapsing in page.content()

    # -- 政策参数: withdraw the future version typed wrong
    page.goto(f"{portal}/policy?service=awards")
    assert "尚未生效" in page.locator(f"#version-{future}").inner_text()
    page.locator(f"#version-{future} summary").click()
    page.fill(f"#wd-{future}", "金额多录一个零")
    check(page, "econ-policy-withdraw-form", show=f"#version-{future}")
    page.get_by_role("button", name=f"撤回参数版本 {future}").click()
    flash_says(page, f"已撤回参数版本 {future}")
    assert "已撤回（" in page.locator(f"#version-{future}").inner_text()
    check(page, "econ-policy-withdrawn", show=f"#version-{future}")

    # -- the auditor reads the corrections: who, when, before and after; no forms
    sign_out(page, portal)
    sign_in(page, portal, "auditor", "王审计")
    page.get_by_role("link", name="审计日志").first.click()
    page.wait_for_url(re.compile(r"/audit-log"))
    page.select_option("#service", "registry")
    page.fill("#object_id", fixed)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(r"object_id=" + fixed))
    log = page.locator("table.audit").inner_text()
    assert "良乡镇" in log and "北京房山精密智造科技有限公司" in log and "北京房山导入未填乡镇科技有限公司" in log
    assert "张经信" in log or "区经信局" in log
    check(page, "auditor-audit-log")
    page.goto(f"{portal}/audit-log?service=awards&object_type=policy_parameter&object_id={future}")
    assert "金额多录一个零" in page.locator("table.audit").inner_text()
    check(page, "auditor-audit-log-policy")
    page.goto(f"{portal}/enterprises/{fixed}")
    assert page.locator("#fix").count() == 0 and page.locator("#dep").count() == 0
    assert not errors, errors
    page.close()
