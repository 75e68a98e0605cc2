"""Monthly monitoring through the API: enter, import (all or nothing, preview), the month's list
with flags, roles and park scoping."""
import io

from openpyxl import Workbook
from sqlalchemy import func, select

from services.registry.tables import OperatingMonth
from shared.audit import AuditEntry  # noqa: F401 - the audit table is the suite's
from shared.clock import today
from shared.testing import make_uscc

HEADER = ["统一社会信用代码", "月份", "营业收入（元）", "研发费用（元）", "从业人数", "新增专利"]
OK = {"revenue_yuan": 1_000_000, "rd_spend_yuan": 50_000, "employees": 40, "new_patents": 1}


async def firm(econ, tier=None, park=None, name="监测测试企业"):
    u = make_uscc()
    r = await econ.post("/api/v1/enterprises", json={"uscc": u, "name": name, **({"park_id": park} if park else {})})
    assert r.status_code == 201, r.text
    if tier:
        r = await econ.post(f"/api/v1/enterprises/{u}/certifications", json={"tier": tier, "recognized_on": "2024-03-01"})
        assert r.status_code == 201, r.text
    return u


def xlsx(rows) -> bytes:
    book = Workbook()
    ws = book.active
    ws.append(["2026 年重点企业月度经营数据"])  # a title row above the header
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def stored(suite) -> int:
    with suite.db("registry").reader() as s:
        return s.scalar(select(func.count()).select_from(OperatingMonth))


async def test_enter_read_and_scope(suite):
    econ = suite.client("registry")
    u = await firm(econ, "municipal_srdi", park="P-MON")
    r = await econ.put(f"/api/v1/enterprises/{u}/operating-data/2026-10", json=OK)
    assert r.status_code == 201, r.text
    assert r.json()["revenue_yuan"] == 1_000_000 and r.json()["month"] == "2026-10"
    r = await econ.put(f"/api/v1/enterprises/{u}/operating-data/2026-10", json={**OK, "employees": 41})
    assert r.status_code == 200 and r.json()["employees"] == 41
    items = (await econ.get(f"/api/v1/enterprises/{u}/operating-data")).json()["items"]
    assert [(i["month"], i["employees"]) for i in items] == [("2026-10", 41)]
    park = suite.client("registry", role="park", org="P-MON")
    assert (await park.get(f"/api/v1/enterprises/{u}/operating-data")).status_code == 200
    other = suite.client("registry", role="park", org="P-OTHER")
    assert (await other.get(f"/api/v1/enterprises/{u}/operating-data")).status_code == 404
    for role in ("treasury", "auditor", "park"):
        c = suite.client("registry", role=role, org="P-MON" if role == "park" else None)
        assert (await c.put(f"/api/v1/enterprises/{u}/operating-data/2026-10", json=OK)).status_code == 403
    assert (await suite.client("registry", role=None).get(f"/api/v1/enterprises/{u}/operating-data")).status_code == 401


async def test_bad_input_changes_nothing(suite):
    econ = suite.client("registry")
    u = await firm(econ, "municipal_srdi")
    before = stored(suite)
    nxt = today().replace(day=28)
    future = f"{nxt.year + (nxt.month == 12):04d}-{nxt.month % 12 + 1:02d}"
    for month, body in (("2026-10", {**OK, "revenue_yuan": -1}), ("2026-10", {**OK, "employees": 1.5}),
                        ("2026-10", {**OK, "x": 1}), ("2026-10", {k: v for k, v in OK.items() if k != "new_patents"}),
                        ("2026-13", OK), ("26-10", OK), (future, OK), ("2026-10", {**OK, "revenue_yuan": True})):
        r = await econ.put(f"/api/v1/enterprises/{u}/operating-data/{month}", json=body)
        assert r.status_code == 422 and r.json()["detail_zh"] and r.json()["detail_en"], (month, body, r.text)
    assert (await econ.put(f"/api/v1/enterprises/{make_uscc()}/operating-data/2026-10", json=OK)).status_code == 404
    assert stored(suite) == before


