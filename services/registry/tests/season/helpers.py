"""Enterprises placed for a declaration: an innovative title and figures that meet the municipal
SRDI criteria (both the 2022 and the 2026 rule sets), or figures that miss them narrowly."""
import datetime as dt

from shared.clock import today

MEETS = {"years_in_niche": 5, "rd_spend_yuan": 2_000_000, "revenue_yuan": 40_000_000,
         "main_business_share_pct": "90", "srdi_score": "75", "staff": 100, "rd_staff": 30}
NEAR = {**MEETS, "rd_spend_yuan": 1_100_000}  # 2.75 % of revenue: short of 3 %, within the near-miss gap


async def titled(econ, uscc: str, tier: str = "innovative") -> None:
    r = await econ.post(f"/api/v1/enterprises/{uscc}/certifications",
                        json={"tier": tier, "recognized_on": (today() - dt.timedelta(days=200)).isoformat()})
    assert r.status_code == 201, r.text


async def figures(econ, uscc: str, year: int, facts: dict = MEETS) -> None:
    r = await econ.put(f"/api/v1/enterprises/{uscc}/indicators/{year}", json=facts)
    assert r.status_code in (200, 201), r.text


async def qualify(econ, uscc: str, year: int, facts: dict = MEETS) -> None:
    """An innovative SME with `year`'s figures: a candidate for 北京市专精特新."""
    await titled(econ, uscc)
    await figures(econ, uscc, year, facts)
