"""What talent publishes (typed in shared.contracts.talent). What it consumes is in handlers.py.

No personal data ever goes into an event: a nomination is announced by id, enterprise, year,
category and state only."""
from __future__ import annotations

from sqlalchemy.orm import Session

from shared.contracts.talent import NominationChanged, QuotaCancelled, QuotaGranted
from shared.events import emit_data


def quota_granted(s: Session, uscc: str, year: int, count: int, basis: dict) -> None:
    """A year's grant was created or raised; `count` is the year's grant after the change."""
    emit_data(s, uscc, QuotaGranted(uscc=uscc, year=year, count=count, basis=basis))


def quota_cancelled(s: Session, uscc: str, year: int, count: int, cancelled: int, basis: dict) -> None:
    """A year's grant fell (a revocation for cause, or a returned quota of a cancelled
    entitlement); `count` is the year's grant after the change, `cancelled` how many went."""
    emit_data(s, uscc, QuotaCancelled(uscc=uscc, year=year, count=count, cancelled=cancelled, basis=basis))


def nomination_changed(s: Session, n) -> None:
    emit_data(s, n.uscc, NominationChanged(nomination_id=n.id, uscc=n.uscc, year=n.year, category=n.category,
                                           state=n.state))
