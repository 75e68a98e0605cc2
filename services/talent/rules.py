"""Pure talent rules: what a promotion entitles, how entitlements make a year's grant, what a
revocation cancels, when a quota lapses, and the nomination states. No I/O."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from shared.params import Param
from shared.tiers import state_on

PREFIX = "talent.quota."
PER_YEAR = PREFIX + "per_year."  # + tier: quotas a year
YEARS = PREFIX + "years."        # + tier: for how many years, from the year of recognition


@dataclass(frozen=True)
class YearEntitlement:
    year: int
    count: int
    params: tuple[Param, ...]


def entitlements(tier: str, recognized_on: dt.date, first_time: bool, ps: dict[str, Param]
                 ) -> list[YearEntitlement]:
    """What a promotion to `tier` entitles, with the parameters in force on its recognition date.

    `per_year` quotas in each of `years` years, starting with the year of recognition. Only a
    first recognition at the tier counts (a renewal, 复核, entitles nothing new); a tier without
    both parameters (single_champion by default) entitles nothing."""
    per, years = ps.get(PER_YEAR + tier), ps.get(YEARS + tier)
    if not first_time or per is None or years is None:
        return []
    count, span = int(per.value), int(years.value)
    if count <= 0 or span <= 0:
        return []
    return [YearEntitlement(recognized_on.year + i, count, (per, years)) for i in range(span)]


def granted(active_counts: Iterable[int], used: int) -> int:
    """A year's grant: the largest active entitlement, never their sum (不重复享受), and never
    less than the quotas already in use (a cancellation takes back only unused quotas)."""
    return max([0, used, *active_counts])


def cancels(year: int, revoked_on: dt.date, for_cause: bool) -> bool:
    """A revocation for cause cancels the certification's entitlements of the years after the
    year of revocation; the current year's quota is kept (a nomination may be under way)."""
    return for_cause and year > revoked_on.year


def revoked_for_cause(certs: Iterable, today: dt.date) -> list:
    """The certifications of a registry record revoked for cause by today (their `revoked_on`
    is the first day they no longer count); a revocation dated later has not happened yet."""
    return [c for c in certs if c.for_cause and c.revoked_on is not None and c.revoked_on <= today]


def voided(certs: Iterable) -> list:
    """The certifications of a registry record voided as entered by mistake (作废)."""
    return [c for c in certs if c.state == "voided"]


def certification_state(cert, today: dt.date) -> str:
    """Where a certification of a registry record stands today: voided (entered by mistake, deemed
    never recognised), revoked (its `revoked_on` has come, for cause or not), expired (its last valid
    day is past) or active. A revocation dated after today has not happened yet. The suite's one
    rule (shared.tiers.state_on, the registry's), in talent's four states: a record stored revoked
    without a date reads revoked, and a title recognised after today active (a basis has no not_yet)."""
    state = state_on(cert, today)
    if state != "voided" and cert.state == "revoked" and cert.revoked_on is None:
        return "revoked"
    return "active" if state == "not_yet" else state


def departed_on(record, today: dt.date) -> dt.date | None:
    """The day the enterprise moved out or closed, when its record shows it by today (a departure
    dated later has not happened yet); None while it is here."""
    on = record.status_on
    return on if record.status != "active" and on is not None and on <= today else None


@dataclass(frozen=True)
class End:
    """Something a registry record shows that ends entitlements from `first_year` on: a revocation
    for cause or a void (one certification's), or the enterprise's departure (every certification's:
    `certification_id` None). `kind` is revoked, voided, moved_out or closed; `on` its date."""

    kind: str
    certification_id: int | None
    on: dt.date
    first_year: int

    def ends(self, certification_id: int, year: int) -> bool:
        return year >= self.first_year and self.certification_id in (None, certification_id)


def ends(record, today: dt.date) -> list[End]:
    """What the record ends, by today. A revocation for cause: the years after the year of
    revocation (`cancels`). A void: the current year and the years after it — a voided
    certification is deemed never recognised (视为从未认定), so nothing it granted may be nominated
    for from the day it is handled; a quota a nomination already holds is kept until that
    nomination ends (`kept_in_use`, as for a revocation), and past years have lapsed. A departure:
    the years after the year the enterprise left."""
    out = [End("revoked", c.id, c.revoked_on, c.revoked_on.year + 1)
           for c in revoked_for_cause(record.certifications, today)]
    out += [End("voided", c.id, today, today.year) for c in voided(record.certifications)]
    gone = departed_on(record, today)
    if gone is not None:
        out.append(End(record.status, None, gone, gone.year + 1))
    return out


