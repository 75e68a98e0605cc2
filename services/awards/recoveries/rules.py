"""Receivables as data (pure): what is still owed, and the state a repayment leaves."""
from __future__ import annotations

import datetime as dt

# Days the payee has to repay a claw-back from the day it is booked (the notice period of a
# recovery notice, 追回通知书): a constant until the district names one (then a dated policy parameter).
DUE_DAYS = 90
STATES = ("open", "partly_repaid", "repaid", "written_off")
OPEN = ("open", "partly_repaid")  # still owed: repayments and a write-off are allowed
STATES_ZH = {"open": "待追回", "partly_repaid": "部分追回", "repaid": "已全部追回", "written_off": "已核销"}


def due_on(opened_on: dt.date) -> dt.date:
    return opened_on + dt.timedelta(days=DUE_DAYS)


def outstanding(amount: int, recovered: int, state: str) -> int:
    """What is still owed: nothing once repaid or written off."""
    return 0 if state == "written_off" else max(amount - recovered, 0)


def state_after(amount: int, recovered: int) -> str:
    """The state once `recovered` of `amount` has come back."""
    if recovered <= 0:
        return "open"
    return "repaid" if recovered >= amount else "partly_repaid"
