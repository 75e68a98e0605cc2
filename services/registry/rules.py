"""Pure registry rules: validity, the tier on a date, and what a change means. No I/O."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from shared.tiers import LADDER, Tier, rank


@dataclass(frozen=True)
class Cert:
    """The facts of a certification the rules need."""

    id: int
    tier: str
    recognized_on: dt.date
    expires_on: dt.date
    revoked_on: dt.date | None = None


def expiry(recognized_on: dt.date, years: int) -> dt.date:
    """Valid `years` years: the last valid day is the day before the anniversary (29 Feb → 28 Feb)."""
    try:
        anniversary = recognized_on.replace(year=recognized_on.year + years)
    except ValueError:  # 29 February, anniversary in a common year
        anniversary = dt.date(recognized_on.year + years, 3, 1)
    return anniversary - dt.timedelta(days=1)


def active_on(c: Cert, on: dt.date) -> bool:
    return c.recognized_on <= on <= c.expires_on and not (c.revoked_on and c.revoked_on <= on)


def tier_on(certs: Iterable[Cert], on: dt.date) -> str:
    """The current tier: the highest certification active on the date; `sme` when none is."""
    best = 0
    for c in certs:
        if active_on(c, on):
            best = max(best, rank(c.tier))
    return LADDER[best].value


def held_on(certs: Iterable[Cert], on: dt.date) -> set[str]:
    return {c.tier for c in certs if active_on(c, on)}


@dataclass(frozen=True)
class Change:
    kind: str  # "promoted" or "demoted"
    from_tier: str
    to_tier: str
    on: dt.date


def change_on_add(existing: list[Cert], new: Cert) -> Change | None:
    """A new certification promotes when the tier on its recognition date rises."""
    before = tier_on(existing, new.recognized_on)
    after = tier_on([*existing, new], new.recognized_on)
    if rank(after) > rank(before):
        return Change("promoted", before, after, new.recognized_on)
    return None


def first_time_at(existing: list[Cert], tier: str) -> bool:
    """Re-recognition at a tier already held once (renewal, 复核) is not a first time."""
    return not any(c.tier == tier for c in existing)


def change_between(before: list[Cert], after: list[Cert], on: dt.date, day_after: dt.date | None = None
                   ) -> Change | None:
    """Does the tier fall from `before` (on `on`) to `after` (on `day_after`, default the same day)?"""
    old, new = tier_on(before, on), tier_on(after, day_after or on)
    if rank(new) < rank(old):
        return Change("demoted", old, new, day_after or on)
    return None


def change_on_expiry(certs: list[Cert], ended: Cert) -> Change | None:
    """A certification's last valid day passes: does the tier fall the day after?"""
    return change_between(certs, certs, ended.expires_on, ended.expires_on + dt.timedelta(days=1))


def tier_counts(by_enterprise: dict[str, list[Cert]], on: dt.date) -> tuple[dict, dict]:
    """(counts by current tier, holders by tier) on a date, over every enterprise."""
    counts = {t.value: 0 for t in Tier}
    holders = {t.value: 0 for t in Tier if t != Tier.sme}
    for certs in by_enterprise.values():
        counts[tier_on(certs, on)] += 1
        for tier in held_on(certs, on):
            holders[tier] += 1
    return counts, holders


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


def check_list_row(row: int, cells: dict, uscc_error) -> ListRow | str | list[str]:
    """A valid row, "skipped" for another district, or the list of reasons it is rejected."""
    if str(cells.get("所属区") or "").strip() != DISTRICT:
        return "skipped"
    errors = []
    uscc = str(cells.get("统一社会信用代码") or "").strip().upper()
    if (why := uscc_error(uscc)) is not None:
        errors.append(f"统一社会信用代码无效（{why}） / invalid USCC: {why}")
    tier = tier_from_label(str(cells.get("认定类型") or ""))
    if tier is None:
        errors.append(f"认定类型无法识别：{cells.get('认定类型')} / unknown recognition type")
    on = parse_list_date(cells.get("认定日期"))
    if on is None:
        errors.append(f"认定日期无法识别：{cells.get('认定日期')} / unreadable date")
    name = str(cells.get("企业名称") or "").strip()
    if not name:
        errors.append("企业名称为空 / empty name")
    if errors:
        return errors
    return ListRow(row, name[:200], uscc, tier, on, (str(cells.get("批次") or "").strip() or None))
