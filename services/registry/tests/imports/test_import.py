"""Recognition-list import: spellings, date formats, districts, bad rows, re-import, XLSX."""
import datetime as dt
import io

import openpyxl
import pytest

from services.registry.imports import rows as rules
from shared import validators
from shared.testing import make_uscc, wrong_check

HEADER = "序号,企业名称,统一社会信用代码,所属区,认定类型,批次,认定日期\n"


@pytest.mark.parametrize("label, tier", [
    ("创新型中小企业", "innovative"), ("专精特新中小企业", "municipal_srdi"),
    ('北京市专精特新"小巨人"企业', "municipal_little_giant"), ("北京市专精特新“小巨人”企业", "municipal_little_giant"),
    ("专精特新“小巨人”企业", "national_little_giant"), ("制造业单项冠军企业", "single_champion"), ("优秀企业", None),
])
def test_tier_labels(label, tier):
    assert rules.tier_from_label(label) == tier


@pytest.mark.parametrize("text, ok", [("2024-03-01", True), ("2024年3月1日", True), ("2024/3/1", True),
                                      ("2024-02-30", False), ("3/1/2024", False), ("", False)])
def test_list_dates(text, ok):
    assert (rules.parse_list_date(text) is not None) == ok


def _row(**over):
    cells = {"序号": 1, "企业名称": "北京示例科技有限公司", "统一社会信用代码": make_uscc(), "所属区": "房山区",
             "认定类型": "创新型中小企业", "批次": "2024年第一批", "认定日期": "2024-03-01", **over}
    return rules.check_list_row(1, cells, validators.uscc_error, dt.date(2026, 12, 2))


def test_list_rows_dated_after_today_or_holding_control_characters_are_rejected():
    assert any("after today" in e for e in _row(**{"认定日期": "2026-12-03"}))
    assert any("U+0007" in e for e in _row(**{"企业名称": "北京\x07示例"}))
    assert _row(**{"企业名称": "北京示例\n科技有限公司", "批次": "x" * 80}).name == "北京示例 科技有限公司"
    assert _row(**{"批次": "x" * 80}).batch == "x" * 50


async def upload(suite, name, content, ctype="text/csv", role="econ"):
    return await suite.client("registry", role=role).post(
        "/api/v1/imports/recognition-lists", files={"file": (name, content, ctype)})


async def test_csv_import_report_and_reimport(suite):
    a, b = make_uscc(), make_uscc()
    broken = wrong_check(a)
    csv = (HEADER + f"1,北京甲科技有限公司,{a},房山区,北京市专精特新中小企业,2024年第一批,2024年8月12日\n"
           f"2,北京甲科技有限公司,{a},房山区,专精特新“小巨人”企业,2025年第一批,2025/6/18\n"
           f"3,海淀乙公司,{make_uscc('110108')},海淀区,创新型中小企业,2024年第一批,2024-08-12\n"
           f"4,北京丙有限公司,{broken},房山区,创新型中小企业,2024年第一批,2024-08-12\n"
           f"5,北京丁有限公司,{b},房山区,不存在的类型,2024年第一批,2024-13-12\n")
    r = await upload(suite, "list.csv", ("\ufeff" + csv).encode())
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["created"], report["skipped"], report["unchanged"]) == (2, 1, 0)
    assert [x["row"] for x in report["rejected"]] == [4, 5] and len(report["rejected"][1]["errors"]) == 2
    firm = (await suite.client("registry").get(f"/api/v1/enterprises/{a}")).json()
    assert [c["tier"] for c in firm["certifications"]] == ["municipal_srdi", "national_little_giant"]
    assert firm["certifications"][0]["source"] == "municipal_list"
    again = (await upload(suite, "list.csv", csv.encode())).json()
    assert (again["created"], again["unchanged"]) == (0, 2)


async def test_xlsx_import_and_bad_files(suite):
    u = make_uscc()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "企业名称", "统一社会信用代码", "所属区", "认定类型", "批次", "认定日期"])
    sheet.append([1, "北京戊科技有限公司", u, "房山区", "创新型中小企业", "2023年第二批", "2023年12月5日"])
    buf = io.BytesIO()
    book.save(buf)
    r = await upload(suite, "list.xlsx", buf.getvalue(),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert r.status_code == 200 and r.json()["created"] == 1
    assert (await upload(suite, "x.csv", b"a,b\n1,2\n")).status_code == 422  # missing columns
    assert (await upload(suite, "x.xlsx", b"PK\x03\x04garbage")).status_code == 422
    assert (await upload(suite, "x.csv", b"\xff\xfe\x00garbage\x81")).status_code in (200, 422)
    assert (await upload(suite, "list.csv", HEADER.encode(), role="treasury")).status_code == 403
    r = await suite.client("registry").post("/api/v1/imports/recognition-lists")
    assert r.status_code == 422
    await suite.settled()  # stop the module's suite with no events in flight
