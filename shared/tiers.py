"""The cultivation ladder's tier codes, lowest to highest (API.md)."""
from __future__ import annotations

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


def rank(tier: str) -> int:
    return LADDER.index(Tier(tier))


def at_least(tier: str, floor: str) -> bool:
    return rank(tier) >= rank(floor)
