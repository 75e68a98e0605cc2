"""Validity reminder use cases: the sweep that announces the reminders due (from the expiry
sweeper's loop and `POST /admin/reminders/run`) and the list of what was announced. They write
through the caller's session and never commit.

One reminder per enterprise and cycle: the `reminder_sent` row (unique on uscc × cycle) and the
srdi.registry.reminder.due.v1 event are written in the same transaction, the row under a savepoint
(shared.db.insert), so a sweep run twice, or two sweeps at once, announce each cycle once."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.registry.reminders import repository as repo
from services.registry.reminders import rules
from services.registry.reminders.schemas import ReminderPublic
from services.registry.screening.repository import param
from services.registry.tables import ReminderSent
from shared import audit, pagination
from shared.contracts.registry import ReminderDue
from shared.db import insert
from shared.events import emit, new_event

SYSTEM_ACTOR = "system:reminders"
KEYS = {"title_lapse_months": "reminder.title_lapse.months", "annual_update_months": "reminder.annual_update.months",
        "annual_update_deadline": "annual_update.deadline", "annual_update_min_tier": "reminder.annual_update.min_tier"}


class _Taken(Exception):
    """The cycle was announced by another sweep meanwhile."""


def settings(s: Session, on: dt.date) -> tuple[rules.Settings, dict]:
    """The parameters in force on `on` (a missing one is a 422 naming it), and their citations."""
    p = {name: param(s, on, key) for name, key in KEYS.items()}
    return rules.Settings(lapse_months=int(p["title_lapse_months"].value),
                          update_months=int(p["annual_update_months"].value),
                          deadline=str(p["annual_update_deadline"].value),
                          update_floor=str(p["annual_update_min_tier"].value)), \
        {name: x.cite() for name, x in p.items()}


def announce(s: Session, d: rules.Due, on: dt.date, actor: str) -> bool:
    """Record the reminder and publish it, in the caller's transaction; False when the cycle was
    already announced (the unique key, also against a concurrent sweep)."""
    data = ReminderDue(uscc=d.uscc, name=d.name, kind=d.kind, cycle=d.cycle, due_on=d.due_on, tier=d.tier,
                       certification_id=d.certification_id)
    event = new_event(data.SERVICE, data.NAME, d.uscc, data.model_dump(mode="json"))
    row = ReminderSent(uscc=d.uscc, kind=d.kind, cycle=d.cycle, due_on=d.due_on, tier=d.tier,
                       certification_id=d.certification_id, sent_on=on, event_id=event.id)
    try:
        insert(s, row, _Taken())
    except _Taken:
        return False
    emit(s, event)
    audit.record(s, actor, "reminder.due", "reminder_sent", f"{d.uscc}/{d.cycle}", None,
                 ReminderPublic.model_validate(row).model_dump(mode="json"))
    return True


def sweep(s: Session, on: dt.date, actor: str = SYSTEM_ACTOR) -> dict:
    """Announce every reminder due on `on` that was not announced before. Returns the counts."""
    rule_settings, basis = settings(s, on)
    usccs = repo.candidates(s, on, rule_settings)
    years = [y for y, _ in rules.deadlines(on, rule_settings.deadline, rule_settings.update_months)]
    done = repo.sent_cycles(s, usccs)
    counts = {rules.TITLE_LAPSE: 0, rules.ANNUAL_UPDATE: 0, "already_sent": 0}
    for d in rules.due(repo.holders(s, usccs, years), on, rule_settings):
        if (d.uscc, d.cycle) not in done and announce(s, d, on, actor):
            counts[d.kind] += 1
        else:
            counts["already_sent"] += 1
    return {"on": on, **counts, "basis": basis}


def listed(s: Session, uscc: str | None, kind: str | None, cursor: str | None, limit: int) -> dict:
    rows = repo.sent(s, uscc, kind, pagination.decode_id(cursor), limit)
    return pagination.page(rows, limit, key=lambda r: str(r.id))
