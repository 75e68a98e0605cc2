"""Reports (issue 4): quotas granted, used and lapsed per year and tier; nominations by category and
state; the XLSX export. Plus the year arithmetic through the API (recognised in December, upgrade
in the same year) and masking in log lines."""
import io

import pytest
import structlog
from openpyxl import load_workbook

from services.talent import rules
from services.talent.tests.support import certify, enterprise, wait_granted
from services.talent.tests.support import YEAR, body, enterprise_with_quotas
from shared.testing import make_resident_id, wrong_check

D = __import__("datetime").date
NLG, MLG = "national_little_giant", "municipal_little_giant"


@pytest.mark.parametrize("rows, today, expected", [
    ([], D(2026, 6, 1), []),
    # a running year: nothing lapsed, the unused is available
    ([(2026, NLG, 1, 0), (2026, NLG, 1, 1)], D(2026, 6, 1),
     [{"year": 2026, "tier": NLG, "enterprises": 2, "granted": 2, "used": 1, "available": 1, "lapsed": 0}]),
    # the year is over: the unused lapsed, nothing available
    ([(2025, NLG, 1, 0), (2025, MLG, 1, 1), (2025, MLG, 1, 0)], D(2026, 1, 1),
     [{"year": 2025, "tier": MLG, "enterprises": 2, "granted": 2, "used": 1, "available": 0, "lapsed": 1},
      {"year": 2025, "tier": NLG, "enterprises": 1, "granted": 1, "used": 0, "available": 0, "lapsed": 1}]),
    # the last day of the year still counts as running
    ([(2025, NLG, 1, 0)], D(2025, 12, 31),
     [{"year": 2025, "tier": NLG, "enterprises": 1, "granted": 1, "used": 0, "available": 1, "lapsed": 0}]),
    # only cancelled entitlements (a quota kept because in use)
    ([(2027, None, 1, 1)], D(2026, 6, 1),
     [{"year": 2027, "tier": "cancelled", "enterprises": 1, "granted": 1, "used": 1, "available": 0, "lapsed": 0}]),
])
def test_quota_report_rule(rows, today, expected):
    assert rules.quota_report(rows, today) == expected


def test_nomination_report_rule():
    got = rules.nomination_report([(2026, "领军人才", "submitted"), (2026, "领军人才", "approved"),
                                   (2026, "骨干人才", "rejected"), (2025, "优秀人才", "withdrawn")])
    by = {(r["year"], r["category"]): r for r in got}
    assert len(got) == 8  # every category for each year present
    assert by[(2026, "领军人才")]["by_state"]["submitted"] == 1 and by[(2026, "领军人才")]["total"] == 2
    assert by[(2026, "战略人才")]["total"] == 0 and set(by[(2026, "战略人才")]["by_state"]) == set(rules.STATES)
    assert by[(2025, "优秀人才")]["by_state"]["withdrawn"] == 1
    assert rules.nomination_report([]) == []


def _row(report, year, tier):
    return next((r for r in report["items"] if r["year"] == year and r["tier"] == tier),
                {"enterprises": 0, "granted": 0, "used": 0, "available": 0, "lapsed": 0})


def _delta(before, after, year, tier):
    a, b = _row(after, year, tier), _row(before, year, tier)
    return {k: a[k] - b[k] for k in ("enterprises", "granted", "used", "available", "lapsed")}


async def test_quota_report_counts_granted_used_lapsed_per_year_and_tier(suite):
    econ = suite.client("talent", role="econ")
    before = (await econ.get("/api/v1/reports/quotas")).json()
    # recognised in December 2023: the year of recognition counts though only days are left of it
    dec = await enterprise(suite)
    await certify(suite, dec, NLG, "2023-12-28")
    await wait_granted(suite, dec, {2023: 1, 2024: 1, 2025: 1})
    # an upgrade in the same year: municipal in March, national in August → one quota that year
    up = await enterprise(suite)
    await certify(suite, up, MLG, f"{YEAR}-03-01")
    await wait_granted(suite, up, {YEAR: 1})
    await certify(suite, up, NLG, f"{YEAR}-08-01")
    await wait_granted(suite, up, {YEAR: 1, YEAR + 1: 1, YEAR + 2: 1})
    used = await enterprise_with_quotas(suite)
    r = await suite.client("talent", role="talent").post("/api/v1/nominations", json=body(used))
    assert r.status_code == 201
    after = (await econ.get("/api/v1/reports/quotas")).json()
    # 2023–2025 of the December recognition: granted and lapsed, never used
    for y in (2023, 2024, 2025):
        assert _delta(before, after, y, NLG) == {"enterprises": 1, "granted": 1, "used": 0, "available": 0,
                                                 "lapsed": 1}, y
    # this year: the upgrade rests on the national entitlement (the larger, earlier of equal ones is
    # the municipal one only when it is larger), plus the enterprise that used its quota
    this = _delta(before, after, YEAR, NLG), _delta(before, after, YEAR, MLG)
    assert this[0]["granted"] + this[1]["granted"] == 2 and this[0]["used"] + this[1]["used"] == 1
    assert this[0]["lapsed"] == this[1]["lapsed"] == 0
    by_year = {r["year"]: r for r in after["by_year"]}
    assert by_year[YEAR]["granted"] >= 2
    one = (await econ.get("/api/v1/reports/quotas", params={"year": 2024})).json()
    assert {r["year"] for r in one["items"]} == {2024}


