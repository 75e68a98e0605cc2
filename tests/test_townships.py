"""Fangshan's towns and streets as data: every variant people write maps to one unit, or to none."""
from __future__ import annotations

from datetime import date

import pytest

from shared.townships import TOWNSHIPS, UNCONFIRMED, Township, by_code, canonical, names, valid_on

VARIANTS = [
    ("良乡", "良乡镇"),
    ("良乡镇", "良乡镇"),
    ("良乡地区", "良乡镇"),
    ("良乡地区办事处", "良乡镇"),
    ("良鄉鎮", "良乡镇"),
    ("房山区窦店镇", "窦店镇"),
    ("北京市房山区窦店镇", "窦店镇"),
    ("北京房山窦店", "窦店镇"),
    ("窦店", "窦店镇"),
    ("窦\u3000店", "窦店镇"),
    ("  窦店镇 ", "窦店镇"),
    ("闫村镇", "阎村镇"),
    ("阎村", "阎村镇"),
    ("周口店地区", "周口店镇"),
    ("琉璃河", "琉璃河镇"),
    ("长阳镇人民政府", "长阳镇"),
    ("新镇", "新镇街道"),
    ("新镇街道", "新镇街道"),
    ("城关街道办事处", "城关街道"),
    ("拱辰", "拱辰街道"),
    ("西潞街道", "西潞街道"),
    ("霞云岭", "霞云岭乡"),
    ("蒲洼乡", "蒲洼乡"),
    ("燕山", "燕山地区"),
    ("燕山街道", "燕山地区"),
    ("燕山地区办事处", "燕山地区"),
    ("燕山迎风街道", "迎风街道"),
    ("燕山星城", "星城街道"),
    ("110111102", "窦店镇"),
    ("110111008000", "良乡镇"),
]


@pytest.mark.parametrize(("text", "name"), VARIANTS)
def test_variants_map_to_one_unit(text: str, name: str) -> None:
    found = canonical(text)
    assert found is not None and found.name == name


@pytest.mark.parametrize("text", [None, "", "   ", "房山", "房山区", "北京市", "良", "海淀区", "中关村",
                                  "朝阳区望京街道", "110108001", "ABC", "镇"])
def test_unknown_text_maps_to_none(text: str | None) -> None:
    assert canonical(text) is None


def test_the_list_has_the_district_units_once_each() -> None:
    kinds = [t.kind for t in TOWNSHIPS]
    assert (kinds.count("街道"), kinds.count("镇"), kinds.count("乡"), kinds.count("地区")) == (8, 14, 6, 1)
    assert len({t.name for t in TOWNSHIPS}) == len(TOWNSHIPS)
    coded = [t.code for t in TOWNSHIPS if t.code]
    assert len(set(coded)) == len(coded) == 28
    assert all(c.startswith("110111") and len(c) == 9 and c.isdigit() for c in coded)
    # the kind digit of GB/T 10114: 0 street office (and the 地区 of a town), 1 town, 2 township
    assert all(t.code[6] == "2" for t in TOWNSHIPS if t.kind == "乡")
    assert UNCONFIRMED and "110111001" not in UNCONFIRMED


def test_the_list_is_dated() -> None:
    assert canonical("窦店", on=date(2019, 1, 1)) is None
    assert canonical("窦店", on=date(2024, 1, 1)).name == "窦店镇"
    assert valid_on(date(2019, 1, 1)) == ()
    assert len(names(date(2025, 1, 1))) == 29
    assert by_code("110111011").name == "拱辰街道"
    assert by_code("") is None


def test_a_unit_that_ended_is_not_valid_after() -> None:
    ended = Township("110111999", "试验镇", "镇", date(2020, 1, 1), date(2023, 1, 1))
    assert ended.valid_on(date(2022, 12, 31)) and not ended.valid_on(date(2023, 1, 1))
    assert ended.base == "试验"


def test_today_is_the_districts_day(monkeypatch) -> None:
    """With no date, the units of the district's day (Asia/Shanghai, shared.clock), not the host's:
    between 16:00 and 24:00 UTC they differ, and every other date in the suite is Shanghai's."""
    from shared import clock
    monkeypatch.setattr(clock, "today", lambda: date(2019, 1, 1))  # before the list is vouched for
    assert valid_on() == () and canonical("窦店") is None
