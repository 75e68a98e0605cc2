"""Spreadsheet exports (XLSX, CSV), written once for every service: text typed by people is never
run as a formula, and no stored text can break the file.

    body = sheets.xlsx(Sheet("服务名单", ["统一社会信用代码", "企业名称"], rows, widths=(22, 40)))
    return sheets.download(body, "xlsx", "service-list")
"""
from __future__ import annotations

import csv as _csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from fastapi.responses import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
MEDIA_TYPES = {"xlsx": XLSX, "csv": CSV}
# For a route's `responses=`: the OpenAPI says a download is a file, not JSON.
XLSX_ANSWER = {200: {"description": "XLSX 文件 / an XLSX workbook", "content": {XLSX: {"schema": {
    "type": "string", "format": "binary"}}}}}
CSV_ANSWER = {200: {"description": "CSV 文件（UTF-8，带 BOM） / a CSV file (UTF-8 with BOM)", "content": {
    "text/csv": {"schema": {"type": "string", "format": "binary"}}}}}
FILE_ANSWER = {200: {"description": "XLSX 或 CSV 文件 / an XLSX or CSV file", "content": {
    XLSX: {"schema": {"type": "string", "format": "binary"}},
    "text/csv": {"schema": {"type": "string", "format": "binary"}}}}}

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What an XLSX (XML 1.0) cell cannot hold — C0 controls but tab, LF and CR (openpyxl raises
# IllegalCharacterError), lone surrogates (not encodable), U+FFFE/U+FFFF — and DEL/C1 controls,
# which nobody means. Text stored before the API refused them, or that came in by an import or an
# event, must not turn an export into a 500 for everyone: each is shown as U+FFFD instead.
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def safe_cell(value, mark: str = "'"):
    """A text cell a spreadsheet would run as a formula (names, reasons, vouchers are typed by
    people) is exported behind `mark` (an apostrophe, shown as text), so CSV/formula injection
    cannot run; openpyxl itself stores any string starting with "=" as a formula. Characters a cell
    cannot hold become U+FFFD."""
    if isinstance(value, str):
        value = UNWRITABLE.sub("\ufffd", value)
        if value.startswith(FORMULA_START):
            return mark + value
    return value


def safe_row(values, mark: str = "'") -> list:
    """A row for `ws.append`: every cell through safe_cell."""
    return [safe_cell(v, mark) for v in values]


@dataclass
class Sheet:
    """One worksheet: an optional title line above the header, the header, the rows, and column widths."""

    name: str
    header: Sequence[str]
    rows: Iterable[Sequence] = ()
    widths: Sequence[int] = ()
    heading: str | None = None  # a bold line above the header (a report's title)
    footer: Sequence[str] = field(default_factory=tuple)  # lines below the rows (a report's text)


def xlsx(*sheets: Sheet) -> bytes:
    """A workbook of the given sheets; every cell goes through safe_cell."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet.name[:31])  # Excel's limit on a sheet name
        if sheet.heading:
            ws.append([safe_cell(sheet.heading)])
            ws.cell(1, 1).font = Font(bold=True)
        ws.append(safe_row(sheet.header))
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append(safe_row(row))
        if sheet.footer:
            ws.append([])
            for line in sheet.footer:
                ws.append([safe_cell(line)])
        for n, width in enumerate(sheet.widths, 1):
            ws.column_dimensions[get_column_letter(n)].width = width
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def csv(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a BOM, so that spreadsheet programs read the Chinese right; every cell through safe_cell."""
    buf = io.StringIO()
    writer = _csv.writer(buf)
    writer.writerow(safe_row(header))
    writer.writerows(safe_row(r) for r in rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def download(body: bytes, kind: str, filename: str) -> Response:
    """A file answer: `kind` is "xlsx" or "csv"; `filename` without its extension (may be Chinese:
    RFC 6266 `filename*` carries it, `filename` an ASCII fallback)."""
    name = f"{filename}.{kind}"
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return Response(body, media_type=MEDIA_TYPES[kind], headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"})
