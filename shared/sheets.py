"""Spreadsheet exports (XLSX, CSV): text typed by people is never run as a formula, and no stored
text can break the file."""
from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What an XLSX (XML 1.0) cell cannot hold — C0 controls but tab, LF and CR (openpyxl raises
# IllegalCharacterError), lone surrogates (not encodable), U+FFFE/U+FFFF — and DEL/C1 controls,
# which nobody means. Text stored before the API refused them, or that came in by an import or an
# event, must not turn an export into a 500 for everyone: each is shown as U+FFFD instead.
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def safe_cell(value, mark: str = "'"):
    """A text cell a spreadsheet would run as a formula (names, reasons, vouchers are typed by
    people) is exported behind `mark` (an apostrophe, shown as text; the finance list has used a
    space), so CSV/formula injection cannot run; openpyxl itself stores any string starting with
    "=" as a formula. Characters a cell cannot hold become U+FFFD."""
    if isinstance(value, str):
        value = UNWRITABLE.sub("\ufffd", value)
        if value.startswith(FORMULA_START):
            return mark + value
    return value


def safe_row(values, mark: str = "'") -> list:
    """A row for `ws.append`: every cell through safe_cell."""
    return [safe_cell(v, mark) for v in values]
