"""The cultivation ladder's tier codes, lowest to highest (API.md)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum


class Tier(StrEnum):
    sme = "sme"
    innovative = "innovative"
    potential = "potential"
    municipal_srdi = "municipal_srdi"
    municipal_little_giant = "municipal_little_giant"
    national_little_giant = "national_little_giant"
    single_champion = "single_champion"


LADDER: tuple[Tier, ...] = tuple(Tier)

# The titles' names as the bureau writes them, for explanations, exports and pages.
TIER_ZH: dict[str, str] = {
    "sme": "中小企业", "innovative": "创新型中小企业", "potential": "专精特新培育库企业",
    "municipal_srdi": "北京市专精特新中小企业", "municipal_little_giant": "北京市专精特新“小巨人”企业",
    "national_little_giant": "国家级专精特新“小巨人”企业", "single_champion": "制造业单项冠军企业",
}


def rank(tier: str) -> int:
    return LADDER.index(Tier(tier))


def at_least(tier: str, floor: str) -> bool:
    return rank(tier) >= rank(floor)


# -- the tier on a date, from validity windows (the one projection every service uses) ----------
# A certification is anything with tier, recognized_on, expires_on (the last valid day) and
# revoked_on (None, or the first day it no longer counts). Titles lapse the day after their last
# valid day for every department at once: no sweep is needed to read the tier.

def active_on(cert, on: dt.date) -> bool:
    # A voided certification was entered by mistake: it never counted, on any date.
    if getattr(cert, "state", None) == "voided":
        return False
    return cert.recognized_on <= on <= cert.expires_on and not (cert.revoked_on and cert.revoked_on <= on)


def state_on(cert, on: dt.date) -> str:
    """A certification's state on a date, from its dates alone (a stored state waits for the
    registry's sweep): voided on every date (entered by mistake), revoked from its `revoked_on`
    (a revocation dated later has not happened yet), not_yet before its recognition, expired after
    its last valid day, else active: active exactly when `active_on`. The registry shows it on its
    records; a department reads it on the registry's record it holds."""
    if getattr(cert, "state", None) == "voided":
        return "voided"
    if cert.revoked_on and cert.revoked_on <= on:
        return "revoked"
    if on < cert.recognized_on:
        return "not_yet"
    return "active" if on <= cert.expires_on else "expired"


def tier_on(certs: Iterable, on: dt.date) -> str:
    """The highest title active on the date; `sme` when none is."""
    best = 0
    for c in certs:
        if active_on(c, on):
            best = max(best, rank(c.tier))
    return LADDER[best].value


def held_on(certs: Iterable, on: dt.date) -> set[str]:
    """Every title active on the date (an enterprise may hold several at once)."""
    return {c.tier for c in certs if active_on(c, on)}


def changes_on(certs: Iterable) -> list[dt.date]:
    """The days on which the tier can change (a recognition, the day after a last valid day, a
    revocation), sorted: between two of them the tier is constant."""
    days: set[dt.date] = set()
    for c in certs:
        if getattr(c, "state", None) == "voided":
            continue
        days.add(c.recognized_on)
        days.add(c.expires_on + dt.timedelta(days=1))
        if c.revoked_on:
            days.add(c.revoked_on)
    return sorted(days)
