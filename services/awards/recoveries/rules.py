"""Receivables as data (pure): what is still owed, and the state a repayment leaves."""
from __future__ import annotations

import datetime as dt

# Days the payee has to repay a claw-back from the day it is booked (the notice period of a
# recovery notice, 追回通知书): the dated policy parameter below (seed 90 from 2022-01-01, the district's
# own choice; migration 0012), read in force on the day the receivable is opened.
DUE_DAYS_KEY = "award.recovery.due_days"
STATES = ("open", "partly_repaid", "repaid", "written_off")
OPEN = ("open", "partly_repaid")  # still owed: repayments and a write-off are allowed
STATES_ZH = {"open": "待追回", "partly_repaid": "部分追回", "repaid": "已全部追回", "written_off": "已核销"}
# What may be done to a receivable still owed, and by whom (the endpoints check the same: a closed one
# is 409, another role 403).
ACTIONS = {"repay": ("treasury",), "write_off": ("treasury",)}


def actions(state: str) -> dict[str, list[str]]:
    """The actions a receivable in `state` allows, each with the roles that may take it (what a page offers)."""
    return {action: list(roles) for action, roles in ACTIONS.items()} if state in OPEN else {}


def due_on(opened_on: dt.date, due_days: int) -> dt.date:
    """The day a receivable opened on `opened_on` falls due: `due_days` (the parameter in force on
    that day) later."""
    return opened_on + dt.timedelta(days=due_days)


def outstanding(amount: int, recovered: int, state: str) -> int:
    """What is still owed: nothing once repaid or written off."""
    return 0 if state == "written_off" else max(amount - recovered, 0)


def state_after(amount: int, recovered: int) -> str:
    """The state once `recovered` of `amount` has come back."""
    if recovered <= 0:
        return "open"
    return "repaid" if recovered >= amount else "partly_repaid"
