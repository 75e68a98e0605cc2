"""Pure parks rules: an enterprise's tier changes read off its registry record, the featured-park
assessment (考核维度) and the incubation summary. No I/O: parameters arrive as `Param` data."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from shared.params import Param
from shared import tiers
from shared.tiers import Tier, rank

RULE = "parks.assessment/v1"
PASS_KEY = "parks.assessment.pass_score"
DIMENSION_PREFIX = "parks.assessment.dimension."
# What a dimension can measure (its parameter's "measure"); the dimension's name is free.
MEASURES = {
    "count": ("园区内层级不低于 floor 的企业数", "enterprises in the park at or above `floor`"),
    "share_pct": ("园区内层级不低于 floor 的企业占比（%）", "share of the park's enterprises at or above `floor`, in %"),
    "new": ("年内新增层级不低于 floor 的企业数（上年末低于 floor，评估日不低于）",
            "enterprises at or above `floor` on the date that were below it at the end of the previous year"),
    "incubated_promoted": ("园区孵化企业年内晋级至不低于 floor 的企业数",
                           "enterprises incubated by the park promoted to `floor` or above in the year, "
                           "on or after entering the incubator"),
    "services": ("年内中介机构、商协会为园区企业提供服务的次数（受服务企业当日层级不低于 floor）",
                 "services intermediaries and associations delivered in the year for the park (the enterprise "
                 "served at or above `floor` on the day)"),
}


@dataclass(frozen=True)
class Change:
    """A day on which the enterprise's tier changed, read off its registry record."""

    on: dt.date
    from_tier: str
    to_tier: str

    @property
    def is_promotion(self) -> bool:
        return rank(self.to_tier) > rank(self.from_tier)


def changes(certs: Iterable) -> list[Change]:
    """The days the tier changed, by the record's validity windows (shared.tiers): a recognition,
    the day after a last valid day, a revocation, each only when the tier that day differs from the
    day before's. A renewal at the same tier, or a lapse covered by another title, is no change."""
    certs = tuple(certs)
    out = []
    for day in tiers.changes_on(certs):
        before, after = tiers.tier_on(certs, day - dt.timedelta(days=1)), tiers.tier_on(certs, day)
        if before != after:
            out.append(Change(day, before, after))
    return out


def present_on(record, on: dt.date) -> bool:
    """Whether the enterprise still counts on `on`: a record showing it moved out of the district or
    closed on or before that day (status, status_on) takes it out of every count from that day on;
    before it, it counted where it was."""
    return record.status == "active" or record.status_on is None or record.status_on > on


def tier_counts(tiers: Iterable[str]) -> dict[str, int]:
    counts = {t.value: 0 for t in Tier}
    for t in tiers:
        counts[t] += 1
    return counts


# -- the assessment -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ParkFacts:
    """What the assessment of one park as of one date needs."""

    members: frozenset[str]                # enterprises the registry places in the park now
    certifications: Mapping[str, Sequence]  # the registry record's certifications of each enterprise counted
    incubated: Mapping[str, dt.date]       # incubated member → its first entry into this park
    services: tuple[tuple[str, dt.date], ...] = ()  # (uscc served, served_on) of the park's service records


def _exact(x) -> Fraction:
    return Fraction(str(x))  # 12.5 → 25/2 exactly, not the binary float


def measure(kind: str, floor: str, facts: ParkFacts, on: dt.date) -> tuple[Fraction, dict]:
    """(value, how it was counted) of one measure as of a date; the period is on's year to on."""
    start, prev_end = dt.date(on.year, 1, 1), dt.date(on.year - 1, 12, 31)
    at_least = rank(floor)

    def reached(uscc: str, day: dt.date) -> bool:
        return rank(tiers.tier_on(facts.certifications.get(uscc, ()), day)) >= at_least

    if kind in ("count", "share_pct"):
        hits = sorted(u for u in facts.members if reached(u, on))
        if kind == "count":
            return Fraction(len(hits)), {"enterprises": hits}
        total = len(facts.members)
        value = Fraction(len(hits) * 100, total) if total else Fraction(0)
        return value, {"numerator": len(hits), "denominator": total, "enterprises": hits}
    if kind == "new":
        hits = sorted(u for u in facts.members if reached(u, on) and not reached(u, prev_end))
        return Fraction(len(hits)), {"enterprises": hits}
    if kind == "incubated_promoted":
        hits = sorted(u for u, entered in facts.incubated.items()
                      if any(c.is_promotion and rank(c.to_tier) >= at_least
                             and max(start, entered) <= c.on <= on
                             for c in changes(facts.certifications.get(u, ()))))
        return Fraction(len(hits)), {"enterprises": hits}
    if kind == "services":
        served = [u for u, day in facts.services if start <= day <= on and reached(u, day)]
        return Fraction(len(served)), {"records": len(served), "enterprises": sorted(set(served))}
    raise ValueError(f"unknown measure {kind!r}")


