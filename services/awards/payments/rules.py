"""Payment batches as data (pure): the payment system's file (its lines, the checksum trailer) and the
result file read back (which line, paid or returned, the voucher or the reason)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from shared.sheets import safe_cell

STATES = ("draft", "exported", "settled")
STATES_ZH = {"draft": "草稿", "exported": "已导出", "settled": "已办结"}
RESULTS_ZH = {"paid": "已支付", "returned": "已退回"}
HEADER = ["序号", "批次号", "奖励编号", "收款方名称", "开户行", "账号", "金额（元）", "用途"]
TRAILER = "合计"
# What the payment system may write in 结果 (case and spaces ignored).
RESULT_WORDS = {"paid": "paid", "成功": "paid", "已支付": "paid", "支付成功": "paid",
                "returned": "returned", "退回": "returned", "已退回": "returned", "退票": "returned"}
# The result file's columns, Chinese or English.
COLUMNS = {"序号": "seq", "seq": "seq", "奖励编号": "award_id", "award_id": "award_id", "结果": "result",
           "result": "result", "凭证号": "voucher", "voucher": "voucher", "退回原因": "reason", "reason": "reason"}


def number(year: int, batch_id: int) -> str:
    """批次号: ZF{year}-{id, 5 digits}."""
    return f"ZF{year}-{batch_id:05d}"


def checksum(rows: list[list]) -> str:
    """SHA-256 (hex) of the lines as the file holds them: each line's eight cells as text (after the
    formula guard), joined by `|`, the lines joined by a line feed, UTF-8."""
    text = "\n".join("|".join(str(safe_cell(c)) for c in row) for row in rows)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def trailer(batch_number: str, rows: list[list]) -> list:
    """The checksum line: 合计, the batch, the count, the sum in 元 and the SHA-256 of the lines."""
    return [TRAILER, batch_number, len(rows), "", "", "", sum(r[6] for r in rows), f"SHA-256:{checksum(rows)}"]


@dataclass
class ResultLine:
    line: int  # the file's line number (1 = its first line)
    seq: int | None
    award_id: int | None
    result: str | None  # paid, returned; None when the word is not one
    word: str
    voucher: str | None
    reason: str | None


def _int(value) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().lstrip("'")
    return int(text) if text.isdigit() and len(text) < 10 else None


def _text(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    return text.lstrip("'") or None


def read_rows(rows: list[list]) -> tuple[list[ResultLine], list[dict]]:
    """The result lines of a sheet: the first row naming 结果/result is the header (rows above it are
    skipped), blank rows and the 合计 line are skipped. Answers the lines and the errors (each with
    its line number)."""
    header_at, columns = None, {}
    for n, row in enumerate(rows):
        names = [str(c).strip().lower() if c is not None else "" for c in row]
        if "结果" in names or "result" in names:
            header_at = n
            columns = {COLUMNS[name]: i for i, name in enumerate(names) if name in COLUMNS}
            break
    if header_at is None:
        return [], [line_error(1, "找不到表头（须含“结果”列）", "no header row (it must name 结果 / result)", "no-header")]
    if "seq" not in columns and "award_id" not in columns:
        return [], [line_error(header_at + 1, "表头须含“奖励编号”或“序号”列", "the header must name 奖励编号 or 序号",
                               "no-header")]
    lines, errors = [], []
    for n, row in enumerate(rows[header_at + 1:], header_at + 2):
        cell = {k: row[i] if i < len(row) else None for k, i in columns.items()}
        if all(_text(v) is None for v in row) or _text(row[0] if row else None) == TRAILER:
            continue
        word = (_text(cell.get("result")) or "")
        lines.append(ResultLine(n, _int(cell.get("seq")), _int(cell.get("award_id")),
                                RESULT_WORDS.get(word.replace(" ", "").lower()), word,
                                _text(cell.get("voucher")), _text(cell.get("reason"))))
    if not lines and not errors:
        errors.append(line_error(header_at + 1, "结果文件没有任何结果行", "the result file has no result lines", "empty"))
    return lines, errors


def line_error(line: int, zh: str, en: str, code: str) -> dict:
    return {"loc": ["body"], "line": line, "msg": f"第 {line} 行：{zh} / line {line}: {en}", "type": code}
