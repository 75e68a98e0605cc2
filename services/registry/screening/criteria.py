"""The screening criteria interpreter (达标 / 准达标 / 不达标): pure, no I/O. The rule sets are data
(policy_parameter rows `screening.criteria.<tier>`), read and cited by the service."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

# -- indicators and screening: criteria rule sets are data (policy_parameter rows) ------------
# A criterion is one of:
#   {"id", "zh", "indicator", "op": "gte"|"gt"|"lte"|"lt", "value": "3"}    a threshold (inclusivity in op)
#   {"id", "zh", "holds": "municipal_srdi"}                                  a title held on the date
#   {"id", "zh", "all": [criterion, ...]} / {"id", "zh", "any": [criterion, ...]}
#   {"id", "zh", "score": {"min_total": 60, "categories": {name: minimum}, "items": [item, ...]}}
# A score item: {"id", "category", "max"?} plus one of
#   "bands": {"indicator", "bands": [{"min"|"max": "5", "inclusive": true, "points": 20}, ...]}
#            (the first band the value falls in, in order; none → 0; lower bound inclusive by default)
#   "best_of": [bands, bands, ...]            the better of several ladders
#   "per": {"indicator", "step": 2, "points": 1, "cap": 5}     points per step, capped
#   "each": {"indicator", "points": 3, "cap": 5}               points per item, capped
#   "flag": {"indicator", "yes": 10, "no": 5}
NEXT_TIER = {"sme": "innovative", "innovative": "municipal_srdi", "potential": "municipal_srdi",
             "municipal_srdi": "national_little_giant", "municipal_little_giant": "national_little_giant"}


def num(v) -> Fraction | None:
    if v is None or isinstance(v, bool):
        return None if v is None else Fraction(int(v))
    return Fraction(str(v))


def _ratio(a, b) -> Fraction | None:
    a, b = num(a), num(b)
    return None if a is None or not b else a / b * 100


def derive_facts(years: dict[int, dict], year: int, held: set[str]) -> dict:
    """The facts criteria read, from the indicators of `year` and the years before it."""
    cur, prev, prev2 = years.get(year) or {}, years.get(year - 1) or {}, years.get(year - 2) or {}
    f: dict = {k: (v if isinstance(v, bool) else num(v)) for k, v in cur.items()}
    f["held"] = held
    f["rd_ratio_pct"] = _ratio(cur.get("rd_spend_yuan"), cur.get("revenue_yuan"))
    f["prev_rd_ratio_pct"] = _ratio(prev.get("rd_spend_yuan"), prev.get("revenue_yuan"))
    f["rd_staff_pct"] = _ratio(cur.get("rd_staff"), cur.get("staff"))

    def total(key, *rows):  # over the years recorded (a year without the figure counts as none)
        vals = [num(r.get(key)) for r in rows if r.get(key) is not None]
        return sum(vals) if vals else None

    f["rd_spend_2y_yuan"] = total("rd_spend_yuan", cur, prev)
    f["rd_spend_2y_avg_yuan"] = None if f["rd_spend_2y_yuan"] is None else f["rd_spend_2y_yuan"] / 2
    f["equity_raised_2y_yuan"] = total("equity_raised_yuan", cur, prev)
    f["equity_raised_3y_yuan"] = total("equity_raised_yuan", cur, prev, prev2)

    def main_rev(r):
        rev, share = num(r.get("revenue_yuan")), num(r.get("main_business_share_pct"))
        return None if rev is None or share is None else rev * share / 100

    m0, m1, m2 = main_rev(cur), main_rev(prev), main_rev(prev2)
    f["main_growth_pct"] = (m0 - m1) / m1 * 100 if m0 is not None and m1 else None
    g1 = (m1 - m2) / m2 * 100 if m1 is not None and m2 else None
    f["main_growth_2y_avg_pct"] = (f["main_growth_pct"] + g1) / 2 if f["main_growth_pct"] is not None and g1 is not None else None
    return f


_OPS = {"gte": lambda v, t: v >= t, "gt": lambda v, t: v > t, "lte": lambda v, t: v <= t, "lt": lambda v, t: v < t}


@dataclass(frozen=True)
class Gap:
    """A failed criterion: what it needs, what the enterprise has, and how far off (relative)."""

    id: str
    zh: str
    indicator: str | None
    value: Fraction | None
    op: str | None
    threshold: Fraction | None
    relative: Fraction  # |threshold − value| / |threshold|; 1 when the data are missing

    def as_dict(self) -> dict:
        show = lambda x: None if x is None else (int(x) if x.denominator == 1 else round(float(x), 4))  # noqa: E731
        return {"criterion": self.id, "zh": self.zh, "indicator": self.indicator, "value": show(self.value),
                "op": self.op, "threshold": show(self.threshold),
                "gap": None if self.value is None else show(abs(self.threshold - self.value)),
                "relative_gap": round(float(self.relative), 4), "missing": self.value is None}


def _band_points(ladder: dict, facts: dict) -> int:
    v = facts.get(ladder["indicator"])
    v = num(v) if isinstance(v, bool) else v
    if v is None:
        return 0
    for band in ladder["bands"]:
        ok = True
        if "min" in band:
            ok &= v >= num(band["min"]) if band.get("inclusive", True) else v > num(band["min"])
        if "max" in band:
            ok &= v <= num(band["max"]) if band.get("inclusive", True) else v < num(band["max"])
        if ok:
            return int(band["points"])
    return 0


def item_points(item: dict, facts: dict) -> int:
    if "bands" in item:
        pts = _band_points(item["bands"], facts)
    elif "best_of" in item:
        pts = max(_band_points(b, facts) for b in item["best_of"])
    elif "per" in item:
        p = item["per"]
        v = facts.get(p["indicator"])
        pts = 0 if v is None else min(int(num(v) // num(p["step"])) * int(p["points"]), int(p["cap"]))
    elif "each" in item:
        p = item["each"]
        v = facts.get(p["indicator"])
        pts = 0 if v is None else min(int(num(v)) * int(p["points"]), int(p["cap"]))
    elif "flag" in item:
        p = item["flag"]
        v = facts.get(p["indicator"])
        pts = int(p["yes"]) if v is True or (v is not None and v is not False and num(v) > 0) else int(p["no"])
    else:
        raise ValueError(f"unknown score item {item.get('id')}")
    return min(pts, int(item["max"])) if "max" in item else pts


def score(spec: dict, facts: dict) -> dict:
    items = {i["id"]: item_points(i, facts) for i in spec["items"]}
    by_cat: dict[str, int] = {}
    for i in spec["items"]:
        by_cat[i["category"]] = by_cat.get(i["category"], 0) + items[i["id"]]
    return {"total": sum(items.values()), "categories": by_cat, "items": items}


def evaluate(criterion: dict, facts: dict) -> list[Gap]:
    """The gaps of a criterion (empty: it is met). `any` reports its nearest alternative."""
    cid, zh = criterion.get("id", "?"), criterion.get("zh", "")
    if "all" in criterion:
        return [g for c in criterion["all"] for g in evaluate(c, facts)]
    if "any" in criterion:
        options = [evaluate(c, facts) for c in criterion["any"]]
        if any(not o for o in options):
            return []
        return min(options, key=lambda gaps: (len(gaps), max(g.relative for g in gaps)))
    if "holds" in criterion:
        return [] if criterion["holds"] in facts.get("held", ()) else [
            Gap(cid, zh, "title:" + criterion["holds"], None, None, None, Fraction(1))]
    if "score" in criterion:
        spec = criterion["score"]
        s = score(spec, facts)
        gaps = []
        for cat, minimum in (spec.get("categories") or {}).items():
            if s["categories"].get(cat, 0) < minimum:
                gaps.append(Gap(f"{cid}.{cat}", f"{zh}：{cat}", f"score:{cat}", Fraction(s["categories"].get(cat, 0)),
                                "gte", Fraction(minimum), Fraction(minimum - s["categories"].get(cat, 0), minimum)))
        if s["total"] < spec["min_total"]:
            gaps.append(Gap(cid, zh, "score:total", Fraction(s["total"]), "gte", Fraction(spec["min_total"]),
                            Fraction(spec["min_total"] - s["total"], spec["min_total"])))
        return gaps
    ind, op, t = criterion["indicator"], criterion["op"], num(criterion["value"])
    v = facts.get(ind)
    v = num(v) if isinstance(v, bool) else v
    if v is None:
        return [Gap(cid, zh, ind, None, op, t, Fraction(1))]
    if _OPS[op](v, t):
        return []
    return [Gap(cid, zh, ind, v, op, t, abs(t - v) / abs(t) if t else Fraction(1))]


def classify(rule_set: dict, facts: dict, max_failures: int, max_relative_gap: Fraction) -> tuple[str, list[Gap]]:
    """达标 (met), 准达标 (near: at most `max_failures` criteria fail, each within the relative gap,
    none for want of data or a title) or 不达标 (not met)."""
    gaps = evaluate({"all": rule_set["criteria"]}, facts)
    if not gaps:
        return "met", gaps
    if len(gaps) <= max_failures and all(g.value is not None and g.relative <= max_relative_gap for g in gaps):
        return "near", gaps
    return "not_met", gaps


STATUS_ZH = {"met": "达标", "near": "准达标", "not_met": "不达标"}
