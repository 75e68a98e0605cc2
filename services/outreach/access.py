"""Who may do what in outreach (README, Roles), and the one place reads are scoped.

Every repository's `readable(who)` starts from `scoped(who, select(X))`: the bureau (econ), the
enterprise portal (platform) and the auditor read everything; the service's own jobs (`SYSTEM`)
too; anyone else finds nothing (a 404, never another's object). The routes check the role first
(`Reader`, `Recorder`, `Writer`: 403), so `scoped` is the second lock, not the only one."""
from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import Select, false
from sqlalchemy.orm import Session

from shared import pagination
from shared.auth import Caller, Principal
from shared.db import for_update
from shared.errors import not_found

READERS = ("econ", "auditor", "platform")
Writer = Caller("econ")                # the lead bureau (区经信局)
Recorder = Caller("econ", "platform")  # proposals, showcase, interest, contacts: the bureau or the portal
Reader = Caller(*READERS)
InboxReader = Caller(*READERS, "enterprise")  # an enterprise reads its own inbox (notices.readable_deliveries)
# An enterprise signed in (org = its USCC) reads the open scenarios and those it proposed to, with its own
# proposals and contracts only, and proposes for itself (scenarios.repository.readable, service.propose).
ScenarioReader = Caller(*READERS, "enterprise")
Proposer = Caller("econ", "platform", "enterprise")

# The service's own background work (the reminder job): no token carries this role.
SYSTEM = Principal(role="system", org=None, sub="reminders")


def scoped(who: Principal, stmt: Select) -> Select:
    """`stmt` as `who` may read it: everything for the readers, nothing for anyone else."""
    return stmt if who.role in (*READERS, SYSTEM.role) else stmt.where(false())


def one(s: Session, stmt: Select, what_zh: str, what_en: str, ident, lock: bool = False):
    """The one row of a readable statement, locked for a write when asked, or 404."""
    row = s.scalars(for_update(s, stmt) if lock else stmt).first()
    if row is None:
        raise not_found(what_zh, what_en, str(ident))
    return row


def page(rows: list, limit: int) -> dict:
    """A page of rows (or answers) with an `id`: `{items, next_cursor}` (shared.pagination)."""
    return pagination.page(rows, limit, key=lambda r: str(r["id"] if isinstance(r, dict) else r.id))


def save(s: Session, row):
    """Add a new row and flush it (its id assigned); the request commits, never the use case."""
    s.add(row)
    s.flush()
    return row


def dump(model: type[BaseModel], row) -> dict:
    """A row as its answer's JSON (what the audit log keeps as before/after)."""
    return model.model_validate(row).model_dump(mode="json")
