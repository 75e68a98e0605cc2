"""Pure checks of a recognition-list row (an uploaded file's or the municipal platform's). No I/O.

A row is valid (ListRow), skipped with its reason (another district, a repeat of an earlier row),
or rejected with its reasons. Nothing is dropped without its row number: what people write is
normalised first (district spellings, full-width codes), and what cannot be trusted (a code Excel
stored as a number, a formula's cached value) is refused with a reason they can act on."""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

from shared import townships
from shared.schemas import CONTROL
from shared.validators import reason_zh

# -- the municipal platform's recognition lists (名单公示; ../data/README.md) ------------------
DISTRICT = "房山区"
# Spellings of 认定类型, compared with quotes and spaces removed.
TIER_LABELS = {
    "创新型中小企业": "innovative",
    "科技和创新型中小企业": "innovative",
    "北京市专精特新中小企业": "municipal_srdi",
    "专精特新中小企业": "municipal_srdi",
    "北京市专精特新小巨人企业": "municipal_little_giant",
    "国家级专精特新小巨人企业": "national_little_giant",
    "专精特新小巨人企业": "national_little_giant",  # no prefix: the national list
    "制造业单项冠军企业": "single_champion",
    "制造业单项冠军示范企业": "single_champion",
}
_QUOTES = str.maketrans("", "", "\"'“”‘’＂ 　")
_DATE = re.compile(r"^\s*(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*日?\s*$")
TOWNSHIP_COLUMN = "所属乡镇"  # optional; its other spellings are parsing.COLUMN_ALIASES
# A code Excel turned into a number and back into text: 9.1110111E+17, 911101110000000000.0.
_NUMBER_TEXT = re.compile(r"^\d+(\.\d+)?[eE][+-]?\d+$|^\d+\.\d+$")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


class Number(str):
    """A cell a workbook stored as a number (its text as read): a code held so has lost digits."""


class Formula(str):
    """A cell holding a formula (its text): the value cached beside it is not taken as data."""


def folded(text) -> str:
    """NFKC (full-width letters, digits and the ideographic space to ASCII), without any spaces."""
    text = str(text or "")
    if text.isascii():  # the common case, and NFKC would change nothing
        return "".join(text.split())
    return "".join(unicodedata.normalize("NFKC", text).translate(_INVISIBLE).split())


def is_district(text) -> bool:
    """房山, 房山区, 北京市房山区, 北京房山, with spaces or full-width spaces."""
    if text == DISTRICT:
        return True
    t = folded(text)
    for prefix in ("北京市", "北京"):
        if t.startswith(prefix):
            t = t[len(prefix):]
            break
    return t.removesuffix("区") == DISTRICT.removesuffix("区")


def normalised_code(text) -> str:
    """Full-width to half-width, spaces dropped, upper case: ＡＢＣ１２３ → ABC123."""
    return folded(text).upper()


def tier_from_label(label: str) -> str | None:
    return TIER_LABELS.get((label or "").translate(_QUOTES))


def parse_list_date(text: str) -> dt.date | None:
    """2024-03-01, 2024年3月1日 or 2024/3/1."""
    return _list_date(str(text or ""))


@functools.lru_cache(maxsize=4096)
def _list_date(text: str) -> dt.date | None:
    """Remembered by the cell's text: a list's rows share a few dates (issue 15: a tenth of the checks)."""
    m = _DATE.match(unicodedata.normalize("NFKC", text))
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


@dataclass(frozen=True)
class ListRow:
    row: int
    name: str
    uscc: str
    tier: str
    recognized_on: dt.date
    batch: str | None
    township: str | None = None  # the canonical name (shared.townships), when the file names one
    warnings: tuple[str, ...] = ()  # kept, but said: a township that maps to none


@dataclass(frozen=True)
class Skipped:
    """A row not for this registry (another district), with why."""

    reason: str


