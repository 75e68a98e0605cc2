"""A loan case's steps as data (pure): which step a case in which state allows, and who takes it (a
bank: the lending bank, or the provider of the case's guarantee or insurance product)."""
from __future__ import annotations

# step: (the states it is allowed from, who takes it)
STEPS = {
    "decision": (("applied",), "lender"),
    "provider_decision": (("applied", "approved"), "provider"),
    "draw": (("approved",), "lender"),
    "extend": (("drawn",), "lender"),
    "repay": (("drawn",), "lender"),
    "default": (("drawn",), "lender"),
    "repayments": (("drawn", "repaid"), "lender"),
}


def states_for(step: str) -> tuple[str, ...]:
    return STEPS[step][0]


def actions(state: str) -> dict[str, str]:
    """The steps a case in `state` allows, each with who takes it (what a bank's page offers)."""
    return {step: who for step, (states, who) in STEPS.items() if state in states}
