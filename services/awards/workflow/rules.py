"""The review workflow as data: which action moves an award from which states to which, by whom (pure)."""
from __future__ import annotations

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


def actions(state: str) -> dict[str, list[str]]:
    """The actions an award in `state` allows, each with the roles that may take it (what a page offers)."""
    return {action: list(roles) for action, (sources, _, roles) in TRANSITIONS.items() if state in sources}


ACTIONS_ZH = {"review": "审核", "approve": "批准", "disburse": "拨付", "reject": "驳回"}
ROLES_ZH = {"econ": "区经信局", "treasury": "区财政局", "auditor": "审计", "park": "园区"}
