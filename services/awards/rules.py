"""Pure award rules over facts and dated parameters (POLICY.md, proposal section 三/四). No I/O.

Every decision carries its `basis`: the rule, the inputs, the parameter rows used and what
earlier awards it deducted, so that an award can explain itself years later.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from shared.params import Param
from shared.tiers import rank

STATES = ("computed", "reviewed", "approved", "disbursed", "rejected", "clawed_back")
COUNTED = ("computed", "reviewed", "approved", "disbursed")  # rejected and clawed back pay nothing


@dataclass(frozen=True)
class Decision:
    program: str
    amount_yuan: int
    basis: dict
    tier: str | None = None


@dataclass(frozen=True)
class Facts:
    """What the rules know of an enterprise when a promotion arrives."""

    uscc: str
    to_tier: str
    recognized_on: dt.date
    first_time_at_tier: bool
    relocated_on: dt.date | None = None
    relocated_from: str | None = None
    introducer: str | None = None
    earlier_tier_awards: list[tuple[int, str, int]] = field(default_factory=list)  # (id, tier, yuan)


def _cite(*params: Param | None) -> list[dict]:
    return [p.cite() for p in params if p is not None]


def tier_award(f: Facts, params: dict[str, Param]) -> Decision | None:
    """One-time award the first time a tier is reached; on promotion only the difference to what
    the enterprise already received (单个企业不重复享受，晋级补差)."""
    p = params.get(f"award.tier.{f.to_tier}")
    if p is None or not f.first_time_at_tier:
        return None  # no award for this tier, or a renewal (复核)
    already = sum(yuan for _, _, yuan in f.earlier_tier_awards)
    amount = int(p.value) - already
    if amount <= 0:
        return None
    return Decision("tier", amount, {
        "rule": "tier_award_with_top_up",
        "explanation": f"{f.to_tier} 奖励 {int(p.value)} 元，扣除已获层级奖励 {already} 元，补差 {amount} 元",
        "inputs": {"tier": f.to_tier, "recognized_on": f.recognized_on.isoformat(),
                   "first_time_at_tier": True},
        "amount_for_tier_yuan": int(p.value), "already_awarded_yuan": already,
        "deductions": [{"award_id": i, "tier": t, "amount_yuan": y} for i, t, y in f.earlier_tier_awards],
        "parameters": _cite(p)}, tier=f.to_tier)


def _outside_beijing(origin: str | None) -> bool:
    return bool(origin) and not origin.strip().lower().startswith(("北京", "beijing"))


def relocation_award(f: Facts, params: dict[str, Param]) -> Decision | None:
    """An enterprise brought in from outside Beijing on or after the cut-off, on first reaching a
    titled tier, receives a one-time award on top of the tier award."""
    amount, cutoff, floor = (params.get("award.relocation.amount"), params.get("award.relocation.cutoff"),
                             params.get("award.relocation.min_tier"))
    if not (amount and cutoff and floor) or f.relocated_on is None:
        return None
    if not _outside_beijing(f.relocated_from) or f.relocated_on < dt.date.fromisoformat(cutoff.value):
        return None
    if rank(f.to_tier) < rank(floor.value):
        return None
    return Decision("relocation", int(amount.value), {
        "rule": "relocation_award",
        "explanation": f"{f.relocated_on} 自 {f.relocated_from} 迁入（不早于 {cutoff.value}），"
                       f"首次达到 {f.to_tier}，一次性入区奖励 {int(amount.value)} 元",
        "inputs": {"relocated_on": f.relocated_on.isoformat(), "relocated_from": f.relocated_from,
                   "tier": f.to_tier, "recognized_on": f.recognized_on.isoformat()},
        "parameters": _cite(amount, cutoff, floor)})


def introducer_award(f: Facts, relocation: Decision | None, params: dict[str, Param]) -> Decision | None:
    """The intermediary that brought in an enterprise earning the relocation award gets a one-time
    award, recorded against the enterprise with the intermediary as payee."""
    p = params.get("award.introducer.amount")
    if relocation is None or p is None or not f.introducer:
        return None
    return Decision("introducer", int(p.value), {
        "rule": "introducer_award",
        "explanation": f"中介机构 {f.introducer} 引入企业 {f.uscc} 并获入区奖励，一次性奖励 {int(p.value)} 元",
        "inputs": {"introducer": f.introducer, "introduced_uscc": f.uscc},
        "parameters": _cite(p)})


def featured_park_award(park_id: str, designated_on: dt.date, params: dict[str, Param]) -> Decision | None:
    """The first park designated an SRDI featured park receives a one-time award."""
    p = params.get("award.featured_park.amount")
    if p is None:
        return None
    return Decision("featured_park", int(p.value), {
        "rule": "first_featured_park_award",
        "explanation": f"首家“专精特新”特色园区 {park_id}（{designated_on} 认定），一次性奖励 {int(p.value)} 元",
        "inputs": {"park_id": park_id, "designated_on": designated_on.isoformat()},
        "parameters": _cite(p)})


# -- the review workflow: (action, from states, to state, roles) -----------------------------
TRANSITIONS = {
    "review": (("computed",), "reviewed", ("econ",)),
    "approve": (("reviewed",), "approved", ("treasury",)),
    "disburse": (("approved",), "disbursed", ("treasury",)),
    "reject": (("computed", "reviewed", "approved"), "rejected", ("econ", "treasury")),
}


def next_state(action: str, state: str, role: str) -> str | tuple[str, str]:
    """The new state, or ("forbidden"|"conflict", why) when the action may not happen."""
    sources, target, roles = TRANSITIONS[action]
    if role not in roles:
        return ("forbidden", f"role {role} may not {action}; allowed: {', '.join(roles)}")
    if state not in sources:
        return ("conflict", f"cannot {action} an award in state {state}; allowed from {', '.join(sources)}")
    return target
