"""Recognition-list files: CSV (UTF-8 with or without BOM, or GB18030) and XLSX readers, and the
header row found among title rows. Pure: bytes in, (row number, cells) out, or a 422 problem."""
import csv
import datetime as dt
import io

from shared.errors import Problem

LIST_COLUMNS = ("序号", "企业名称", "统一社会信用代码", "所属区", "认定类型", "批次", "认定日期")
REQUIRED_COLUMNS = tuple(c for c in LIST_COLUMNS if c != "序号")
HEADER_SEARCH_ROWS = 10  # title rows, merged group headers and notes above the header row


def read_list_file(filename: str, content: bytes):
    """Yield (row number, {column: value}) from a CSV (UTF-8 with or without BOM, or GB18030) or
    XLSX. The header is the first row naming every column (title rows above it are passed over);
    blank rows and repeated header rows are ignored. The row number is 序号, else the position."""
    if not content.strip():
        raise Problem(422, "empty-file", "文件为空", "The file is empty")
    if filename.lower().endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
        yield from _table(_xlsx_rows(content))
        return
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")  # lists saved by Excel on a Chinese Windows
        except UnicodeDecodeError as e:
            raise Problem(422, "unreadable-file", "文件编码无法识别（需 UTF-8 或 GB18030）",
                          "The file is neither UTF-8 nor GB18030 text") from e
    if "\x00" in text:
        raise Problem(422, "unreadable-file", "文件不是文本表格（含空字符）",
                      "The file is not a text table (it contains NUL characters)")
    try:
        yield from _table(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        raise Problem(422, "unreadable-file", "CSV 格式错误（如引号未配对）", f"Malformed CSV: {e}") from e


def _xlsx_rows(content: bytes):
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - any unreadable workbook (zip, XML, ...) is the caller's input problem
        raise Problem(422, "unreadable-file", "无法读取该 XLSX 文件", f"The XLSX file cannot be read: {e}") from e
    try:
        for values in book.active.iter_rows(values_only=True):
            yield [_cell(v) for v in values]
    finally:
        book.close()


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime | dt.date):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _header_name(v) -> str:
    return "".join(str(v or "").lstrip("\ufeff").split())  # spaces and line breaks inside a cell


def _table(rows):
    header: list[str] | None = None
    best: list[str] = []
    looked = 0
    position = 0
    for values in rows:
        if not any(str(v or "").strip() for v in values):
            continue  # a blank line
        if header is None:
            names = [_header_name(v) for v in values]
            if all(c in names for c in REQUIRED_COLUMNS):
                header = names
                continue
            if sum(c in names for c in REQUIRED_COLUMNS) > sum(c in best for c in REQUIRED_COLUMNS):
                best = names
            looked += 1
            if looked >= HEADER_SEARCH_ROWS:
                break
            continue
        if [_header_name(v) for v in values[:len(header)]] == header:
            continue  # the header repeated (lists pasted together)
        position += 1
        cells = {k: v for k, v in zip(header, values) if k}
        yield _row_number(cells, position), cells
    if header is None:
        _bad_columns(best)


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
    try:
        return int(float(str(cells.get("序号")).strip()))
    except (TypeError, ValueError, OverflowError):
        return position
