"""Payables as data (pure): their kinds and states, and how an award's state, as the awards service
announces it, moves a payable's. No I/O."""
from __future__ import annotations

KINDS = ("first_loan_subsidy", "npl_compensation")  # the awards programmes of the same names
KINDS_ZH = {"first_loan_subsidy": "首贷贴息", "npl_compensation": "不良贷款风险补偿"}
STATES_ZH = {"requested": "待财政局批准", "approved": "已批准", "paid": "已拨付", "refused": "未获批准",
             "clawed_back": "已追回"}
# A payable's money is asked for, owed or paid: counted as paid before a later quarter's subsidy.
COUNTS = ("requested", "approved", "paid")
# Nothing more is asked for the same quarter or recipient while one of these stands (a claw-back is
# the treasury's to settle, not a reason to ask again).
STANDS = (*COUNTS, "clawed_back")

# The award's state → the payable's.
FROM_AWARD = {"computed": "requested", "reviewed": "requested", "approved": "approved", "disbursed": "paid",
              "rejected": "refused", "withdrawn": "refused", "withheld": "refused", "clawed_back": "clawed_back"}
# How far along each state is: a payable only moves forward, so an older event redelivered after a
# newer one changes nothing.
STEP = {"requested": 0, "approved": 1, "paid": 2, "refused": 2, "clawed_back": 3}


def key(kind: str, payable_id: int) -> str:
    """The award's natural key for a payable: one award per payable, whatever asks again."""
    return f"{kind}:{payable_id}"


def payable_of(award_key: str | None) -> int | None:
    """The payable id an award's key names, or None for an award of another programme."""
    kind, _, rest = (award_key or "").partition(":")
    return int(rest) if kind in KINDS and rest.isdigit() else None


def moved(current: str, award_state: str) -> str | None:
    """The payable's new state for an award now in `award_state`, or None when nothing changes (the
    same state, an older one, or a state that says nothing of payment)."""
    new = FROM_AWARD.get(award_state)
    if new is None or new == current or STEP[new] <= STEP[current] or current == "refused":
        return None
    return new
