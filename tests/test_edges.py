"""The edges refuse what could hurt: a body over the size limit is refused while it arrives (before
parsing and before the token is checked), control characters never get into text, `true` is no
number, an id out of range is a 404/422, and no stored text can crash a spreadsheet export."""
import datetime as dt
import io
import os
import re
import socket
import subprocess
import sys
import time

import httpx
import openpyxl
import pytest
from sqlalchemy import select

from services.awards.tables import LedgerEntry, PaymentLine
from services.awards.tests.test_flow import awards_of, fund
from services.registry.tables import Enterprise
from shared.limits import BodyLimitMiddleware
from shared.testing import key_env, make_uscc

MIB = 1024 * 1024
TODAY = dt.date.today()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What a name may hold after it slipped in before the API refused it (or by an import): a formula,
# controls openpyxl refuses (IllegalCharacterError), DEL, a C1 control, a non-character.
ODD = "=1+2\x01名\x07称\x0b\x1b\x7f\x85\ufffe"


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) / 1024


def body_limit(app) -> BodyLimitMiddleware:
    node = app.middleware_stack
    while node is not None and not isinstance(node, BodyLimitMiddleware):
        node = getattr(node, "app", None)
    assert node is not None, "BodyLimitMiddleware is not installed"
    return node


class Chunks:
    """A 100 MiB body produced as it is read (no Content-Length: chunked); counts what was taken."""

    def __init__(self, total=100 * MIB, size=MIB):
        self.total, self.size, self.taken = total, size, 0
        self.chunk = b"{" + b" " * (size - 1)

    async def __aiter__(self):
        while self.taken < self.total:
            self.taken += self.size
            yield self.chunk


def anonymous(suite, service):
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=suite.apps[service]), base_url=f"http://{service}",
                             timeout=30)


def assert_413(r: httpx.Response):
    assert r.status_code == 413, r.text
    problem = r.json()
    assert problem["type"].endswith("/body-too-large") and problem["detail_zh"] and problem["detail_en"]
    assert r.headers["content-type"].startswith("application/problem+json")


# -- size --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("service", ["registry", "awards"])
async def test_a_100_mb_body_without_a_token_is_refused_while_it_arrives(suite, service):
    limit = body_limit_of(suite, service).limits.max_body_bytes
    async with anonymous(suite, service) as c:
        before = rss_mib()
        body = Chunks()
        r = await c.post("/api/v1/enterprises" if service == "registry" else "/api/v1/awards/1/review", content=body,
                         headers={"Content-Type": "application/json"})
        grew = rss_mib() - before
    assert_413(r)  # not 401: nothing was parsed or authenticated
    assert body.taken <= limit + MIB, f"read {body.taken / MIB} MiB of a {limit / MIB} MiB limit"
    assert grew < 32, f"memory grew {grew:.0f} MiB"


