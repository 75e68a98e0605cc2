"""What finance publishes (typed in shared.contracts.finance), through the outbox in the
transaction of the change. What it consumes is registered in handlers.py."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from shared.contracts.finance import EnterpriseListed, LoanChanged, PayableRequested, ServiceListChanged
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


def payable_requested(s: Session, p) -> None:
    """The finance office asks the treasury to pay a subsidy quarter or a compensation share: the whole
    payable, which the awards service keeps as an award of its programme."""
    emit_data(s, p.uscc, PayableRequested(
        payable_id=p.id, kind=p.kind, loan_id=p.loan_id, ref=p.ref, uscc=p.uscc, payee=p.payee,
        payee_type=p.payee_type, amount_yuan=p.amount_yuan, requested_on=p.requested_on,
        requested_by=p.requested_by, basis=p.basis))
