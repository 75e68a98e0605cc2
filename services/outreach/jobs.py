"""Outreach's background jobs: the notice dispatcher (notices/dispatch.py) every
`outreach.notice.poll_s` seconds and the programme reminders (programmes/service.py) every
`outreach.programme.reminder_poll_s` seconds, both idempotent, so a restart sends or reminds no one
twice. An interval missing from the policy is logged as an error (an operator must set it) and
asked for again a minute later; nothing runs on an interval the policy does not give."""
from __future__ import annotations

import structlog

from services.outreach.access import SYSTEM
from services.outreach.notices.dispatch import dispatch_once
from services.outreach.programmes.service import remind_closing
from shared import params
from shared.app import every
from shared.clock import today
from shared.errors import Problem

log = structlog.get_logger()
ASK_AGAIN_S = 60.0  # how soon a missing interval parameter is looked up again


def _interval(key: str):
    def interval(app) -> float:
        with app.state.db.reader() as s:
            try:
                return float(params.in_force(s, today(), key.rsplit(".", 1)[0] + ".")[key].value)
            except Problem:
                log.error("policy parameter missing: the job waits for it", parameter=key)
                return ASK_AGAIN_S
    return interval


def dispatch(app) -> None:
    """Dispatch due deliveries."""
    result = dispatch_once(app)
    if result["claimed"]:
        log.info("notices dispatched", **result)


def remind(app) -> None:
    """Remind applicants of closing windows (programmes/service.remind_closing)."""
    with app.state.db.transaction() as s:
        result = remind_closing(s, SYSTEM, today())
    if result["reminders"]:
        log.info("programme reminders", reminders=result["reminders"])


delivery_worker = every("delivery_worker", dispatch, _interval("outreach.notice.poll_s"))
reminder_worker = every("reminder_worker", remind, _interval("outreach.programme.reminder_poll_s"))
