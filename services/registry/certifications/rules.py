"""Pure certification rules: validity, the tier on a date, what a change means, the re-application
ban. No I/O."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from shared.tiers import LADDER, Tier, active_on, held_on, rank, state_on, tier_on  # noqa: F401 - some re-exported


@dataclass(frozen=True)
class Cert:
    """The facts of a certification the rules need."""

    id: int
    tier: str
    recognized_on: dt.date
    expires_on: dt.date
    revoked_on: dt.date | None = None
    state: str = "active"  # "voided": entered by mistake, it never counts (shared.tiers.active_on)


def expiry(recognized_on: dt.date, years: int) -> dt.date:
    """Valid `years` years: the last valid day is the day before the anniversary (29 Feb → 28 Feb)."""
    try:
        anniversary = recognized_on.replace(year=recognized_on.year + years)
    except ValueError:  # 29 February, anniversary in a common year
        anniversary = dt.date(recognized_on.year + years, 3, 1)
    return anniversary - dt.timedelta(days=1)


# The tier on a date and a certification's state on a date (state_on: not_yet, active, expired,
# revoked, voided) are the suite's one projection (shared.tiers), the same for every department.


@dataclass(frozen=True)
class Change:
    kind: str  # "promoted" or "demoted"
    from_tier: str
    to_tier: str
    on: dt.date


def change_on_add(existing: list[Cert], new: Cert) -> Change | None:
    """A new certification promotes when the tier on its recognition date rises."""
    before = tier_on(existing, new.recognized_on)
    # tier_on([*existing, new]): the new title counts when it is active on its own date
    if active_on(new, new.recognized_on) and rank(new.tier) > rank(before):
        return Change("promoted", before, LADDER[rank(new.tier)].value, new.recognized_on)
    return None


def first_time_at(existing: list[Cert], tier: str) -> bool:
    """Re-recognition at a tier already held once (renewal, 复核) is not a first time; a voided
    certification was never held."""
    return not any(c.tier == tier and c.state != "voided" for c in existing)


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
