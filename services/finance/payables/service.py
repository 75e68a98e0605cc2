"""Payable use cases: the finance office asks the treasury to pay what it computed (a subsidy quarter, a
compensation to one recipient), announcing the whole record; the awards service's award.changed for it
moves the payable's state. They write through the session and never commit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.finance import events
from services.finance.payables import repository, rules
from services.finance.payables.rules import KINDS_ZH, STATES_ZH
from services.finance.tables import Loan, Payable
from shared import audit
from shared.contracts.awards import AwardChanged
from shared.db import utcnow
from shared.errors import Problem, not_found

RECIPIENTS_ZH = {"bank": "银行", "guarantor": "担保机构"}


def _asked_already(p: Payable) -> Problem:
    what = p.ref if p.kind == "first_loan_subsidy" else RECIPIENTS_ZH.get(p.ref, p.ref)
    return Problem(409, "payable-exists",
                   f"{what} 的{KINDS_ZH[p.kind]}已申请（申请 {p.id}，{STATES_ZH[p.state]}），不能重复申请",
                   f"The {p.kind} for {p.ref} was asked for already (payable {p.id}, {p.state})",
                   payable_id=p.id, state=p.state)


def request(s: Session, actor: str, loan: Loan, kind: str, ref: str, amount_yuan: int, payee: str, payee_type: str,
            basis: dict, today: dt.date) -> Payable:
    """Ask the treasury to pay: recorded and announced in one transaction. 409 while one for the same
    quarter or recipient stands (asked, approved, paid or clawed back); after a refusal, the next attempt."""
    standing = repository.standing(s, kind, loan.id, ref)
    if standing is not None:
        raise _asked_already(standing)
    p = Payable(kind=kind, loan_id=loan.id, ref=ref, attempt=repository.attempts(s, kind, loan.id, ref) + 1,
                uscc=loan.uscc, payee=payee, payee_type=payee_type, amount_yuan=amount_yuan, basis=basis,
                requested_by=actor, requested_on=today)
    s.add(p)
    s.flush()
    audit.record(s, actor, "payable.requested", "payable", str(p.id), None,
                 {"kind": kind, "loan_id": loan.id, "ref": ref, "amount_yuan": amount_yuan, "payee": payee})
    events.payable_requested(s, p)
    return p


def compensation(s: Session, actor: str, loan: Loan, split, today: dt.date) -> list[Payable]:
    """Ask the treasury to pay a non-performing loan's compensation: one payable per recipient with a
    share (the bank; the guarantor of a guaranteed case), as the split computed it. 409 when every
    share was asked for already."""
    if loan.state != "non_performing" or split is None:
        raise Problem(409, "invalid-loan-state", "贷款尚未认定为不良，没有风险补偿", "The loan is not non-performing: "
                      "there is no compensation", state=loan.state)
    shares = [("bank", loan.bank, split.basis.get("compensation_to_bank_yuan", split.compensation_yuan)),
              ("guarantor", loan.guarantor, split.basis.get("compensation_to_guarantor_yuan", 0))]
    asked = [(ref, payee, yuan) for ref, payee, yuan in shares if payee and yuan > 0]
    if not asked:
        raise Problem(422, "no-compensation", "该不良贷款没有区级风险补偿", "This loan carries no district compensation")
    open_ = [x for x in asked if repository.standing(s, "npl_compensation", loan.id, x[0]) is None]
    if not open_:
        raise _asked_already(repository.standing(s, "npl_compensation", loan.id, asked[0][0]))
    basis = {"rule": split.basis.get("rule", "npl_split.v1"), "risk_split": split.basis,
             "outstanding_yuan": split.outstanding_yuan, "compensation_yuan": split.compensation_yuan}
    return [request(s, actor, loan, "npl_compensation", ref, yuan, payee, ref, basis | {"recipient": ref}, today)
            for ref, payee, yuan in open_]


def on_award_changed(s: Session, event_id: str, data: AwardChanged, today: dt.date) -> Payable | None:
    """The treasury's side of a payable, as the awards service announces its award: approved, paid,
    refused (rejected, withdrawn, withheld) or clawed back. Only forward: a redelivered or older event
    changes nothing. Awards of other programmes are not finance's."""
    payable_id = rules.payable_of(data.award_key)
    if payable_id is None:
        return None
    p = repository.one(s, payable_id)
    if p is None:  # cannot happen while finance is the only one asking; recorded for an operator
        audit.record(s, f"event:{event_id}", "payable.unknown", "payable", str(payable_id), None,
                     {"award_id": data.award_id, "award_key": data.award_key})
        return None
    before = {"state": p.state, "award_id": p.award_id}
    p.award_id = data.award_id
    new = rules.moved(p.state, data.state)
    if new is not None:
        p.state = new
        if new in ("paid", "refused", "clawed_back"):
            p.settled_on = today
        if new == "refused":
            p.note = f"财政审批中的奖励 {data.award_id} 状态为 {data.state} / award {data.award_id} is {data.state}"
    if before != {"state": p.state, "award_id": p.award_id}:
        p.updated_at = utcnow()
        audit.record(s, f"event:{event_id}", "payable.moved", "payable", str(p.id), before,
                     {"state": p.state, "award_id": p.award_id, "award_state": data.state})
    return p


def visible(s: Session, who, payable_id: int) -> Payable:
    p = repository.visible(s, who, payable_id)
    if p is None:
        raise not_found("拨付申请", "Payable", str(payable_id))
    return p
