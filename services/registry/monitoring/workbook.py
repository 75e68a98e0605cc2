"""Reading a monthly operating-data workbook: the suite's reader (imports/parsing.py: XLSX, XLS,
XLSB, ODS, CSV / tab text in UTF-8, GB18030 or UTF-16) with this file's own header, then every row
checked. Pure: bytes in, (rows, row problems) out, or a 422 for a file or header that cannot be read."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata

from services.registry.imports import parsing
from services.registry.imports.rows import Formula, Number
from services.registry.monitoring import rules
from shared.errors import Problem
from shared.validators import reason_zh, uscc_error

COLUMNS = {"统一社会信用代码": "uscc", "月份": "month", "营业收入(元)": "revenue_yuan", "研发费用(元)": "rd_spend_yuan",
           "从业人数": "employees", "新增专利": "new_patents"}  # header names as read (full-width brackets as ASCII)
SHOWN = {"revenue_yuan": ("营业收入（元）", "revenue"), "rd_spend_yuan": ("研发费用（元）", "R&D spend"),
         "employees": ("从业人数", "employees"), "new_patents": ("新增专利", "new patents")}
LIMITS = {"revenue_yuan": 10**13, "rd_spend_yuan": 10**13, "employees": 10**7, "new_patents": 10**7}
MONTH_FORMS = (re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$"), re.compile(r"^(\d{4})-(\d{2})-\d{2}$"),
               re.compile(r"^(\d{4})(\d{2})$"))
MAX_ROWS = 20_000


def _cells(filename: str, content: bytes):
    if not content.strip():
        raise Problem(422, "empty-file", "文件为空", "The file is empty")
    name = filename.lower()
    if content.startswith(parsing.OLE2) or name.endswith(parsing.CALAMINE_SUFFIXES):
        return parsing._calamine_rows(content)
    if name.endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
        return parsing._xlsx_rows(content)
    text = parsing._decode(content)
    head = "\n".join(text.splitlines()[:parsing.HEADER_SEARCH_ROWS])
    return csv.reader(io.StringIO(text, newline=""), delimiter="\t" if head.count("\t") > head.count(",") else ",")


def _month(v) -> str | None:
    text = str(v).strip()
    for form in MONTH_FORMS:
        if m := form.match(text):
            month = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
            return month if rules.parse_month(month) else None
    return None


def _whole(v) -> int | None:
    if isinstance(v, Formula):
        return None
    # full-width digits fold to ASCII (NFKC); other scripts' digits are not a workbook's numbers
    text = unicodedata.normalize("NFKC", str(v)).strip().replace(",", "")
    return int(text) if re.fullmatch(r"[0-9]+", text) else None


def read(filename: str, content: bytes, today: dt.date) -> tuple[list[dict], list[dict]]:
    """(good rows, problems); each row numbered as the spreadsheet shows it."""
    header: list[str] | None = None
    rows, problems = [], []
    seen: dict[tuple[str, str], int] = {}
    try:
        for number, values in enumerate(_cells(filename, content), 1):
            if not any(str(v or "").strip() for v in values):
                continue
            if header is None:
                names = [parsing._header_name(v) for v in values]
                if all(c in names for c in COLUMNS):
                    header = [COLUMNS.get(n, "") for n in names]
                elif number >= parsing.HEADER_SEARCH_ROWS:
                    break
                continue
            cells = {k: v for k, v in zip(header, values) if k}
            if len(rows) + len(problems) >= MAX_ROWS:
                raise Problem(422, "too-many-rows", f"超过 {MAX_ROWS} 行", f"More than {MAX_ROWS} rows")
            zh, en, row = [], [], {"row": number}
            raw_uscc = cells.get("uscc", "")
            uscc = str(raw_uscc or "").strip().upper()
            if isinstance(raw_uscc, Number | Formula):
                zh.append("统一社会信用代码须为文本（不能是数字或公式）")
                en.append("the USCC must be text, not a number or a formula")
            elif err := uscc_error(uscc):
                zh.append(f"统一社会信用代码无效：{reason_zh(err)}")
                en.append(f"invalid USCC: {err}")
            month = _month(cells.get("month", ""))
            if month is None:
                zh.append("月份应为 YYYY-MM")
                en.append("the month must be YYYY-MM")
            elif month > rules.month_of(today):
                zh.append(f"月份 {month} 不能晚于本月")
                en.append(f"the month {month} is in the future")
            elif month < rules.FIRST_MONTH:
                zh.append(f"月份 {month} 不能早于 {rules.FIRST_MONTH}")
                en.append(f"the month {month} is before {rules.FIRST_MONTH}")
            for key, (col_zh, col_en) in SHOWN.items():
                n = _whole(cells.get(key, ""))
                if n is None or n > LIMITS[key]:
                    zh.append(f"{col_zh}须为不超过 {LIMITS[key]} 的非负整数")
                    en.append(f"{col_en} must be a whole number from 0 to {LIMITS[key]}")
                row[key] = n
            if not zh and (uscc, month) in seen:
                zh.append(f"与第 {seen[(uscc, month)]} 行重复（同一企业同一月份）")
                en.append(f"repeats row {seen[(uscc, month)]} (the same enterprise and month)")
            row.update(uscc=uscc, month=month)
            if zh:
                problems.append({"row": number, "uscc": uscc or None, "month": month,
                                 "reasons_zh": zh, "reasons_en": en})
            else:
                seen[(uscc, month)] = number
                rows.append(row)
    except csv.Error as e:
        raise Problem(422, "unreadable-file", "CSV 格式错误（如引号未配对）", f"Malformed CSV: {e}") from e
    if header is None:
        missing = "、".join(COLUMNS)
        raise Problem(422, "bad-columns", f"找不到表头：需包含列 {missing}",
                      "No header row naming every column: 统一社会信用代码, 月份, 营业收入（元）, 研发费用（元）, 从业人数, 新增专利",
                      errors=[{"loc": ["file"], "msg": "missing columns", "type": "missing"}])
    return rows, problems
