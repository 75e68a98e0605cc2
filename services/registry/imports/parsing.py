"""Recognition-list files: CSV or tab-separated text (UTF-8 with or without BOM, GB18030, or
Excel's "Unicode text": UTF-16 with a BOM), XLSX (openpyxl) and legacy XLS, XLSB and ODS
(python-calamine), and the header row found among title rows. Pure: bytes in, (row number,
cells) out, or a 422 problem.

Cells are text. Two kinds are marked (rows.Number, rows.Formula) so the row checks can refuse
what cannot be trusted: a code a workbook stored as a number, and a formula (XLSX is read with
its formulas, not their cached values; calamine exposes no formulas, so an XLS formula's cached
value reads as text — said in the README)."""
import csv
import datetime as dt
import io
import unicodedata

from services.registry.imports.rows import TOWNSHIP_COLUMN, Formula, Number
from shared.errors import Problem

LIST_COLUMNS = ("序号", "企业名称", "统一社会信用代码", "所属区", "认定类型", "批次", "认定日期")
REQUIRED_COLUMNS = tuple(c for c in LIST_COLUMNS if c != "序号")
HEADER_SEARCH_ROWS = 10  # title rows, merged group headers and notes above the header row
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a legacy .xls (and an encrypted workbook)
CALAMINE_SUFFIXES = (".xls", ".xlsb", ".ods")


def _header_name(v) -> str:
    # spaces and line breaks inside a cell; full-width brackets as ASCII
    return "".join(unicodedata.normalize("NFKC", str(v or "")).lstrip("\ufeff").split())


# Other spellings of an optional column, by their header name as read.
COLUMN_ALIASES = {_header_name(k): TOWNSHIP_COLUMN for k in (
    "所属乡镇", "乡镇", "所属乡镇（街道）", "乡镇（街道）", "所属乡镇街道", "乡镇街道", "所属街乡", "街乡", "所在乡镇",
    "所在乡镇（街道）", "所属街道（乡镇）")}


def read_list_file(filename: str, content: bytes):
    """Yield (row number, {column: value}) from a list file. The header is the first row naming
    every column (title rows above it are passed over); blank rows and repeated header rows are
    ignored. The row number is 序号, else the position."""
    if not content.strip():
        raise Problem(422, "empty-file", "文件为空", "The file is empty")
    name = filename.lower()
    if content.startswith(OLE2) or name.endswith(CALAMINE_SUFFIXES):
        yield from _table(_calamine_rows(content))
        return
    if name.endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
        yield from _table(_xlsx_rows(content))
        return
    text = _decode(content)
    if "\x00" in text:
        raise Problem(422, "unreadable-file", "文件不是文本表格（含空字符）",
                      "The file is not a text table (it contains NUL characters)")
    head = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
    delimiter = "\t" if head.count("\t") > head.count(",") else ","  # Excel's "Unicode text" is tab-separated
    try:
        yield from _table(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as e:
        raise Problem(422, "unreadable-file", "CSV 格式错误（如引号未配对）", f"Malformed CSV: {e}") from e


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" (UTF-16 with a BOM)
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as e:
            raise Problem(422, "unreadable-file", "UTF-16 文本无法解码", "The UTF-16 text cannot be decoded") from e
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return content.decode("gb18030")  # lists saved by Excel on a Chinese Windows
        except UnicodeDecodeError as e:
            raise Problem(422, "unreadable-file", "文件编码无法识别（需 UTF-8、GB18030 或 UTF-16）",
                          "The file is neither UTF-8, GB18030 nor UTF-16 text") from e


def _xlsx_rows(content: bytes):
    import openpyxl

    try:  # data_only=False: a formula is read as a formula, never as the value Excel cached
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as e:  # noqa: BLE001 - any unreadable workbook (zip, XML, ...) is the caller's input problem
        raise Problem(422, "unreadable-file", "无法读取该 XLSX 文件", f"The XLSX file cannot be read: {e}") from e
    try:
        for cells in book.active.iter_rows():
            yield [_xlsx_cell(c) for c in cells]
    finally:
        book.close()


def _xlsx_cell(c) -> str:
    if getattr(c, "data_type", None) == "f":
        return Formula(getattr(c.value, "text", c.value))  # an ArrayFormula keeps its text in .text
    return _cell(c.value)


def _calamine_rows(content: bytes):
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = book.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as e:  # noqa: BLE001 - a damaged or encrypted workbook is the caller's input problem
        raise Problem(422, "unreadable-file", "无法读取该工作簿（XLS、XLSB 或 ODS）",
                      f"The workbook (XLS, XLSB or ODS) cannot be read: {e}") from e
    for values in rows:
        yield [_cell(v) for v in values]


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, dt.datetime | dt.date):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, int | float):  # marked: a code stored as a number has lost its digits
        return Number(str(int(v)) if isinstance(v, int) or v.is_integer() else str(v))
    return str(v)


def _table(rows):
    header: list[str] | None = None
    best: list[str] = []
    looked = 0
    position = 0
    for values in rows:
        if not any(str(v or "").strip() for v in values):
            continue  # a blank line
        if header is None:
            names = [_column(v) for v in values]
            if all(c in names for c in REQUIRED_COLUMNS):
                header = names
                continue
            if sum(c in names for c in REQUIRED_COLUMNS) > sum(c in best for c in REQUIRED_COLUMNS):
                best = names
            looked += 1
            if looked >= HEADER_SEARCH_ROWS:
                break
            continue
        if values and _column(values[0]) == header[0] and [_column(v) for v in values[:len(header)]] == header:
            continue  # the header repeated (lists pasted together)
        position += 1
        cells = {k: v for k, v in zip(header, values) if k}
        yield _row_number(cells, position), cells
    if header is None:
        _bad_columns(best)


def _column(v) -> str:
    name = _header_name(v)
    return COLUMN_ALIASES.get(name, name)


def _bad_columns(best: list[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in best]
    found = [c for c in best if c]
    raise Problem(422, "bad-columns",
                  f"找不到表头：前 {HEADER_SEARCH_ROWS} 行中没有一行包含全部必需列；缺少列：{'、'.join(missing)}",
                  f"No header row: none of the first {HEADER_SEARCH_ROWS} rows names every required column; "
                  f"missing: {', '.join(missing)}",
                  errors=[{"loc": ["file", c], "msg": "missing column", "type": "missing"} for c in missing],
                  required=list(REQUIRED_COLUMNS), found=found)


def _row_number(cells: dict, position: int) -> int:
    number = cells.get("序号")
    if isinstance(number, Formula):  # =ROW()-1 and the like: the position is what it shows
        return position
    try:
        return int(float(str(number).strip()))
    except (TypeError, ValueError, OverflowError):
        return position