# A row that is not a row at all (a platform item that is not an object): cells[NOT_A_ROW] says why.
NOT_A_ROW = object()
# Columns whose formula makes the row untrusted (序号 as =ROW()-1 is common and harmless: the
# row's position stands in for it).
TRUSTED_COLUMNS = ("企业名称", "统一社会信用代码", "所属区", "认定类型", "批次", "认定日期", TOWNSHIP_COLUMN)
EXCEL_NUMBER = ("统一社会信用代码被 Excel 存为数字（已丢失位数），请将该列设为文本后重新填写 / the USCC was stored by "
                "Excel as a number (digits are lost): format the column as text and enter the codes again")


def check_list_row(row: int, cells: dict, uscc_error, today: dt.date) -> ListRow | Skipped | list[str]:
    """A valid row, Skipped for another district, or the list of reasons it is rejected (a
    recognition dated after `today` is one: nothing is recorded ahead of its date)."""
    if NOT_A_ROW in cells:
        return [cells[NOT_A_ROW]]
    district = cells.get("所属区")
    if isinstance(district, Formula):
        return [_formula("所属区", district)]
    if not is_district(district):
        text = " ".join(str(district or "").split())[:50]
        return Skipped(f"所属区为“{text}”，不是房山区 / district “{text}” is not Fangshan" if text
                       else "所属区为空 / no district given")
    if any(type(v) is Formula for v in cells.values()):  # nothing else of it is read: cached values are not data
        errors = [_formula(c, cells[c]) for c in TRUSTED_COLUMNS if isinstance(cells.get(c), Formula)]
        if errors:
            return errors
    errors = []
    raw = cells.get("统一社会信用代码")
    uscc = normalised_code(raw)
    if isinstance(raw, Number) or _NUMBER_TEXT.match(uscc):
        errors.append(EXCEL_NUMBER)
    elif (why := uscc_error(uscc)) is not None:
        errors.append(f"统一社会信用代码无效（{reason_zh(why)}） / invalid USCC: {why}")
    tier = tier_from_label(str(cells.get("认定类型") or ""))
    if tier is None:
        errors.append(f"认定类型无法识别：{cells.get('认定类型')} / unknown recognition type")
    on = parse_list_date(cells.get("认定日期"))
    if on is None:
        errors.append(f"认定日期无法识别：{cells.get('认定日期')} / unreadable date")
    elif on > today:
        errors.append(f"认定日期 {on} 晚于今天（{today}） / recognition date {on} is after today ({today})")
    # A wrapped cell is one line; any other control character is the row's fault, said plainly.
    name = " ".join(str(cells.get("企业名称") or "").split())[:200]
    batch = " ".join(str(cells.get("批次") or "").split())[:50]
    if not name:
        errors.append("企业名称为空 / empty name")
    for label, text in (("企业名称", name), ("批次", batch)):
        if bad := CONTROL.search(text):
            errors.append(f"{label}含有控制字符 U+{ord(bad.group()):04X} / {label} holds the control character "
                          f"U+{ord(bad.group()):04X}")
    if errors:
        return errors
    township, warnings = _township(cells.get(TOWNSHIP_COLUMN))
    return ListRow(row, name, uscc, tier, on, batch or None, township, warnings)


def _formula(column: str, text: str) -> str:
    shown = str(text)[:60]
    return (f"{column}为公式（{shown}），不采用其缓存值；请复制后“粘贴为数值”再导入 / the {column} cell holds a formula "
            f"({shown}): its cached value is not taken; paste the column as values and import again")


def _township(text) -> tuple[str | None, tuple[str, ...]]:
    """The canonical township, or none with a warning when the text names none (never a silent drop)."""
    text = " ".join(str(text or "").split())[:50]
    if not text:
        return None, ()
    unit = townships.canonical(text)
    if unit is not None:
        return unit.name, ()
    warning = (f"所属乡镇“{text}”无法识别，未采用（由此行新登记的企业不填乡镇） / township “{text}” is not one of "
               "Fangshan's: not used (an enterprise this row registers gets none)")
    return None, (warning,)
