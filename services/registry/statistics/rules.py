"""Pure rules of the statistics: stock and new per title in a period (the reply's table and
sentence), and progress against the yearly targets. No I/O."""
from __future__ import annotations

import datetime as dt

from shared.tiers import held_on

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


def reply_sentence(counts: dict[str, dict], end: dt.date, start: dt.date) -> str:
    """The reply's own wording: 截至…，存量…家，较…年新增…家；…"""
    since = f"{start.year - 1}年" if (start.month, start.day) == (1, 1) else f"{start.isoformat()}前"
    parts = [f"存量{TIER_NAMES_ZH[t]}{c['stock']}家，较{since}新增{c['new']}家"
             for t, c in counts.items() if c["stock"] or c["new"]]
    return f"截至{end.year}年{end.month}月{end.day}日，" + ("；".join(parts) or "尚无已认定企业") + "。"


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