def ended_by(all_ends: Iterable[End], certification_id: int, year: int) -> End | None:
    """The first end that cancels a certification's entitlement of `year`, if any."""
    return next((e for e in all_ends if e.ends(certification_id, year)), None)


def backfill_grants(year: int, today: dt.date) -> bool:
    """A back-filled certification (from a list from before go-live) entitles no past year: those
    years were the district's to give outside the system, and their quotas have lapsed anyway."""
    return year >= today.year


def lapsed(year: int, today: dt.date) -> bool:
    """An unused quota lapses at the end of its year."""
    return year < today.year


def available(granted_: int, used: int, year: int, today: dt.date) -> int:
    return 0 if lapsed(year, today) else max(0, granted_ - used)


# Nominations -------------------------------------------------------------------------------
CATEGORIES = ("战略人才", "领军人才", "骨干人才", "优秀人才")
OPEN = ("submitted", "district_reviewed", "recommended")
STATES = (*OPEN, "approved", "rejected", "withdrawn")
RELEASING = frozenset({"rejected", "withdrawn"})  # these give the quota back
ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "review": (("submitted",), "district_reviewed"),        # the district reviewed it
    "recommend": (("district_reviewed",), "recommended"),   # recommended to the municipal bureau
    "approve": (("recommended",), "approved"),              # the municipal bureau's approval
    "reject": (OPEN, "rejected"),
    "withdraw": (OPEN, "withdrawn"),
}


STATE_ZH = {"submitted": "已提交", "district_reviewed": "区级已审核", "recommended": "已推荐至市级",
            "approved": "已批准", "rejected": "已驳回", "withdrawn": "已撤回"}
ACTION_ZH = {"review": "区级审核", "recommend": "推荐至市级", "approve": "批准", "reject": "驳回", "withdraw": "撤回"}


def transition(state: str, action: str) -> str | None:
    """The state after `action`, or None when the action is not allowed from `state`."""
    sources, target = ACTIONS[action]
    return target if state in sources else None


def holds_quota(state: str) -> bool:
    return state not in RELEASING


# Reports -------------------------------------------------------------------------------------
def quota_report(rows: Iterable[tuple[int, str | None, int, int]], today: dt.date) -> list[dict]:
    """Quotas granted, used, available and lapsed per (year, tier), from (year, tier, granted, used)
    rows, one per enterprise and year. A year's unused quotas lapse at its end: lapsed = granted −
    used once the year is over (available then 0), else 0. `tier` is the tier of the entitlement
    the grant rests on (None: only cancelled entitlements, quotas kept because in use)."""
    out: dict[tuple[int, str], dict] = {}
    for year, tier, granted_, used in rows:
        key = (year, tier or "cancelled")
        r = out.setdefault(key, {"year": year, "tier": key[1], "enterprises": 0, "granted": 0, "used": 0,
                                 "available": 0, "lapsed": 0})
        r["enterprises"] += 1
        r["granted"] += granted_
        r["used"] += used
        r["available"] += available(granted_, used, year, today)
        r["lapsed"] += granted_ - used if lapsed(year, today) else 0
    return [out[k] for k in sorted(out)]


def quota_totals(rows: Iterable[dict]) -> list[dict]:
    """The rows of quota_report summed per year."""
    totals: dict[int, dict] = {}
    for r in rows:
        t = totals.setdefault(r["year"], {"year": r["year"], "enterprises": 0, "granted": 0, "used": 0,
                                          "available": 0, "lapsed": 0})
        for k in ("enterprises", "granted", "used", "available", "lapsed"):
            t[k] += r[k]
    return [totals[y] for y in sorted(totals)]


def nomination_report(rows: Iterable[tuple[int, str, str]]) -> list[dict]:
    """Nominations counted by (year, category, state) from (year, category, state) rows; every
    category and state appears for each year present, zeros included."""
    counts: dict[int, dict[str, dict[str, int]]] = {}
    for year, category, state in rows:
        by_cat = counts.setdefault(year, {c: dict.fromkeys(STATES, 0) for c in CATEGORIES})
        by_cat.setdefault(category, dict.fromkeys(STATES, 0))[state] += 1
    return [{"year": y, "category": c, "by_state": s, "total": sum(s.values())}
            for y in sorted(counts) for c, s in counts[y].items()]