async def test_nomination_report_by_category_and_state(suite):
    talent = suite.client("talent", role="talent")
    before = (await talent.get("/api/v1/reports/nominations", params={"year": YEAR})).json()
    uscc = await enterprise_with_quotas(suite)
    r = await talent.post("/api/v1/nominations", json={**body(uscc), "category": "战略人才"})
    assert r.status_code == 201
    await talent.post(f"/api/v1/nominations/{r.json()['id']}/reject", json={"reason": "材料不全"})
    r = await talent.post("/api/v1/nominations", json={**body(uscc), "category": "骨干人才"})
    assert r.status_code == 201
    after = (await suite.client("talent", role="auditor").get("/api/v1/reports/nominations",
                                                               params={"year": YEAR})).json()

    def cell(rep, cat, state):
        return next((x["by_state"][state] for x in rep["items"] if x["category"] == cat), 0)
    assert cell(after, "战略人才", "rejected") - cell(before, "战略人才", "rejected") == 1
    assert cell(after, "骨干人才", "submitted") - cell(before, "骨干人才", "submitted") == 1
    assert after["states"] == list(rules.STATES) and after["categories"] == list(rules.CATEGORIES)


@pytest.mark.parametrize("path", ["/api/v1/reports/quotas", "/api/v1/reports/nominations",
                                  "/api/v1/reports/export.xlsx"])
async def test_reports_the_four_cases(suite, path):
    assert (await suite.client("talent", role=None).get(path)).status_code == 401
    for role, org in (("bank", "B1"), ("park", "P-A"), ("treasury", None), ("finance", None)):
        assert (await suite.client("talent", role=role, org=org).get(path)).status_code == 403, role
    for bad in ("1999", "x", "2101"):
        assert (await suite.client("talent", role="econ").get(path, params={"year": bad})).status_code == 422
    for role in ("talent", "econ", "auditor"):
        assert (await suite.client("talent", role=role).get(path)).status_code == 200, role


async def test_xlsx_export_has_chinese_headers_and_no_personal_data(suite):
    uscc = await enterprise_with_quotas(suite)
    number = make_resident_id("19790101", 555)
    assert (await suite.client("talent", role="talent").post(
        "/api/v1/nominations", json=body(uscc, id_number=number))).status_code == 201
    r = await suite.client("talent", role="econ").get("/api/v1/reports/export.xlsx", params={"year": YEAR})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["落户指标统计", "落户指标明细", "人才提名统计"]
    assert next(wb["落户指标统计"].iter_rows(values_only=True))[:5] == ("年度", "层级", "层级代码", "企业数", "授予")
    detail = list(wb["落户指标明细"].iter_rows(values_only=True))
    assert detail[0][0] == "统一社会信用代码" and any(row[0] == uscc and row[3] == 1 for row in detail[1:])
    noms = list(wb["人才提名统计"].iter_rows(values_only=True))
    assert noms[0][:3] == ("年度", "人才类别", "已提交")
    cells = " ".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row)
    assert number not in cells and number[:6] + "********" not in cells and "张三" not in cells


async def test_no_log_line_holds_a_resident_id(suite, capfd, caplog):
    """Every log line of a nomination's life (submit, whole-ID read, refusals, errors) is free of
    the number, whole or in its unmasked parts."""
    structlog.get_logger().warning("log capture probe")
    uscc = await enterprise_with_quotas(suite)
    number = make_resident_id("19800808", 777)
    talent = suite.client("talent", role="talent")
    r = await talent.post("/api/v1/nominations", json=body(uscc, id_number=number))
    assert r.status_code == 201
    nid = r.json()["id"]
    assert (await talent.get(f"/api/v1/nominations/{nid}")).json()["person"]["id_number"] == number
    assert (await talent.post("/api/v1/nominations", json=body(uscc, id_number=number))).status_code == 409
    bad = wrong_check(number)
    assert (await talent.post("/api/v1/nominations", json=body(uscc, id_number=bad))).status_code == 422
    await talent.post(f"/api/v1/nominations/{nid}/withdraw")
    await suite.settled()
    out, err = capfd.readouterr()
    logged = out + err + caplog.text
    assert "log capture probe" in logged  # the capture does see the service's log lines
    for secret in (number, bad, number[6:14]):
        assert secret not in logged
