"""Pure registry rules: validity, the tier on a date, and what a change means. No I/O."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from shared.schemas import CONTROL
from shared.tiers import LADDER, Tier, active_on, held_on, rank, tier_on  # noqa: F401 - re-exported


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


# The tier on a date is the suite's one projection (shared.tiers), the same for every department.


def state_on(c: Cert, on: dt.date) -> str:
    """A certification's state on a date, from its dates alone (the stored state waits for the
    sweep): not_yet (before recognition), active, expired (after its last valid day), revoked."""
    if c.revoked_on and c.revoked_on <= on:
        return "revoked"
    if on < c.recognized_on:
        return "not_yet"
    return "active" if on <= c.expires_on else "expired"


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


def reapply_ban(revoked_for_cause: Iterable[dt.date], on: dt.date, years: int) -> tuple[dt.date, dt.date] | None:
    """(revoked_on, first allowed day) when `on` falls within `years` of a revocation for cause."""
    for revoked in sorted(revoked_for_cause, reverse=True):
        until = expiry(revoked, years) + dt.timedelta(days=1)  # the anniversary
        if revoked <= on < until:
            return revoked, until
    return None


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
        errors.append(f"统一社会信用代码无效（{why}） / invalid USCC: {why}")
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


# -- statistics per period (the reply's table: stock on a date and new on a year) -------------
TIER_NAMES_ZH = {
    "innovative": "创新型中小企业", "potential": "专精特新潜在企业", "municipal_srdi": "专精特新中小企业",
    "municipal_little_giant": "北京市专精特新“小巨人”企业", "national_little_giant": "国家级专精特新“小巨人”企业",
    "single_champion": "制造业单项冠军企业",
}
TITLED = tuple(TIER_NAMES_ZH)


def period_counts(by_enterprise: dict[str, list[Cert]], start: dt.date, end: dt.date) -> dict[str, dict]:
    """Per title: `stock` = holders on `end`; `base` = holders the day before `start`; `net` =
    stock − base; `new` = enterprises recognised at that title for the first time within
    [start, end]; `renewed` = recognised again (复核) within it, having held it before."""
    base_on = start - dt.timedelta(days=1)
    out = {t: {"stock": 0, "base": 0, "net": 0, "new": 0, "renewed": 0} for t in TITLED}
    for certs in by_enterprise.values():
        for t in held_on(certs, end):
            out[t]["stock"] += 1
        for t in held_on(certs, base_on):
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
from fractions import Fraction  # noqa: E402

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


# -- dynamic management ------------------------------------------------------------------------
def add_months(d: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    import calendar

    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def annual_deadlines(recognized_on: dt.date, expires_on: dt.date, upto: dt.date, mmdd: str) -> list[tuple[int, dt.date]]:
    """(year, deadline) of every annual update a title owes: each deadline after the recognition
    date, up to its expiry and not after `upto`."""
    month, day = (int(x) for x in mmdd.split("-"))
    out = []
    for year in range(recognized_on.year, min(expires_on, upto).year + 1):
        deadline = dt.date(year, month, day)
        if recognized_on < deadline <= min(expires_on, upto):
            out.append((year, deadline))
    return out


def missed_updates(deadlines: list[tuple[int, dt.date]], filed: dict[int, dt.date]) -> list[int]:
    """The years whose update was not filed by its deadline (missing one loses the renewal)."""
    return [year for year, deadline in deadlines if not (year in filed and filed[year] <= deadline)]


def change_due(changed_on: dt.date, months: int) -> dt.date:
    return add_months(changed_on, months)


def renewal_due(expires_on: dt.date, on: dt.date, notice_months: int) -> bool:
    """A title is on the renewal (复核) list from `notice_months` before its last valid day."""
    return on <= expires_on <= add_months(on, notice_months)


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


# -- service package (服务包) ------------------------------------------------------------------
REQUEST_CATEGORIES = ("qualification", "subsidy", "talent", "finance", "land_space", "other")
REQUEST_MOVES = {"open": {"accepted", "resolved", "rejected"}, "accepted": {"resolved", "rejected"},
                 "resolved": set(), "rejected": set()}
CLOSED = ("resolved", "rejected")


def can_move(state: str, to: str) -> bool:
    return to in REQUEST_MOVES.get(state, set())


def overdue(state: str, due_on: dt.date, on: dt.date) -> bool:
    """Still open (or accepted) after its due day."""
    return state not in CLOSED and on > due_on


# -- hotline (热线咨询) and policy sessions (政策宣讲会) ------------------------------------------
def mask_phone(phone: str | None) -> str | None:
    """A phone number as readers other than the lead bureau see it: a mobile number (11 digits or
    more) keeps its first 3 and last 4 (138****5678), a shorter one (a landline: 6936****) only its
    last 2; separators dropped."""
    if phone is None:
        return None
    digits = "".join(c for c in phone if c.isascii() and c.isdigit())
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


def mask_name(name: str | None) -> str | None:
    """A caller's name as readers other than the lead bureau see it: the first character (the
    surname) and one * per further character."""
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1)


def session_summary(sessions: list[tuple[int, str]], attendance: list[tuple[int, str, int]]) -> dict:
    """Per township: sessions held, distinct enterprises attending them, attendees; and the totals
    (an enterprise attending in two townships is counted once in the total's `enterprises`).
    `sessions`: (id, township); `attendance`: (session id, uscc, attendees)."""
    township_of = dict(sessions)
    rows: dict[str, dict] = {}
    for _, township in sessions:
        row = rows.setdefault(township, {"township": township, "sessions": 0, "enterprises": set(), "attendees": 0})
        row["sessions"] += 1
    everyone: set[str] = set()
    total_attendees = 0
    for session_id, uscc, attendees in attendance:
        township = township_of.get(session_id)
        if township is None:
            continue
        rows[township]["enterprises"].add(uscc)
        rows[township]["attendees"] += attendees
        everyone.add(uscc)
        total_attendees += attendees
    out = [{**r, "enterprises": len(r["enterprises"])} for _, r in sorted(rows.items())]
    return {"townships": out, "totals": {"sessions": len(sessions), "enterprises": len(everyone),
                                         "attendees": total_attendees}}