async def test_import_preview_bad_rows_and_all_or_nothing(suite):
    econ = suite.client("registry")
    a = await firm(econ, "municipal_srdi")
    b = await firm(econ, "municipal_srdi")
    unknown = make_uscc()
    good = [[a, "2026-09", 900000, 40000, 30, 0], [b, "2026/9", "1,200,000", 60000, 55, 2]]
    bad = good + [[a, "2026-09", 1, 1, 1, 1],          # repeats row 3
                  [unknown, "2026-09", 1, 1, 1, 1],     # not in the registry
                  [b, "2026-08", -5, 1, 1, 1],          # negative
                  [b, "2099-01", 1, 1, 1, 1]]           # future
    before = stored(suite)
    r = await econ.post("/api/v1/monitoring/imports", files={"file": ("m.xlsx", xlsx(bad))})
    assert r.status_code == 422, r.text
    assert [e["loc"][-1] for e in r.json()["errors"]] == [5, 6, 7, 8]
    assert stored(suite) == before  # nothing stored
    r = await econ.post("/api/v1/monitoring/imports", files={"file": ("m.xlsx", xlsx(bad))}, data={"dry_run": "true"})
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["dry_run"] and rep["rows"] == 6 and rep["created"] == 2
    assert [(e["row"], e["reasons_en"][0][:10]) for e in rep["errors"]] == [
        (5, "repeats ro"), (6, "the enterp"), (7, "revenue mu"), (8, "the month ")]
    assert all(e["reasons_zh"] for e in rep["errors"])
    assert stored(suite) == before
    r = await econ.post("/api/v1/monitoring/imports", files={"file": ("m.xlsx", xlsx(good))})
    assert r.status_code == 200 and r.json()["created"] == 2, r.text
    assert stored(suite) == before + 2
    months = (await econ.get(f"/api/v1/enterprises/{b}/operating-data")).json()["items"]
    assert months[0]["revenue_yuan"] == 1_200_000 and months[0]["month"] == "2026-09"
    csv = ("\ufeff" + ",".join(HEADER) + f"\n{a},2026-09,900000,40000,30,0\n{b},2026-09,1000000,60000,55,2\n").encode()
    r = await econ.post("/api/v1/monitoring/imports?dry_run=true", files={"file": ("m.csv", csv)})
    assert (r.json()["unchanged"], r.json()["updated"]) == (1, 1)
    r = await econ.post("/api/v1/monitoring/imports", files={"file": ("m.csv", b"a,b\n1,2\n")})
    assert r.status_code == 422 and r.json()["type"].endswith("bad-columns")
    assert (await suite.client("registry", role="auditor").post(
        "/api/v1/monitoring/imports", files={"file": ("m.csv", csv)})).status_code == 403


async def test_the_months_list_with_flags(fresh_suite):
    suite = fresh_suite
    econ = suite.client("registry")
    ok = await firm(econ, "municipal_srdi", park="P-MON", name="稳健")
    down = await firm(econ, "municipal_srdi", name="下滑")
    silent = await firm(econ, "national_little_giant", name="未报")
    small = await firm(econ, "innovative", name="非重点")   # below municipal_srdi: not a key enterprise
    gone = await firm(econ, "municipal_srdi", name="已迁出")  # moved out before the month's end: not monitored
    r = await econ.post(f"/api/v1/enterprises/{gone}/departure",
                        json={"status": "moved_out", "on": "2026-09-15", "reason": "迁往外区"})
    assert r.status_code == 200, r.text
    for u, m, body in ((ok, "2025-10", OK), (ok, "2026-10", OK), (down, "2025-10", OK),
                       (down, "2026-10", {**OK, "revenue_yuan": 700_000, "rd_spend_yuan": 10_000, "employees": 5}),
                       (small, "2026-10", OK)):
        assert (await econ.put(f"/api/v1/enterprises/{u}/operating-data/{m}", json=body)).status_code == 201
    r = await econ.get("/api/v1/monitoring/2026-10")
    assert r.status_code == 200, r.text
    body = r.json()
    by = {i["uscc"]: i for i in body["items"]}
    assert set(by) == {ok, down, silent}
    assert gone in {i["uscc"] for i in (await econ.get("/api/v1/monitoring/2026-08")).json()["items"]}
    assert body["totals"] == {"key": 3, "reported": 2, "missing": 1, "flagged": 2}
    assert by[ok]["flags"] == [] and by[ok]["trend"]["revenue_yoy_pct"] == 0.0
    assert by[ok]["thresholds"]["rd_ratio_source"] == "criteria" and by[ok]["thresholds"]["rd_ratio_min_pct"] == 3.0
    assert [f["code"] for f in by[down]["flags"]] == ["revenue_down_yoy", "rd_ratio_low", "employees_below"]
    assert by[down]["trend"]["revenue_yoy_pct"] == -30.0
    assert [f["code"] for f in by[silent]["flags"]] == ["missing"] and by[silent]["data"] is None
    assert body["items"][-1]["uscc"] == ok  # flagged first
    assert "monitoring.key_min_tier" in body["basis"]
    park = await suite.client("registry", role="park", org="P-MON").get("/api/v1/monitoring/2026-10")
    assert [i["uscc"] for i in park.json()["items"]] == [ok]
    x = await econ.get("/api/v1/monitoring/2026-10?format=xlsx")
    assert x.status_code == 200 and x.content[:2] == b"PK"
    assert (await econ.get("/api/v1/monitoring/2099-01")).status_code == 422
    assert (await econ.get("/api/v1/monitoring/2026-1")).status_code == 422
    assert (await suite.client("registry", role="bank", org="B1").get("/api/v1/monitoring/2026-10")).status_code == 403
