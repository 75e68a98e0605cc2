"""Payable use cases: the finance office's request to pay a subsidy quarter or a compensation share
becomes an award of its programme, created reviewed (finance computed and checked it; the treasury
approves it against the programme's budget, pays it in a batch or with a voucher, like any award).
They write through the session and never commit."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.awards import rules as awards_rules
from services.awards.payables import rules
from services.awards.tables import Award
from services.awards.workflow.service import create, move, refused
from shared import clock
from shared.contracts.finance import PayableRequested


def on_requested(s: Session, event_id: str, data: PayableRequested) -> Award | None:
    """One award per payable: computed with its ledger entry, then reviewed by the finance office that
    asked (the transition names who). A redelivered or replayed request finds the key taken and pays
    nothing more; one that cannot be paid is recorded in the audit log with the reason (not retried)."""
    try:
        decision = rules.decision(data.kind, data.payable_id, data.loan_id, data.ref, data.amount_yuan,
                                  data.payee_type, data.requested_on, data.requested_by, data.basis, clock.today())
    except awards_rules.Ineligible as why:
        refused(s, f"event:{event_id}", "payable", str(data.payable_id), why, kind=data.kind, uscc=data.uscc)
        return None
    award = create(s, rules.key(data.kind, data.payable_id), decision, data.uscc, data.payee, data.payee_type,
                   data.requested_on, event_id)
    if award is not None:
        move(s, award, "reviewed", data.requested_by[:200], "区金融办已核定并申请拨付 / asked for by the finance office")
    return award
