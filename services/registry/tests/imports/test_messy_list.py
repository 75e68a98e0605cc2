"""A messy list with every variant people send (district spellings, full-width and lower-case codes,
codes Excel stored as numbers, formulas, a date after today, a repeated row, an unknown township)
imports with the report a person expects, row by row; its preview reports the same and changes
nothing. Legacy .xls and Excel's "Unicode text" (UTF-16, tab-separated) are read."""
import datetime as dt
import io
from pathlib import Path

import openpyxl
from sqlalchemy import func, select

from services.registry.imports.rows import EXCEL_NUMBER
from services.registry.tables import Certification, Enterprise
from services.registry.tests import listgen
from shared.clock import today
from shared.tables import AuditLog, Outbox
from shared.testing import make_uscc, wrong_check
from shared.validators import uscc_check_char

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIXTURES = Path(__file__).parent / "fixtures"
HEADER = [*listgen.COLUMNS, "所属乡镇"]


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def digits_only_uscc() -> str:
    """An 18-digit code (no letters) that passes its check digit: a numeric string is fine."""
    n = 0
    while True:
        body = f"91110111{n:09d}"
        if uscc_check_char(body).isdigit():
            return body + uscc_check_char(body)
        n += 1


def messy_workbook(codes: dict, future: dt.date) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["2024年北京市创新型中小企业名单（汇总，含各区）"])
    ws.append(HEADER)

    def add(n, name, code, district, on="2024-08-12", township=""):
        ws.append([n, name, code, district, "创新型中小企业", "2024年第一批", on, township])
    add(1, "北京甲科技有限公司", codes["a"], "房山区", township="良乡")
    add(2, "北京乙科技有限公司", codes["b"], "房山")
    add(3, "北京丙科技有限公司", codes["c"], "北京市房山区")
    add(4, "北京丁科技有限公司", codes["d"], "北京\u3000房山 ")
    add(5, "北京戊科技有限公司", full_width(codes["e"][:9].lower()) + " \u3000" + codes["e"][9:].lower(), " 房山区 ")
    add(6, "海淀己科技有限公司", make_uscc("110108"), "海淀区")
    add(7, "北京庚科技有限公司", make_uscc(), "")
    add(8, "北京辛科技有限公司", 911101110000000000, "房山区")  # Excel kept it as a number
    add(9, "北京壬科技有限公司", "9.1110111E+17", "房山区")  # ... and a CSV of it shows this
    add(10, '=CONCAT("北京","癸科技有限公司")', make_uscc(), "房山区")
    add(11, "北京子科技有限公司", make_uscc(), "房山区", on=future.isoformat())
    add(12, "北京甲科技有限公司", codes["a"], "房山区", township="良乡")  # row 1 again
    add(13, "北京丑科技有限公司", codes["f"], "房山区", township="火星镇")
    add(14, "北京寅科技有限公司", codes["g"], "房山区", township="窦店")
    add(15, "北京卯科技有限公司", wrong_check(make_uscc()), "房山区")
    add("=ROW()-2", "北京辰科技有限公司", codes["h"], "房山区")  # 序号 as a formula: its position stands
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def counts(suite) -> tuple[int, int, int, int]:
    with suite.db("registry").reader() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Enterprise, Certification, Outbox,
                                                                              AuditLog))


async def post(suite, content, name="messy.xlsx", ctype=XLSX, **params):
    r = await suite.client("registry").post("/api/v1/imports/recognition-lists", params=params,
                                            files={"file": (name, content, ctype)})
    assert r.status_code == 200, r.text
    return r.json()


def expected_report(future: dt.date, **over) -> dict:
    return {
        "rows": 16, "created": 8, "unchanged": 0, "skipped": 3,
        "skipped_rows": [
            {"row": 6, "reason": "所属区为“海淀区”，不是房山区 / district “海淀区” is not Fangshan"},
            {"row": 7, "reason": "所属区为空 / no district given"},
            {"row": 12, "reason": "与第 1 行重复（同一企业、称号、认定日期） / repeats row 1 (the same enterprise, "
                                  "title and date)"}],
        "rejected": [
            {"row": 8, "errors": [EXCEL_NUMBER]},
            {"row": 9, "errors": [EXCEL_NUMBER]},
            {"row": 10, "errors": [('企业名称为公式（=CONCAT("北京","癸科技有限公司")），不采用其缓存值；请复制后“粘贴为数值”'
                                    '再导入 / the 企业名称 cell holds a formula (=CONCAT("北京","癸科技有限公司")): its '
                                    'cached value is not taken; paste the column as values and import again')]},
            {"row": 11, "errors": [(f"认定日期 {future} 晚于今天（{today()}） / recognition date {future} is after "
                                    f"today ({today()})")]},
            {"row": 15, "errors": ["统一社会信用代码无效（校验位不符） / invalid USCC: check digit does not match"]}],
        "warnings": [{"row": 13, "reason": "所属乡镇“火星镇”无法识别，未采用（由此行新登记的企业不填乡镇） / township "
                                           "“火星镇” is not one of Fangshan's: not used (an enterprise this row "
                                           "registers gets none)"}],
        "enterprises_created": 8, "enterprises_changed": 0, "mode": "import", **over}


