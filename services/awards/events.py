"""What awards publishes (award.changed.v1, receivable.changed.v1, award.carried_over.v1: the shared
contract models). What it consumes is in handlers.py."""
from __future__ import annotations

from sqlalchemy.orm import Session

from shared.contracts.awards import (
    AwardCarriedOver,
    AwardChanged,
    ReceivableChanged,
    RepaymentFact,
)
from shared.events import emit_data


def changed(s: Session, award) -> None:
    emit_data(s, award.uscc or award.payee, AwardChanged(
        award_id=award.id, award_key=award.award_key, uscc=award.uscc, program=award.program, tier=award.tier, payee=award.payee,
        amount_yuan=award.amount_yuan, state=award.state, flag=award.flag))


def receivable_changed(s: Session, r, award, version: int, repayment=None) -> None:
    """The whole receivable after it was opened, repaid or written off (`version`: 1 + changes since)."""
    written = r.amount_yuan - r.recovered_yuan if r.state == "written_off" else 0
    emit_data(s, r.uscc or r.payee, ReceivableChanged(
        receivable_id=r.id, version=version, award_id=r.award_id, award_key=award.award_key, program=r.program,
        uscc=r.uscc, payee=r.payee, payee_type=r.payee_type, amount_yuan=r.amount_yuan,
        recovered_yuan=r.recovered_yuan, written_off_yuan=written,
        outstanding_yuan=r.amount_yuan - r.recovered_yuan - written, budget_year=r.budget_year,
        opened_on=r.opened_on, due_on=r.due_on, state=r.state, reason=r.reason, closed_reason=r.closed_reason,
        last_repayment=None if repayment is None else RepaymentFact(
            amount_yuan=repayment.amount_yuan, on=repayment.repaid_on, voucher=repayment.voucher)))


def carried_over(s: Session, award, c) -> None:
    """An award carried to the next year's budget (still reviewed): its record with the carry-over."""
    emit_data(s, award.uscc or award.payee, AwardCarriedOver(
        award_id=award.id, award_key=award.award_key, uscc=award.uscc, program=award.program, tier=award.tier,
        payee=award.payee, payee_type=award.payee_type, amount_yuan=award.amount_yuan, state=award.state,
        from_year=c.from_year, to_year=c.to_year, note=c.note))
