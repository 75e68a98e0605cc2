"""Pure rules of the service package (服务包): request moves and deadlines, what a hotline caller's
personal data looks like to readers other than the lead bureau, the per-township session summary. No I/O."""
from __future__ import annotations

import datetime as dt

# -- service package (服务包) ------------------------------------------------------------------
REQUEST_CATEGORIES = ("qualification", "subsidy", "talent", "finance", "land_space", "other")
REQUEST_MOVES = {"open": {"accepted", "resolved", "rejected"}, "accepted": {"resolved", "rejected"},
                 "resolved": set(), "rejected": set()}
CLOSED = ("resolved", "rejected")
# For the Chinese half of an answer: the codes as the bureau says them.
STATE_ZH = {"open": "待受理", "accepted": "已受理", "resolved": "已办结", "rejected": "已退回"}
DEPARTMENT_ZH = {"econ": "区经信局", "treasury": "区财政局", "talent": "区人社局 / 区委人才办", "finance": "区金融服务办",
                 "park": "园区"}
CATEGORY_ZH = {"qualification": "资质认定", "subsidy": "资金补贴", "talent": "人才", "finance": "融资",
               "land_space": "用地空间", "other": "其他"}


def owner(routed_to: str, park_id: str | None) -> str:
    """Who owns a request: the department the routing names, except that a request routed to the
    parks for an enterprise in no park has no park to answer it (a park reads only its own
    enterprises'), so it goes to the lead bureau."""
    return "econ" if routed_to == "park" and not park_id else routed_to


def can_move(state: str, to: str) -> bool:
    return to in REQUEST_MOVES.get(state, set())


def moves(state: str, department: str) -> dict[str, list[str]]:
    """The states a request may move to from `state`, each with the roles that may move it: the lead
    bureau and the owning department (a park only for its own enterprises': the endpoint checks it)."""
    return {to: ["econ", department] if department != "econ" else ["econ"]
            for to in sorted(REQUEST_MOVES.get(state, set()), key=("accepted", "resolved", "rejected").index)}


def overdue(state: str, due_on: dt.date, on: dt.date) -> bool:
    """Still open (or accepted) after its due day."""
    return state not in CLOSED and on > due_on


# -- hotline (热线咨询) and policy sessions (政策宣讲会) ------------------------------------------
def mask_phone(phone: str | None) -> str | None:
    """A phone number as readers other than the lead bureau see it: a mobile number (11 digits or
    more) keeps its first 3 and last 4 (138****5678), a shorter one (a landline: 6936****) only its
    last 2; separators dropped."""
    if phone is None:
        return None
    digits = "".join(c for c in phone if c.isascii() and c.isdigit())
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


def mask_name(name: str | None) -> str | None:
    """A caller's name as readers other than the lead bureau see it: the first character (the
    surname) and one * per further character."""
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1)


def session_summary(sessions: list[tuple[int, str]], attendance: list[tuple[int, str, int]]) -> dict:
    """Per township: sessions held, distinct enterprises attending them, attendees; and the totals
    (an enterprise attending in two townships is counted once in the total's `enterprises`).
    `sessions`: (id, township); `attendance`: (session id, uscc, attendees)."""
    township_of = dict(sessions)
    rows: dict[str, dict] = {}
    for _, township in sessions:
        row = rows.setdefault(township, {"township": township, "sessions": 0, "enterprises": set(), "attendees": 0})
        row["sessions"] += 1
    everyone: set[str] = set()
    total_attendees = 0
    for session_id, uscc, attendees in attendance:
        township = township_of.get(session_id)
        if township is None:
            continue
        rows[township]["enterprises"].add(uscc)
        rows[township]["attendees"] += attendees
        everyone.add(uscc)
        total_attendees += attendees
    out = [{**r, "enterprises": len(r["enterprises"])} for _, r in sorted(rows.items())]
    return {"townships": out, "totals": {"sessions": len(sessions), "enterprises": len(everyone),
                                         "attendees": total_attendees}}