def test_a_served_registry_stays_flat_under_a_100_mb_anonymous_body(suite, tmp_path):
    """The same over a real socket: the registry process (uvicorn) answers 413 after reading a few
    MiB, closes the connection on the rest, its memory does not grow, and it still answers /healthz."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, SRDI_NATS_URL=suite.nats.url, SRDI_DATA_DIR=str(tmp_path), SRDI_BACKGROUND_JOBS="false",
               **key_env())
    env.pop("SRDI_DATABASE_URL", None)
    env.pop("SRDI_TEST_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "services.registry.main:app", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, "the registry did not start"
            time.sleep(0.1)

        def rss() -> float:
            with open(f"/proc/{proc.pid}/status") as f:
                return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) / 1024
        sent = 0

        def body():
            nonlocal sent
            chunk = b" " * MIB
            for _ in range(100):
                sent += MIB
                yield chunk
        before = rss()
        try:
            r = httpx.post(url + "/api/v1/enterprises", content=body(), timeout=30,
                           headers={"Content-Type": "application/json"})
            assert_413(r)
        except httpx.WriteError:  # the server closed the connection before the client saw the 413
            pass
        assert sent < 40 * MIB, f"the server took {sent / MIB:.0f} MiB"
        assert rss() - before < 32, f"memory grew {rss() - before:.0f} MiB"
        assert httpx.get(url + "/healthz").status_code == 200
    finally:
        proc.terminate()
        proc.wait(10)


async def test_a_declared_oversize_body_is_refused_before_a_byte_is_read(suite):
    body = Chunks()
    async with anonymous(suite, "registry") as c:
        r = await c.post("/api/v1/enterprises", content=body,
                         headers={"Content-Type": "application/json", "Content-Length": str(100 * MIB)})
    assert_413(r)
    assert body.taken == 0


async def test_an_upload_may_be_larger_for_a_signed_in_caller_only(suite, monkeypatch):
    """A recognition list (multipart) may pass the body limit up to the upload limit, with a token."""
    mw = body_limit_of(suite, "registry")
    monkeypatch.setattr(mw.limits, "max_body_bytes", 64 * 1024)
    monkeypatch.setattr(mw.limits, "max_upload_bytes", 4 * MIB)
    uscc = make_uscc()
    rows = "".join(f"{i},海淀某公司{i},{make_uscc('110108')},海淀区,创新型中小企业,2025年第一批,2025-03-01\n"
                   for i in range(2, 2000))
    csv = ("序号,企业名称,统一社会信用代码,所属区,认定类型,批次,认定日期\n"
           f"1,大文件导入测试有限公司,{uscc},房山区,创新型中小企业,2025年第一批,2025-03-01\n" + rows).encode()
    assert 64 * 1024 < len(csv) < 4 * MIB
    files = {"file": ("list.csv", csv, "text/csv")}
    r = await suite.client("registry", role="platform").post("/api/v1/imports/recognition-lists", files=files)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 1 and r.json()["skipped"] == 1998
    async with anonymous(suite, "registry") as c:
        assert_413(await c.post("/api/v1/imports/recognition-lists", files=files))
    # A JSON body gets no such allowance, token or not.
    big = {"uscc": make_uscc(), "name": "大", "introducer": "x" * (80 * 1024)}
    assert_413(await suite.client("registry").post("/api/v1/enterprises", json=big))


def body_limit_of(suite, service) -> BodyLimitMiddleware:
    app = suite.apps[service]
    if app.middleware_stack is None:
        app.middleware_stack = app.build_middleware_stack()
    return body_limit(app)


# -- text ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, ch", [("北京\x07精密", "U+0007"), ("北京\x00精密", "U+0000"), ("北京\x85精密", "U+0085"),
                                      ("北京\n精密", "U+000A"), ("北京\t精密", "U+0009"), ("\x1b[31m北京", "U+001B")])
async def test_a_name_with_control_characters_is_a_clear_422(suite, name, ch):
    uscc = make_uscc()
    r = await suite.client("registry").post("/api/v1/enterprises", json={"uscc": uscc, "name": name})
    assert r.status_code == 422, r.text
    err = r.json()["errors"][0]
    assert err["loc"] == ["body", "name"] and ch in err["msg"], err
    with suite.db("registry").reader() as s:
        assert s.get(Enterprise, uscc) is None


async def test_long_text_keeps_its_lines_but_no_other_control(suite):
    uscc = make_uscc()
    econ = suite.client("registry")
    assert (await econ.post("/api/v1/enterprises", json={"uscc": uscc, "name": "多行文本测试"})).status_code == 201
    visit = {"uscc": uscc, "visited_on": (TODAY - dt.timedelta(days=1)).isoformat(), "visitors": "张三"}
    r = await econ.post("/api/v1/visits", json={**visit, "findings": "一、设备\r\n二、\t人才"})
    assert r.status_code == 201 and r.json()["findings"] == "一、设备\n二、\t人才"
    r = await econ.post("/api/v1/visits", json={**visit, "findings": "一、设备\x0c二、人才"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "findings"]


async def test_a_service_s_own_text_type_refuses_controls_too(suite):
    """parks' Township is a plain constrained str: every request body refuses control characters."""
    r = await suite.client("parks").post("/api/v1/parks", json={"name": "控制字符园区", "township": "窦店\x07镇"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "township"]


# -- numbers -------------------------------------------------------------------------------------------
async def test_true_is_not_one_yuan_nor_one_of_anything(suite):
    treasury = suite.client("awards", role="treasury")
    year = TODAY.year
    r = await treasury.put(f"/api/v1/budgets/{year}/tier", json={"allocated_yuan": True})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "allocated_yuan"]
    uscc = make_uscc()
    econ = suite.client("registry")
    assert (await econ.post("/api/v1/enterprises", json={"uscc": uscc, "name": "布尔测试"})).status_code == 201
    for field in ("revenue_yuan", "staff"):  # the registry's own Yuan and Count types
        r = await econ.put(f"/api/v1/enterprises/{uscc}/indicators/2025", json={field: True})
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", field], r.text
    r = await suite.client("parks").post("/api/v1/parks", json={"name": "布尔园区", "area_mu": False})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "area_mu"]
    # Nor is a string of digits: an amount sent as "100" is the caller's typing error, said, not guessed.
    r = await treasury.put(f"/api/v1/budgets/{year}/tier", json={"allocated_yuan": "100"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "allocated_yuan"], r.text
    assert "JSON" in r.json()["errors"][0]["msg"]
    for field in ("revenue_yuan", "staff"):
        r = await econ.put(f"/api/v1/enterprises/{uscc}/indicators/2025", json={field: "35"})
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", field], r.text
    # JSON integers, and digits in a query string, still do.
    r = await econ.put(f"/api/v1/enterprises/{uscc}/indicators/2025", json={"revenue_yuan": 12_000_000, "staff": 35})
    assert r.status_code in (200, 201) and r.json()["revenue_yuan"] == 12_000_000
    assert (await econ.get("/api/v1/stats/new", params={"year": str(year - 1)})).status_code == 200
    assert (await econ.get("/api/v1/enterprises", params={"limit": "5"})).status_code == 200


# -- ids -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("service", ["registry", "awards", "talent", "finance", "parks", "outreach"])
async def test_an_id_out_of_range_is_404_or_422(suite, service):
    if service not in suite.apps:
        pytest.skip(f"{service} is not in this checkout")
    econ = suite.client(service)
    for big in (2**31, 2**63, 10**30):
        r = await econ.post(f"/api/v1/admin/dead-letters/{big}/replay")
        assert r.status_code in (404, 422), (big, r.text)
        assert "OverflowError" not in r.text  # no Python exception in the answer
    r = await suite.client("registry").get(f"/api/v1/certifications/{10**30}")
    assert r.status_code in (404, 422), r.text


# -- exports -------------------------------------------------------------------------------------------
EXPORTS = {  # every XLSX export: (service, role, path, query)
    ("registry", "econ", "/api/v1/stats/new", (("year", str(TODAY.year)), ("by", "township"), ("format", "xlsx"))),
    ("registry", "econ", f"/api/v1/monitoring/{TODAY:%Y-%m}", (("format", "xlsx"),)),  # the month's key enterprises
    ("awards", "treasury", "/api/v1/ledger/export", (("year", str(TODAY.year)),)),
    ("awards", "treasury", f"/api/v1/disbursements/{TODAY.year}/export", ()),
    ("awards", "treasury", "/api/v1/payment-batches/{batch_id}/export", ()),  # the payment system's file
    ("finance", "econ", "/api/v1/service-list/export.xlsx", ()),
    ("talent", "talent", "/api/v1/reports/export.xlsx", ()),
}


def xlsx_routes(suite) -> set:
    """GET routes that can answer a workbook: an export path, or a `format` choice with xlsx."""
    found = set()
    for service, app in suite.apps.items():
        for path, ops in app.openapi()["paths"].items():
            get = ops.get("get")
            if not get:
                continue
            formats = [p for p in get.get("parameters", []) if p["name"] == "format"]
            if "export" in path or "xlsx" in path or any("xlsx" in str(p.get("schema")) for p in formats):
                found.add((service, path))
    return found


async def test_every_xlsx_export_survives_any_stored_text(suite):
    listed = {(svc, re.sub(r"/\d{4}-\d{2}$", "/{month}", re.sub(r"/\d{4}/", "/{year}/", path)))
              for svc, _, path, _ in EXPORTS}
    assert xlsx_routes(suite) == listed, "an XLSX export is missing from EXPORTS"

    uscc = make_uscc()
    econ = suite.client("registry")
    r = await econ.post("/api/v1/enterprises", json={"uscc": uscc, "name": "导出测试有限公司", "township": "窦店镇"})
    assert r.status_code == 201
    # Text stored before the API refused it (or by an import): straight into the registry's row, from
    # where the next event carries it to finance and awards.
    with suite.db("registry").transaction() as s:
        e = s.get(Enterprise, uscc)
        e.name, e.township = ODD, ODD[:40]
    r = await econ.post(f"/api/v1/enterprises/{uscc}/certifications",
                        json={"tier": "municipal_srdi", "recognized_on": (TODAY - dt.timedelta(days=30)).isoformat()})
    assert r.status_code == 201, r.text
    award = (await suite.wait_for(lambda: awards_of(suite, uscc), "the award"))[0]
    await fund(suite)
    path = f"/api/v1/awards/{award['id']}"
    assert (await suite.client("awards").post(path + "/review")).status_code == 200
    treasury = suite.client("awards", role="treasury")
    assert (await treasury.post(path + "/approve")).status_code == 200
    assert (await treasury.put("/api/v1/payees", json={"kind": "enterprise", "ref": uscc, "name": "导出", "bank_name": "工行",
                                                      "account": "6222020200001234"})).status_code == 200
    batch = await treasury.post("/api/v1/payment-batches", json={"award_ids": [award["id"]]})
    assert batch.status_code == 201, batch.text
    with suite.db("awards").transaction() as s:  # a payee's name and bank as odd as stored text gets
        line = s.scalars(select(PaymentLine).where(PaymentLine.batch_id == batch.json()["id"])).one()
        line.payee_name, line.bank_name, line.purpose = ODD, ODD, ODD
    assert (await treasury.post(path + "/disburse", json={"voucher": "FS-导出-1"})).status_code == 200
    with suite.db("awards").transaction() as s:  # the ledger is append-only: entries like these, with odd text
        entries = list(s.scalars(select(LedgerEntry).where(LedgerEntry.award_id == award["id"])))
        assert {e.kind for e in entries} >= {"disbursed"}
        for entry in entries:
            copy = LedgerEntry(**{c.key: getattr(entry, c.key) for c in LedgerEntry.__table__.columns if c.key != "id"})
            copy.payee, copy.voucher, copy.note, copy.actor = ODD, ODD, ODD, ODD
            s.add(copy)
    await suite.settled()

    for service, role, path, query in sorted(EXPORTS):
        path = path.replace("{batch_id}", str(batch.json()["id"]))
        r = await suite.client(service, role=role).get(path, params=dict(query))
        assert r.status_code == 200, (service, path, r.text[:500])
        assert r.headers["content-type"].startswith(XLSX)
        cells = [c for ws in openpyxl.load_workbook(io.BytesIO(r.content)).worksheets
                 for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
        assert not any(c.startswith("=") for c in cells), (service, path)  # never a live formula
        if service != "talent":  # talent's report holds no free text
            assert any("名\ufffd称" in c for c in cells), (service, path)
    csv = await treasury.get("/api/v1/ledger/export", params={"year": TODAY.year, "format": "csv"})
    assert csv.status_code == 200 and "名\ufffd称" in csv.text


# -- a USCC filter -------------------------------------------------------------------------------------
@pytest.mark.parametrize("service, role, path", [
    ("awards", "treasury", "/api/v1/awards"), ("awards", "treasury", "/api/v1/receivables"),
    ("awards", "treasury", "/api/v1/ledger"),
    ("talent", "talent", "/api/v1/quotas"), ("talent", "talent", "/api/v1/nominations"),
    ("finance", "finance", "/api/v1/loans"), ("outreach", "econ", "/api/v1/contracts"),
    ("registry", "econ", "/api/v1/reminders"), ("registry", "econ", "/api/v1/visits"),
])
async def test_a_uscc_filter_that_is_no_uscc_is_a_422_not_an_empty_page(suite, service, role, path):
    """An empty page would read as "none found" for a code mistyped (the trust walk's find)."""
    client = suite.client(service, role=role)
    more = {"year": TODAY.year} if path.endswith("/ledger") else {}
    r = await client.get(path, params={"uscc": "91110111MA01R2XJ3X", **more})  # a wrong check character
    assert r.status_code == 422, (path, r.status_code, r.text)
    problem = r.json()
    assert problem["errors"][0]["loc"] == ["query", "uscc"] and "统一社会信用代码无效" in problem["errors"][0]["msg"]
    # A valid code, in lower case or not, is still a filter (an empty page: nothing of it yet).
    r = await client.get(path, params={"uscc": make_uscc().lower(), **more})
    assert r.status_code == 200 and r.json()["items"] == [], (path, r.text)
