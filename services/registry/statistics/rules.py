"""Pure rules of the statistics: stock and new per title in a period (the reply's table and
sentence), and progress against the yearly targets. No I/O."""
from __future__ import annotations

import datetime as dt

from shared.tiers import changes_on, held_on, tier_on

# -- statistics per period (the reply's table: stock on a date and new on a year) -------------
TIER_NAMES_ZH = {
    "innovative": "创新型中小企业", "potential": "专精特新潜在企业", "municipal_srdi": "专精特新中小企业",
    "municipal_little_giant": "北京市专精特新“小巨人”企业", "national_little_giant": "国家级专精特新“小巨人”企业",
    "single_champion": "制造业单项冠军企业",
}
TITLED = tuple(TIER_NAMES_ZH)


def period_counts(by_enterprise: dict[str, list], start: dt.date, end: dt.date,
                  gone: dict[str, dt.date] | None = None) -> dict[str, dict]:
    """Per title: `stock` = holders on `end`; `base` = holders the day before `start`; `net` =
    stock − base; `new` = enterprises recognised at that title for the first time within
    [start, end]; `renewed` = recognised again (复核) within it, having held it before. `gone`: the
    day each departed enterprise moved out or closed; from then on it is in no stock (its
    recognitions within the period still count as new or renewed: they happened here)."""
    base_on = start - dt.timedelta(days=1)
    gone = gone or {}
    out = {t: {"stock": 0, "base": 0, "net": 0, "new": 0, "renewed": 0} for t in TITLED}
    for uscc, certs in by_enterprise.items():
        left = gone.get(uscc)
        for t in held_on(certs, end) if not (left and left <= end) else ():
            out[t]["stock"] += 1
        for t in held_on(certs, base_on) if not (left and left <= base_on) else ():
            out[t]["base"] += 1
        first: dict[str, dt.date] = {}
        in_period: set[str] = set()
        for c in certs:
            if c.tier in out:
                first[c.tier] = min(first.get(c.tier, c.recognized_on), c.recognized_on)
                if start <= c.recognized_on <= end:
                    in_period.add(c.tier)
        for t in in_period:
            out[t]["new" if first[t] >= start else "renewed"] += 1
    for row in out.values():
        row["net"] = row["stock"] - row["base"]
    return out


def period_table(stock: dict[str, int], base: dict[str, int], fresh: dict[str, list[int]]) -> dict[str, dict]:
    """The same table as period_counts, from counts already made: holders on the end and on the day
    before the start per title, and [new, renewed] per title."""
    out = {}
    for t in TITLED:
        new, renewed = fresh.get(t, (0, 0))
        out[t] = {"stock": stock.get(t, 0), "base": base.get(t, 0), "net": stock.get(t, 0) - base.get(t, 0),
                  "new": new, "renewed": renewed}
    return out


def summed(by_key: dict[str, dict]) -> dict:
    """Per-group figures (a count, or a list of counts, per title) added up over the groups."""
    out: dict = {}
    for tiers in by_key.values():
        for t, v in tiers.items():
            out[t] = add(out[t], v) if t in out else v
    return out


def add(a, b):
    """Two counts, or two lists of counts element by element, added."""
    return [x + y for x, y in zip(a, b)] if isinstance(b, list) else a + b


def reply_sentence(counts: dict[str, dict], end: dt.date, start: dt.date) -> str:
    """The reply's own wording: 截至…，存量…家，较…年新增…家；…"""
    since = f"{start.year - 1}年" if (start.month, start.day) == (1, 1) else f"{start.isoformat()}前"
    parts = [f"存量{TIER_NAMES_ZH[t]}{c['stock']}家，较{since}新增{c['new']}家"
             for t, c in counts.items() if c["stock"] or c["new"]]
    return f"截至{end.year}年{end.month}月{end.day}日，" + ("；".join(parts) or "尚无已认定企业") + "。"


# -- the maintained counts (counts.py): what one enterprise contributes, as per-day deltas -----
EVER = dt.date(1, 1, 1)  # the day every enterprise's presence starts (the scan counted it on any date)


def contribution(certs: list, status_on: dt.date | None) -> dict[tuple[dt.date, str, str], int]:
    """One enterprise's per-day deltas {(day, kind, tier): delta} from the same rules as the scan
    (shared.tiers.tier_on / held_on): `present` +1 from EVER and −1 the day it moved out or closed;
    `current` its highest title and `title` each title held, for as long as it holds them and is
    present. Summing the deltas with day ≤ D gives what the enterprise counts on D."""
    out: dict[tuple[dt.date, str, str], int] = {(EVER, "present", ""): 1}
    if status_on:
        out[(status_on, "present", "")] = -1
    days = set(changes_on(certs))
    if status_on:
        days.add(status_on)
    before: set[tuple[str, str]] = set()
    for day in sorted(days):
        now: set[tuple[str, str]] = set()
        if not (status_on and status_on <= day):
            tier = tier_on(certs, day)
            if tier != "sme":
                now.add(("current", tier))
            now.update(("title", t) for t in held_on(certs, day))
        for kind, tier in now - before:
            out[(day, kind, tier)] = out.get((day, kind, tier), 0) + 1
        for kind, tier in before - now:
            out[(day, kind, tier)] = out.get((day, kind, tier), 0) - 1
        before = now
    return {k: v for k, v in out.items() if v}


# -- targets -----------------------------------------------------------------------------------
TARGET_ZH = {"listing": "辅导上市企业", "national_little_giant": "新增国家级专精特新“小巨人”企业",
             "municipal_srdi": "新增市级专精特新中小企业", "potential": "专精特新潜在企业（培育库）"}


def target_progress(targets: dict, period: dict[str, dict], listings: int | None = None) -> list[dict]:
    """Progress against the yearly targets: new titles in the year; the pool (potential) as a stock;
    listings: the count of the financial office's listings in the year, passed in (null when unknown)."""
    out = []
    for key, target in targets.items():
        if key == "potential":
            actual = period["potential"]["stock"]
        elif key == "listing":
            actual = listings
        elif key in period:
            actual = period[key]["new"]
        else:
            actual = None
        out.append({"key": key, "zh": TARGET_ZH.get(key, key), "target": target, "actual": actual,
                    "met": None if actual is None else actual >= target,
                    "shortfall": None if actual is None else max(target - actual, 0)})
    return out
