"""The portal in a real browser: Debian's Chromium driven by Playwright, over real TCP.

NATS, the five services and the portal run as uvicorn processes on free ports. Econ signs in,
imports a generated municipal list, reviews the award it produced; treasury approves and
disburses it with a voucher. Screenshots of every page go to test-artifacts/portal/.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from services.portal.config import PORTAL_SERVICES as SERVICES
from shared.auth import issue_token
from shared.clock import today
from shared.natsserver import NatsServer, free_port
from shared.testing import make_uscc, wrong_check

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts" / "portal"
SECRET = "portal-browser-test-secret-0123456789-abcdef"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]

try:
    import playwright.sync_api  # noqa: F401
    HAVE_PLAYWRIGHT = True
except ImportError:
    HAVE_PLAYWRIGHT = False

pytestmark = [
    pytest.mark.browser, pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk"),
    pytest.mark.skipif(not HAVE_PLAYWRIGHT, reason="playwright is not installed (pip install playwright)"),
    pytest.mark.skipif(bool(os.environ.get("SRDI_TEST_DATABASE_URL")),
                       reason="the browser test runs once, in the SQLite pass (the portal has no database)"),
]


def wait_until(predicate, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except httpx.HTTPError as e:
            last = e
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """NATS + the five services + the portal, each a uvicorn process on a free port."""
    data = tmp_path_factory.mktemp("portal-browser")
    nats = NatsServer(data / "nats").start()
    ports = {s: free_port() for s in (*SERVICES, "portal")}
    env = dict(os.environ, SRDI_DATA_DIR=str(data), SRDI_NATS_URL=nats.url, SRDI_JWT_SECRET=SECRET,
               SRDI_LOG_LEVEL="WARNING", SRDI_RELAY_INTERVAL_S="0.1",
               **{f"SRDI_PORTAL_{s.upper()}_URL": f"http://127.0.0.1:{ports[s]}" for s in SERVICES})
    env.pop("SRDI_TEST_DATABASE_URL", None)
    env.pop("SRDI_DATABASE_URL", None)
    procs, logs = [], []
    try:
        for name in (*SERVICES, "portal"):
            log = open(data / f"{name}.log", "w")
            logs.append(log)
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "uvicorn", f"services.{name}.main:app", "--host", "127.0.0.1",
                 "--port", str(ports[name]), "--no-access-log", "--log-level", "warning"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
        urls = {s: f"http://127.0.0.1:{p}" for s, p in ports.items()}
        try:
            for s in SERVICES:
                wait_until(lambda s=s: httpx.get(urls[s] + "/readyz").status_code == 200, f"{s} to be ready", 120)
            wait_until(lambda: httpx.get(urls["portal"] + "/healthz").status_code == 200, "the portal", 60)
        except AssertionError as e:  # say which process failed and why
            for log in logs:
                log.flush()
            tails = {n: (data / f"{n}.log").read_text()[-1500:] for n in (*SERVICES, "portal")}
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


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


def api(urls, service: str, role: str, method: str, path: str, **kw) -> httpx.Response:
    headers = {"Authorization": f"Bearer {issue_token(SECRET, role)}"}
    return httpx.request(method, urls[service] + "/api/v1" + path, headers=headers, timeout=30, **kw)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page, portal: str, role: str) -> None:
    page.goto(portal + "/login")
    page.select_option("#role", role)
    page.fill("#name", {"econ": "张经信", "treasury": "李财政"}.get(role, ""))
    page.get_by_role("button", name="登录").press("Enter")  # the keyboard, not the mouse
    page.wait_for_url(portal + "/")


def flash_text(page) -> str:
    return page.locator("#messages").inner_text()


def test_econ_imports_and_reviews_treasury_approves_and_disburses(stack, browser, tmp_path):
    portal = stack["portal"]
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # -- econ signs in
    page.goto(portal + "/")
    assert page.url == portal + "/login"
    shot(page, "01-login")
    sign_in(page, portal, "econ")
    assert "已登录" in flash_text(page)
    shot(page, "02-dashboard-econ")

    # -- econ imports a small generated municipal list
    firm = make_uscc()
    bad = wrong_check(firm)
    listing = tmp_path / "房山区认定名单.csv"
    listing.write_text(
        "序号,企业名称,统一社会信用代码,所属区,认定类型,批次,认定日期\n"
        f"1,北京房山精密智造有限公司,{firm},房山区,北京市专精特新中小企业,2025年第二批,2025年9月1日\n"
        f"2,北京朝阳示例科技有限公司,{make_uscc('110105')},朝阳区,北京市专精特新中小企业,2025年第二批,2025-09-01\n"
        f"3,北京代码有误有限公司,{bad},房山区,创新型中小企业,2025年第二批,2025/9/1\n", encoding="utf-8-sig")
    page.get_by_role("link", name="名单导入").click()
    page.wait_for_url(portal + "/import")
    shot(page, "03-import-form")
    page.set_input_files("#file", str(listing))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_selector("#rep")
    report = page.locator(".report").inner_text()
    assert "新建认定" in report and "被拒绝" in report and "统一社会信用代码无效" in report
    shot(page, "04-import-report")

    # -- the awards service computes the award from the registry's event; treasury has a budget
    award = wait_until(lambda: (api(stack, "awards", "econ", "GET", f"/awards?uscc={firm}").json()["items"] or [None])[0],
                       "the award computed from the import")
    r = api(stack, "awards", "treasury", "PUT", f"/budgets/{today().year}/tier", json={"allocated_yuan": 10**9})
    assert r.status_code in (200, 201, 404, 405), r.text  # budgets exist once issue 3 lands

    # -- econ reviews it
    page.get_by_role("link", name="奖励审核与拨付").click()
    row = page.locator(f"#award-{award['id']}")
    assert "300,000 元" in row.inner_text() and "待审核" in row.inner_text()
    shot(page, "05-awards-econ")
    row.locator(f"#note-{award['id']}").fill("材料齐全，同意")
    row.locator(f"#note-{award['id']}").press("Enter")  # submit from the keyboard
    page.wait_for_selector("#messages .flash")
    assert f"奖励 {award['id']}" in flash_text(page) and "已审核通过" in flash_text(page)
    shot(page, "06-awards-reviewed")

    # -- econ's enterprise page: the timeline
    page.goto(portal + "/enterprises?q=" + firm)
    page.get_by_role("link", name="北京房山精密智造有限公司").click()
    assert "认定为北京市专精特新中小企业" in page.locator(".timeline").inner_text()
    shot(page, "07-enterprise-econ")

    # -- treasury signs in, approves and disburses with a voucher
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(portal + "/login")
    sign_in(page, portal, "treasury")
    shot(page, "08-dashboard-treasury")
    page.get_by_role("link", name="奖励审核与拨付").click()
    row = page.locator(f"#award-{award['id']}")
    assert "已审核，待批准" in row.inner_text()
    shot(page, "09-awards-treasury")
    row.get_by_role("button", name=f"批准奖励 {award['id']}").click()
    page.wait_for_selector("#messages .flash")
    assert "已批准" in flash_text(page), flash_text(page)
    shot(page, "10-awards-approved")
    row = page.locator(f"#award-{award['id']}")
    row.locator(f"#voucher-{award['id']}").fill("FSCZ-2026-000123")
    row.get_by_role("button", name=f"拨付奖励 {award['id']}").press("Enter")
    page.wait_for_selector("#messages .flash")
    assert "已拨付" in flash_text(page), flash_text(page)
    shot(page, "11-awards-disbursed")
    detail = api(stack, "awards", "treasury", "GET", f"/awards/{award['id']}").json()
    assert detail["state"] == "disbursed" and detail["history"][-1]["voucher"] == "FSCZ-2026-000123"

    page.goto(f"{portal}/awards/{award['id']}")
    assert "FSCZ-2026-000123" in page.content()
    shot(page, "12-award-detail")
    page.goto(f"{portal}/enterprises/{firm}")
    assert "凭证号 FSCZ-2026-000123" in page.locator(".timeline").inner_text()
    shot(page, "13-enterprise-treasury")

    # -- errors are plain Chinese pages, never a trace
    page.goto(f"{portal}/import")
    assert "无权访问" in page.content()
    shot(page, "14-forbidden")
    missing = make_uscc()
    page.goto(f"{portal}/enterprises/{missing}")
    assert f"企业不存在：{missing}" in page.content() and "Traceback" not in page.content()
    shot(page, "15-not-found")

    # -- the other roles' pages render
    for role, path, name in (("talent", "/talent", "16-talent"), ("finance", "/service-list", "17-service-list")):
        page.get_by_role("button", name="退出登录").click()
        sign_in(page, portal, role)
        page.goto(portal + path)
        assert page.locator("h1").count() == 1 and "出错了" not in page.content()
        shot(page, name)
    assert firm in page.content()  # on the banks' service list
    assert not errors, errors
    page.close()
