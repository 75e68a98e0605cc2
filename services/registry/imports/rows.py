"""Pure checks of a recognition-list row (an uploaded file's or the municipal platform's). No I/O."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

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


def tier_from_label(label: str) -> str | None:
    return TIER_LABELS.get((label or "").translate(_QUOTES))


def parse_list_date(text: str) -> dt.date | None:
    """2024-03-01, 2024年3月1日 or 2024/3/1."""
    m = _DATE.match(str(text or ""))
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


# A row that is not a row at all (a platform item that is not an object): cells[NOT_A_ROW] says why.
NOT_A_ROW = object()


def check_list_row(row: int, cells: dict, uscc_error, today: dt.date) -> ListRow | str | list[str]:
    """A valid row, "skipped" for another district, or the list of reasons it is rejected (a
    recognition dated after `today` is one: nothing is recorded ahead of its date)."""
    if NOT_A_ROW in cells:
        return [cells[NOT_A_ROW]]
    if str(cells.get("所属区") or "").strip() != DISTRICT:
        return "skipped"
    errors = []
    uscc = str(cells.get("统一社会信用代码") or "").strip().upper()
    if (why := uscc_error(uscc)) is not None:
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
    return ListRow(row, name, uscc, tier, on, batch or None)
