"""What finance publishes (typed in shared.contracts.finance), through the outbox in the
transaction of the change. What it consumes is registered in handlers.py."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from shared.contracts.finance import EnterpriseListed, LoanChanged, ServiceListChanged
from shared.events import emit_data


def service_list_changed(s: Session, entry) -> None:
    """An enterprise joined or left the list, or its tier or name on it changed."""
    emit_data(s, entry.uscc, ServiceListChanged(uscc=entry.uscc, name=entry.name, tier=entry.tier,
                                                listed=entry.listed, since=entry.since,
                                                removed_on=entry.removed_on, reason=entry.removed_reason))


def loan_changed(s: Session, loan, action: str) -> None:
    """A loan case changed (apply, approve, decline, draw, extension, renewal, adjusted_plan, repay,
    default; a provider's guarantee / insurance decision)."""
    emit_data(s, loan.uscc, LoanChanged(
        loan_id=loan.id, uscc=loan.uscc, bank=loan.bank, action=action, state=loan.state,
        amount_yuan=loan.drawn_yuan if loan.drawn_yuan is not None else loan.applied_yuan))


def enterprise_listed(s: Session, uscc: str, board: str, listed_on: dt.date) -> None:
    """The enterprise listed (上市); the awards service makes the listing award claimable from it."""
    emit_data(s, uscc, EnterpriseListed(uscc=uscc, board=board, listed_on=listed_on))
