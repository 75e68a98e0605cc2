"""Checks of values the suite accepts: the check digits of identity numbers, and codes from a
vocabulary (a listing board, a notice channel)."""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
FANGSHAN_DIVISION = "110111"


def uscc_check_char(body17: str) -> str:
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(body17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


# The reasons below in Chinese, for the Chinese half of every message that carries one.
REASON_ZH = {
    "check digit does not match": "校验位不符",
    "length must be 18": "长度应为 18 位",
    "characters outside 0-9 and A-Y (no I, O, S, V, Z)": "含有 0–9、A–Y 以外的字符（不含 I、O、S、V、Z）",
    "17 digits and a digit or X expected": "应为 17 位数字加 1 位数字或 X",
    "birth date is not a date": "出生日期无效",
    "six digits expected": "应为 6 位数字",
    "no such province-level division": "省级行政区划代码不存在",
}


# GB/T 2260: the first two digits of a division code name the province-level division.
PROVINCES = frozenset({"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
                       "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
                       "65", "71", "81", "82"})
BEIJING = "11"


def division_error(code: str) -> str | None:
    """Why `code` is not a GB/T 2260 administrative-division code (six digits, a province first)."""
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return "six digits expected"
    if code[:2] not in PROVINCES:
        return "no such province-level division"
    return None


def outside_beijing(code: str | None) -> bool:
    """An origin outside Beijing by its division code (not by how its name is written)."""
    return bool(code) and division_error(code) is None and code[:2] != BEIJING


def reason_zh(reason: str) -> str:
    return REASON_ZH.get(reason, reason)


def uscc_error(code: str) -> str | None:
    """Why a 统一社会信用代码 (GB 32100-2015) is invalid, or None when it is valid."""
    if not isinstance(code, str) or len(code) != 18:
        return "length must be 18"
    return _uscc_error(code)


@functools.lru_cache(maxsize=65536)
def _uscc_error(code: str) -> str | None:
    """Remembered for the codes seen last: every event's record, payload and audit row checks its
    enterprise's code again (issue 15: 4 % of an import's job)."""
    if any(c not in USCC_CHARS for c in code):
        return "characters outside 0-9 and A-Y (no I, O, S, V, Z)"
    if uscc_check_char(code[:17]) != code[17]:
        return "check digit does not match"
    return None


def resident_id_error(number: str) -> str | None:
    """Why a resident ID (GB 11643-1999) is invalid, or None when it is valid."""
    if not isinstance(number, str) or len(number) != 18:
        return "length must be 18"
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return "17 digits and a digit or X expected"
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "birth date is not a date"
    if ID_CHECK[sum(int(c) * w for c, w in zip(number[:17], ID_WEIGHTS)) % 11] != number[17]:
        return "check digit does not match"
    return None


def resident_id_facts(number: str) -> tuple[dt.date, str]:
    """Birth date and gender ("male"/"female") carried by a valid resident ID."""
    born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return born, ("male" if int(number[16]) % 2 else "female")


def code_error(value: Any, codes: Mapping[str, str]) -> tuple[str, str] | None:
    """Why a coded value is refused (Chinese, English), or None. A text is one code; a list is one
    or more codes, none twice; a table's values are codes (its keys stay those of its current version)."""
    if isinstance(value, dict):
        found = list(value.values())
    elif isinstance(value, list):
        found = value
        if not found:
            return "至少须有一项", "must hold at least one code"
        if len(set(map(repr, found))) < len(found):
            return "同一代码不能出现两次", "must not hold a code twice"
    else:
        found = [value]
    unknown = [v for v in found if not isinstance(v, str) or v not in codes]
    if not unknown:
        return None
    said = "、".join(f"{code}（{name}）" for code, name in codes.items())
    return (f"含有未知代码 {'、'.join(map(str, unknown))}；可用代码：{said}",
            f"holds an unknown code ({', '.join(map(str, unknown))}); the codes are {', '.join(codes)}")


def whole_number_error(value: Any, least: int, most: int) -> tuple[str, str] | None:
    """Why a counted value is refused (Chinese, English), or None: a whole number from `least` to
    `most`, or a table of them."""
    found = list(value.values()) if isinstance(value, dict) else [value]
    if all(isinstance(v, int) and not isinstance(v, bool) and least <= v <= most for v in found):
        return None
    return f"须为 {least} 至 {most} 的整数", f"must be a whole number from {least} to {most}"
