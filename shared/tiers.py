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
