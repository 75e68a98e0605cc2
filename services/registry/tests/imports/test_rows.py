"""The pure row checks: district spellings, code normalisation, numbers and formulas, townships."""
import datetime as dt

import pytest

from services.registry.imports import rows
from shared import validators
from shared.testing import make_uscc

TODAY = dt.date(2026, 12, 2)


@pytest.mark.parametrize("text, ours", [
    ("房山区", True), ("房山", True), ("北京市房山区", True), ("北京房山", True), ("北京房山区", True),
    (" 房 山 区 ", True), ("\u3000房山\u3000", True), ("北京市\u3000房山区", True), ("房山区\u200b", True),
    ("海淀区", False), ("房山区良乡镇", False), ("", False), (None, False), ("北京市", False), ("燕山", False),
])
def test_district_spellings(text, ours):
    assert rows.is_district(text) is ours


def check(over: dict | None = None):
    cells = {"序号": "1", "企业名称": "北京示例科技有限公司", "统一社会信用代码": make_uscc(), "所属区": "房山区",
             "认定类型": "创新型中小企业", "批次": "2024年第一批", "认定日期": "2024-03-01", **(over or {})}
    return rows.check_list_row(1, cells, validators.uscc_error, TODAY)


def test_codes_are_normalised_and_numbers_refused():
    u = make_uscc()
    wide = "".join(chr(ord(c) + 0xFEE0) for c in u.lower())
    assert check({"统一社会信用代码": wide[:6] + " \u3000" + wide[6:]}).uscc == u
    assert check({"统一社会信用代码": rows.Number("911101110000000000")}) == [rows.EXCEL_NUMBER]
    for text in ("9.1110111E+17", "9.1110111e17", "911101110000000000.0"):
        assert check({"统一社会信用代码": text}) == [rows.EXCEL_NUMBER], text
    assert check({"认定日期": "２０２４年３月１日"}).recognized_on == dt.date(2024, 3, 1)


def test_formulas_refused_by_column_and_skips_say_why():
    got = check({"企业名称": rows.Formula("=A1"), "批次": rows.Formula("=B1")})
    assert [e.split("为公式")[0] for e in got] == ["企业名称", "批次"]
    assert check({"序号": rows.Formula("=ROW()-1")}).name == "北京示例科技有限公司"
    assert check({"所属区": "河北省涿州市"}) == rows.Skipped("所属区为“河北省涿州市”，不是房山区 / district "
                                                            "“河北省涿州市” is not Fangshan")
    assert check({"所属区": rows.Formula("=C1")})[0].startswith("所属区为公式")


def test_townships_mapped_or_warned():
    assert check({"所属乡镇": "良乡"}).township == "良乡镇"
    unknown = check({"所属乡镇": "火星镇"})
    assert unknown.township is None and "火星镇" in unknown.warnings[0]
    assert check({"所属乡镇": " "}).warnings == ()
