"""Annual updates (年度数据更新) from a workbook: the file read into rows and each row checked. Pure:
bytes in, (row number, cells) out, then each row to an update or its reasons; no I/O.

Columns (the header may sit under title rows, within the first 10 rows; spaces inside a header
cell are ignored): 统一社会信用代码 (or 社会信用代码, 信用代码), 年度 (or 填报年度, 更新年度),
提交日期 (or 提交时间, 填报日期). Other columns are ignored. Files: XLSX, or CSV/text in UTF-8 (with or
without BOM), UTF-16 (Excel's "Unicode text", tab-separated) or GB18030. The row number is the row
as the spreadsheet shows it (the header's own row counts), so a person can find it."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass

from shared.errors import Problem
from shared.validators import reason_zh, uscc_error

COLUMNS = {"统一社会信用代码": ("统一社会信用代码", "社会信用代码", "信用代码"),
           "年度": ("年度", "填报年度", "更新年度"),
           "提交日期": ("提交日期", "提交时间", "填报日期")}
HEADER_SEARCH_ROWS = 10
DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?")
COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula: its cached value is not trusted (the row is refused)."""

    text: str


@dataclass(frozen=True)
class Update:
    uscc: str
    year: int
    submitted_on: dt.date


def read(filename: str, content: bytes):
    """Yield (row number, {column: cell}) of every data row, or raise a 422 problem for a file
    that cannot be read or has no header row."""
    if not content.strip():
        raise Problem(422, "empty-file", "文件为空", "The file is empty")
    if content[:4] == b"\xd0\xcf\x11\xe0":
        raise Problem(422, "unreadable-file", "不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后上传",
                      "Old Excel (.xls) files are not read here: save it as .xlsx or CSV")
    if filename.lower().endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
        return _table(_xlsx_rows(content))
    return _table(_text_rows(content))


def _xlsx_rows(content: bytes):
    import openpyxl

    try:  # formulas as written (data_only=False): a formula is flagged, never its cached text trusted
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as e:  # any unreadable workbook (zip, XML, ...) is the caller's input problem
        raise Problem(422, "unreadable-file", "无法读取该 XLSX 文件", f"The XLSX file cannot be read: {e}") from e
    try:
        rows = [[Formula(v) if isinstance(v, str) and v.startswith("=") else v for v in values]
                for values in book.active.iter_rows(values_only=True)]
    finally:
        book.close()
    return rows


def _text_rows(content: bytes):
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = content.decode("utf-16")
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("gb18030")
            except UnicodeDecodeError as e:
                raise Problem(422, "unreadable-file", "文件编码无法识别（需 UTF-8、UTF-16 或 GB18030）",
                              "The file is neither UTF-8, UTF-16 nor GB18030 text") from e
    if "\x00" in text:
        raise Problem(422, "unreadable-file", "文件不是文本表格（含空字符）",
                      "The file is not a text table (it contains NUL characters)")
    first = text.split("\n", 1)[0]
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter="\t" if "\t" in first else ","))
    except csv.Error as e:
        raise Problem(422, "unreadable-file", "CSV 格式错误（如引号未配对）", f"Malformed CSV: {e}") from e


def _name(v) -> str:
    return "".join(unicodedata.normalize("NFKC", str(v or "")).lstrip("\ufeff").split())


def _columns(values) -> dict[str, int] | None:
    """{column: index} when this row names every column, else None."""
    names = [_name(v) for v in values]
    found = {}
    for column, aliases in COLUMNS.items():
        at = next((i for i, n in enumerate(names) if n in aliases), None)
        if at is None:
            return None
        found[column] = at
    return found


def _blank(values) -> bool:
    return not any(str(v).strip() for v in values if v is not None)


def _table(rows):
    header = None
    for number, values in enumerate(rows, 1):
        if header is None:
            header = _columns(values)
            if header is None and number >= HEADER_SEARCH_ROWS:
                break
            continue
        if _blank(values) or _columns(values) == header:
            continue  # a blank line, or the header repeated
        yield number, {c: values[i] if i < len(values) else None for c, i in header.items()}
    if header is None:
        raise Problem(422, "bad-columns", f"找不到表头：前 {HEADER_SEARCH_ROWS} 行中没有一行包含"
                      f"“{'、'.join(COLUMNS)}”三列", f"No header row: none of the first {HEADER_SEARCH_ROWS} rows "
                      f"names the columns {', '.join(COLUMNS)}",
                      errors=[{"loc": ["file", c], "msg": "missing column", "type": "missing"} for c in COLUMNS],
                      required=list(COLUMNS))


# -- one row -----------------------------------------------------------------------------------------
def _text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return "".join(unicodedata.normalize("NFKC", str(v)).split()) if v is not None else ""


def _uscc(v) -> tuple[str | None, str | None]:
    if isinstance(v, int | float):
        return None, ("统一社会信用代码被存为数字（可能已丢失位数），请将该列设为文本 / the USCC is stored as a number "
                      "(digits may be lost): format the column as text")
    code = _text(v).upper()
    if not code:
        return None, "缺少统一社会信用代码 / the USCC is missing"
    if err := uscc_error(code):
        return None, f"统一社会信用代码无效：{reason_zh(err)} / invalid USCC: {err}"
    return code, None


def _year(v) -> tuple[int | None, str | None]:
    text = _text(v).removesuffix("年度").removesuffix("年")
    if not text.isascii() or not text.isdigit() or not 2000 <= int(text) <= 2100:
        return None, f"年度无效：{_text(v) or '空'} / the year is not a year from 2000 to 2100"
    return int(text), None


def _date(v) -> tuple[dt.date | None, str | None]:
    if isinstance(v, dt.datetime):
        return v.date(), None
    if isinstance(v, dt.date):
        return v, None
    if not isinstance(v, int | float):  # a bare number is no date (an Excel serial without a date format)
        raw = unicodedata.normalize("NFKC", str(v or "")).strip()
        m = DATE_TEXT.fullmatch(raw) or COMPACT_DATE.fullmatch(raw)
        if m:
            try:
                return dt.date(*(int(x) for x in m.groups())), None
            except ValueError:
                pass
    return None, f"提交日期无效：{_text(v) or '空'}（应为 2025-04-18 等） / the filing date is not a date (e.g. 2025-04-18)"


def check(cells: dict, today: dt.date) -> tuple[Update | None, list[str]]:
    """The row's update, or the reasons it is refused (every one of them, in column order)."""
    formulas = [c for c, v in cells.items() if isinstance(v, Formula)]
    if formulas:
        return None, [f"{c} 为公式，其值不可信，请粘贴为数值 / {c} holds a formula: paste it as a value" for c in formulas]
    uscc, e1 = _uscc(cells.get("统一社会信用代码"))
    year, e2 = _year(cells.get("年度"))
    submitted, e3 = _date(cells.get("提交日期"))
    errors = [e for e in (e1, e2, e3) if e]
    if submitted and submitted > today:
        errors.append(f"提交日期 {submitted} 晚于今天 / the filing date {submitted} is in the future")
    elif submitted and year and submitted.year != year:
        errors.append(f"提交日期 {submitted} 不在 {year} 年度内（年度即提交的年份） / the filing date is not in {year}, "
                      f"the year it is filed in")
    if errors:
        return None, errors
    return Update(uscc, year, submitted), []
