"""Fangshan District's towns, townships and street offices (乡镇街道) as a fixed, dated list.

One entry per unit the district counts in its statistics: 8 street offices (街道), 14 towns (镇),
6 townships (乡), and 燕山 (see below). `canonical(text)` maps what people type in forms and
workbooks ("良乡", "良乡地区", "房山区窦店镇", "窦　店", "闫村镇", "良鄉鎮" …) to one entry, or None.

Codes are the 9-digit statistical division codes (统计用区划代码, GB/T 10114 县以下区划: 0xx 街道,
1xx 镇, 2xx 乡). Confirmed from a published list of the district's divisions: 城关 001, 新镇 002,
向阳 004, 东风 005, 迎风 006, 星城 007, 良乡地区 008, 周口店地区 009, 琉璃河地区 010, 拱辰 011,
西潞 012. **Not confirmed** (no source found while writing this; recalled from the national
statistical list and listed in `UNCONFIRMED`): the other towns 1xx and the townships 2xx. Check
them against the current 统计用区划代码 list before any report quotes a code; names and mapping
do not depend on them.

燕山: the 燕山地区办事处 is an agency of the district over four of the streets above (迎风, 向阳,
东风, 星城); it has no statistical code of its own. People still write "燕山" or "燕山街道" as an
enterprise's township, and which of the four streets is meant cannot be told from that text, so
燕山 is its own entry (kind 地区, code "") rather than a guess. "燕山迎风街道" and the like map to
the street itself.

Dated: `valid_from` is the date from which this list is vouched for (the district's 28 units as
counted at the end of June 2020); `valid_to` is None while a unit exists. A unit renamed or merged
later gets a `valid_to` and a new entry, so a record on an earlier date still maps to what it was.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from shared import clock

KINDS = ("街道", "镇", "乡", "地区")
LISTED = date(2020, 6, 30)


@dataclass(frozen=True)
class Township:
    """One town, township or street office of Fangshan District."""

    code: str
    name: str
    kind: str
    valid_from: date
    valid_to: date | None = None

    @property
    def base(self) -> str:
        """The name without its kind: 良乡镇 → 良乡, 城关街道 → 城关, 燕山地区 → 燕山."""
        return self.name[: -len(self.kind)] if self.name.endswith(self.kind) else self.name

    def valid_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on < self.valid_to)


def _t(code: str, name: str, kind: str) -> Township:
    return Township(code, name, kind, LISTED, None)


TOWNSHIPS: tuple[Township, ...] = (
    _t("110111001", "城关街道", "街道"),
    _t("110111002", "新镇街道", "街道"),
    _t("110111004", "向阳街道", "街道"),
    _t("110111005", "东风街道", "街道"),
    _t("110111006", "迎风街道", "街道"),
    _t("110111007", "星城街道", "街道"),
    _t("110111011", "拱辰街道", "街道"),
    _t("110111012", "西潞街道", "街道"),
    _t("110111008", "良乡镇", "镇"),
    _t("110111009", "周口店镇", "镇"),
    _t("110111010", "琉璃河镇", "镇"),
    _t("110111101", "阎村镇", "镇"),
    _t("110111102", "窦店镇", "镇"),
    _t("110111103", "石楼镇", "镇"),
    _t("110111104", "长阳镇", "镇"),
    _t("110111107", "河北镇", "镇"),
    _t("110111108", "长沟镇", "镇"),
    _t("110111109", "大石窝镇", "镇"),
    _t("110111110", "张坊镇", "镇"),
    _t("110111111", "十渡镇", "镇"),
    _t("110111112", "青龙湖镇", "镇"),
    _t("110111115", "韩村河镇", "镇"),
    _t("110111208", "霞云岭乡", "乡"),
    _t("110111209", "南窖乡", "乡"),
    _t("110111210", "佛子庄乡", "乡"),
    _t("110111211", "大安山乡", "乡"),
    _t("110111212", "史家营乡", "乡"),
    _t("110111213", "蒲洼乡", "乡"),
    _t("", "燕山地区", "地区"),
)

# Codes recalled, not confirmed by a source (see the module docstring).
UNCONFIRMED: frozenset[str] = frozenset(
    t.code for t in TOWNSHIPS if t.code[6:] not in {"001", "002", "004", "005", "006", "007", "008",
                                                    "009", "010", "011", "012"} and t.code)

# Traditional forms and a common miswriting of the characters in these names (闫 for 阎).
_CHARS = str.maketrans({"鄉": "乡", "鎮": "镇", "區": "区", "竇": "窦", "陽": "阳", "東": "东", "風": "风",
                        "長": "长", "溝": "沟", "張": "张", "韓": "韩", "閻": "阎", "闫": "阎", "雲": "云",
                        "嶺": "岭", "窪": "洼", "龍": "龙", "關": "关", "營": "营", "處": "处", "辦": "办",
                        "縣": "县", "極": "极", "紅": "红", "莊": "庄", "門": "门", "華": "华"})
# Written before a name: the city and the district, in the forms people use.
_PREFIXES = ("北京市房山区", "北京房山区", "北京市房山", "北京房山", "北京市", "房山区", "房山")
# Written after a base name; longest first so 地区办事处 goes before 地区.
_SUFFIXES = ("地区办事处", "街道办事处", "人民政府", "办事处", "街道办", "地区", "街道", "街办", "政府", "镇", "乡")
_YANSHAN_STREETS = ("迎风", "向阳", "东风", "星城")


def _clean(text: str) -> str:
    # NFKC folds full-width letters, digits and the ideographic space; then drop every space.
    folded = unicodedata.normalize("NFKC", text).translate(_CHARS)
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "·•()（）")


def _strip_prefix(text: str) -> str:
    for prefix in _PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix):]
    return text


def _shorter(text: str):
    """`text`, then `text` with one kind word less at the end each time (良乡镇人民政府 → 良乡镇 → 良乡 …)."""
    while text:
        yield text
        suffix = next((s for s in _SUFFIXES if text.endswith(s) and len(text) > len(s)), None)
        if suffix is None:
            return
        text = text[: -len(suffix)]


def valid_on(on: date | None = None) -> tuple[Township, ...]:
    """The units that exist on `on` (today's list when None)."""
    on = on or clock.today()  # the district's day (Asia/Shanghai), as every other date here
    return tuple(t for t in TOWNSHIPS if t.valid_on(on))


def by_code(code: str, on: date | None = None) -> Township | None:
    return next((t for t in valid_on(on) if code and t.code == code), None)


def canonical(text: str | None, on: date | None = None) -> Township | None:
    """The one unit `text` names on `on` (today when None), or None for text that names none."""
    if not text or not isinstance(text, str):
        return None
    units = valid_on(on)
    cleaned = _strip_prefix(_clean(text))
    if not cleaned:
        return None
    if cleaned.isdigit():
        return by_code(cleaned[:9], on) if len(cleaned) in (9, 12) else None
    known = {t.base: t for t in units} | {t.name: t for t in units}
    # Stop at the first form that is a name or a base name: 良乡镇 → 良乡 must not go on to 良,
    # and 新镇 is a base name that itself ends in 镇.
    for form in _shorter(cleaned):
        if form in known:
            return known[form]
        if form.startswith("燕山") and form[2:] in _YANSHAN_STREETS:   # 燕山迎风(街道) → 迎风街道
            return known.get(form[2:])
    return None


def names(on: date | None = None) -> tuple[str, ...]:
    """The canonical names, in the list's order (for messages that list the valid choices)."""
    return tuple(t.name for t in valid_on(on))