async def test_messy_list_preview_then_import(suite):
    codes = {k: make_uscc() for k in "abcdefh"} | {"g": digits_only_uscc()}
    future = today() + dt.timedelta(days=30)
    body = messy_workbook(codes, future)
    before = counts(suite)
    preview = await post(suite, body, dry_run="true")
    assert preview == expected_report(future, dry_run=True, applied=False)
    assert counts(suite) == before  # no enterprise, certification, event or audit row
    report = await post(suite, body)
    assert report == expected_report(future, dry_run=False, applied=True)
    econ = suite.client("registry")
    firms = {k: (await econ.get(f"/api/v1/enterprises/{u}")).json() for k, u in codes.items()}
    assert all(f["current_tier"] == "innovative" for f in firms.values()), firms
    assert firms["e"]["uscc"] == codes["e"]  # the full-width, lower-case, spaced code, normalised
    assert (firms["a"]["township"], firms["g"]["township"], firms["f"]["township"]) == ("良乡镇", "窦店镇", None)
    again = await post(suite, body, dry_run="true")
    assert (again["created"], again["unchanged"], again["enterprises_created"]) == (0, 8, 0)
    await suite.settled()


async def test_preview_as_a_form_field_and_as_a_job(suite):
    u = make_uscc()
    body = listgen.to_csv([[1, "北京预览科技有限公司", u, "房山区", "创新型中小企业", "2024年第一批", "2024-08-12"]])
    econ = suite.client("registry")
    before = counts(suite)
    r = await econ.post("/api/v1/imports/recognition-lists", data={"dry_run": "true"},
                        files={"file": ("l.csv", body, "text/csv")})
    assert r.status_code == 200 and (r.json()["created"], r.json()["dry_run"], r.json()["applied"]) == (1, True, False)
    r = await econ.post("/api/v1/import-jobs?dry_run=true", files={"file": ("l.csv", body, "text/csv")})
    assert r.status_code == 202 and r.json()["dry_run"] is True

    async def done():
        j = (await econ.get(r.headers["location"])).json()
        return j if j["state"] == "done" else None
    job = await suite.wait_for(done, "the preview job")
    assert (job["report"]["created"], job["applied"], job["report"]["dry_run"]) == (1, False, True)
    after = counts(suite)
    assert after[:3] == before[:3] and after[3] == before[3]  # only the job's own row is new
    assert (await econ.get(f"/api/v1/enterprises/{u}")).status_code == 404
    bad = await econ.post("/api/v1/imports/recognition-lists?mode=backfill", data={"mode": "import"},
                          files={"file": ("l.csv", body, "text/csv")})
    assert bad.status_code == 422 and bad.json()["type"].endswith("/conflicting-mode")
    assert (await econ.post("/api/v1/imports/recognition-lists?mode=later",
                            files={"file": ("l.csv", body, "text/csv")})).status_code == 422


async def test_legacy_xls(suite):
    report = await post(suite, (FIXTURES / "recognition-list.xls").read_bytes(), "名单.xls", "application/vnd.ms-excel")
    assert {k: report[k] for k in ("rows", "created", "skipped")} == {"rows": 4, "created": 2, "skipped": 1}
    assert report["rejected"] == [{"row": 2, "errors": [EXCEL_NUMBER]}]
    assert report["skipped_rows"][0]["row"] == 4 and "海淀区" in report["skipped_rows"][0]["reason"]
    firm = (await suite.client("registry").get("/api/v1/enterprises/91110111XLF0000014")).json()
    assert (firm["township"], firm["certifications"][0]["recognized_on"]) == ("良乡镇", "2023-12-05")
    assert firm["current_tier"] in ("municipal_srdi", "sme")  # 2023-12-05 + 3 years: held until 2026-12-04
    await suite.settled()


async def test_excel_unicode_text(suite):
    """Excel's "Save as Unicode text": UTF-16 LE with a BOM, tab-separated."""
    a, b = make_uscc(), make_uscc()
    lines = ["\t".join(HEADER), f"1\t北京统一码甲有限公司\t{a}\t房山区\t创新型中小企业\t2024年第一批\t2024/8/12\t琉璃河",
             f"2\t北京统一码乙有限公司\t{b}\t房山区\t专精特新中小企业\t2024年第一批\t2024年8月12日\t"]
    content = "\ufeff".encode("utf-16-le") + "\r\n".join(lines).encode("utf-16-le")
    assert content.startswith(b"\xff\xfe")
    report = await post(suite, content, "名单.txt", "text/plain")
    assert (report["rows"], report["created"], report["rejected"], report["skipped_rows"]) == (2, 2, [], [])
    firm = (await suite.client("registry").get(f"/api/v1/enterprises/{a}")).json()
    assert firm["township"] == "琉璃河镇"
    assert (await suite.client("registry").post("/api/v1/imports/recognition-lists", files={
        "file": ("x.txt", b"\xff\xfe\x00\xd8", "text/plain")})).status_code == 422  # a lone surrogate
    await suite.settled()


async def test_formula_cells_in_every_trusted_column_are_refused(suite):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(listgen.COLUMNS)
    u = make_uscc()
    ws.append([1, "北京公式科技有限公司", f'="{u}"', "房山区", "创新型中小企业", "2024年第一批", "2024-08-12"])
    ws.append([2, "北京公式科技有限公司", u, "房山区", "创新型中小企业", "2024年第一批", "=DATE(2024,8,12)"])
    buf = io.BytesIO()
    book.save(buf)
    report = await post(suite, buf.getvalue())
    assert report["created"] == 0 and [x["row"] for x in report["rejected"]] == [1, 2]
    assert report["rejected"][0]["errors"][0].startswith("统一社会信用代码为公式")
    assert report["rejected"][1]["errors"][0].startswith("认定日期为公式")
