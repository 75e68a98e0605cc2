"""Carry-over as data (pure): which refusals may be carried, and to which year."""
from __future__ import annotations

# The approval refusals that are a lack of budget (ledger.service.reserve): only these may be carried over.
REFUSALS = ("no-budget", "budget-exceeded")
REFUSALS_ZH = {"no-budget": "当年未设定预算", "budget-exceeded": "当年预算不足"}


def to_year(refused_in: int) -> int:
    """An award refused for lack of a year's budget waits for the next year's."""
    return refused_in + 1


def why_not(state: str, refused_in: int | None, this_year: int) -> tuple[str, str, str] | None:
    """(code, Chinese, English) when an award may not be carried over, else None."""
    if state != "reviewed":
        return ("invalid-state", "只有已审核且因预算不足未获批准的奖励可以结转",
                f"only a reviewed award refused for lack of budget may be carried over (it is {state})")
    if refused_in is None:
        return ("not-refused", "该奖励未曾因预算不足被拒绝批准，无需结转",
                "the award's approval was never refused for lack of budget")
    if to_year(refused_in) < this_year:
        return ("refusal-outdated", f"该奖励于 {refused_in} 年因预算不足未获批准，请先在本年度重新批准，如仍不足再结转",
                (f"the award was refused for lack of {refused_in}'s budget: approve it again this year first, "
                 "and carry it over if that is refused"))
    return None
