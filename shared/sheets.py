"""Spreadsheet exports (XLSX, CSV): text typed by people is never run as a formula."""
from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value, mark: str = "'"):
    """A text cell a spreadsheet would run as a formula (names, reasons, vouchers are typed by
    people) is exported behind `mark` (an apostrophe, shown as text; the finance list has used a
    space), so CSV/formula injection cannot run; openpyxl itself stores any string starting with
    "=" as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return mark + value
    return value