def _number(x: Fraction) -> int | float:
    return int(x) if x.denominator == 1 else round(float(x), 2)


def assess(facts: ParkFacts, on: dt.date, params: Mapping[str, Param]) -> dict:
    """Score a park as of a date: each dimension in force scores its whole weight when its value
    reaches its threshold (value ≥ threshold), else 0; the park passes when the score reaches the
    pass score (which must be in force whenever a dimension is). Returns the explanation: every value, threshold, weight and the parameter cited."""
    dims, score, max_score = [], Fraction(0), Fraction(0)
    for key in sorted(k for k in params if k.startswith(DIMENSION_PREFIX)):
        p = params[key]
        spec = p.value
        value, detail = measure(spec["measure"], spec["floor"], facts, on)
        weight, threshold = _exact(spec["weight"]), _exact(spec["threshold"])
        met = value >= threshold
        points = weight if met else Fraction(0)
        score += points
        max_score += weight
        zh, en = MEASURES[spec["measure"]]
        dims.append({"dimension": key.removeprefix(DIMENSION_PREFIX), "label": spec.get("label"),
                     "measure": spec["measure"], "floor": spec["floor"], "explains": f"{zh} / {en}",
                     "value": _number(value), "threshold": _number(threshold), "met": met,
                     "weight": _number(weight), "points": _number(points), **detail, "param": p.cite()})
    # Dimensions in force need the pass score in force too: a missing one is the caller's error
    # (shared.params.InForce answers 422 naming it), never a silent 0. With no dimension nothing
    # passes, and the explanation shows 0 for the pass score no version gives.
    pass_param = params[PASS_KEY] if dims else params.get(PASS_KEY)
    pass_score = _exact(pass_param.value) if pass_param else Fraction(0)
    return {"rule": RULE, "on": on.isoformat(), "period": {"from": dt.date(on.year, 1, 1).isoformat(),
                                                            "to": on.isoformat()},
            "enterprise_count": len(facts.members), "dimensions": dims,
            "score": _number(score), "max_score": _number(max_score), "pass_score": _number(pass_score),
            "passed": bool(dims) and score >= pass_score,
            "pass_param": pass_param.cite() if pass_param else None}


# -- incubation ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stay:
    """One incubation record: an enterprise's entry into a park's incubator and its graduation."""

    uscc: str
    entered_on: dt.date
    graduated_on: dt.date | None = None


def overlaps(a: Stay, b: Stay) -> bool:
    """Two stays share a day (an open stay runs on for ever)."""
    return a.entered_on <= (b.graduated_on or dt.date.max) and b.entered_on <= (a.graduated_on or dt.date.max)


def first_entries(stays: Iterable[Stay]) -> dict[str, dt.date]:
    out: dict[str, dt.date] = {}
    for st in stays:
        out[st.uscc] = min(out.get(st.uscc, st.entered_on), st.entered_on)
    return out


def crediting_stay(stays: Iterable[Stay], on: dt.date) -> Stay | None:
    """The stay that credits a promotion on `on` to the park (the same rule as the summary: on or
    after the first entry, during a stay or after graduation): the stay running on that date, else
    the latest one entered before it; None when the enterprise entered only later."""
    before = [st for st in stays if st.entered_on <= on]
    running = [st for st in before if st.graduated_on is None or st.graduated_on >= on]
    return max(running or before, key=lambda st: st.entered_on, default=None)


def incubation_summary(year: int, stays: list[Stay], certifications: Mapping[str, Sequence]) -> dict:
    """A park's incubation in a year: enterprises in the incubator during the year, entries,
    graduations, and the promotions in the year of enterprises it incubated (a promotion counts
    when it is on or after the enterprise's entry, during the stay or after graduation)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    entered = first_entries(stays)
    promotions = sorted(
        ({"uscc": u, "on": c.on.isoformat(), "from_tier": c.from_tier, "to_tier": c.to_tier}
         for u, since in entered.items() for c in changes(certifications.get(u, ()))
         if c.is_promotion and start <= c.on <= end and c.on >= since),
        key=lambda p: (p["on"], p["uscc"]))
    return {"year": year,
            "incubating": len({s.uscc for s in stays if s.entered_on <= end
                               and (s.graduated_on is None or s.graduated_on >= start)}),
            "entered": len({s.uscc for s in stays if start <= s.entered_on <= end}),
            "graduated": len({s.uscc for s in stays if s.graduated_on and start <= s.graduated_on <= end}),
            "promoted_enterprises": len({p["uscc"] for p in promotions}),
            "promotions": promotions}
