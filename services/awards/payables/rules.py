"""What a payable the finance office asks for becomes in the awards ledger (pure): the award's
decision, with the basis that explains it. The amount is finance's (its fact, computed by its rules
over its loan records); awards only checks it may be paid and explains where it came from."""
from __future__ import annotations

import datetime as dt

from services.awards.payees.rules import KINDS as PAYEE_KINDS
from services.awards.rules import PROGRAMS_ZH, Decision, Ineligible

PROGRAMS = ("first_loan_subsidy", "npl_compensation")
RECIPIENTS_ZH = {"enterprise": "企业", "bank": "银行", "guarantor": "担保机构"}


def key(kind: str, payable_id: int) -> str:
    """One award per payable (finance's id): a redelivered or replayed request pays nothing more."""
    return f"{kind}:{payable_id}"


def decision(kind: str, payable_id: int, loan_id: int, ref: str, amount_yuan: int, payee_type: str,
             requested_on: dt.date, requested_by: str, finance_basis: dict, today: dt.date) -> Decision:
    """The award a payable asks for, or Ineligible (a programme or payee kind awards does not know, no
    amount, a request dated after today)."""
    if kind not in PROGRAMS:
        raise Ineligible("unknown-program", f"未知的拨付类型 {kind}", f"Unknown payable kind {kind}")
    if payee_type not in PAYEE_KINDS:
        raise Ineligible("unknown-payee-type", f"未知的收款方类型 {payee_type}", f"Unknown payee kind {payee_type}")
    if amount_yuan <= 0:
        raise Ineligible("no-amount", "申请金额须大于 0", "The amount asked for must be above 0")
    if requested_on > today:
        raise Ineligible("future-date", "申请日期晚于今天", "The request is dated after today")
    what = PROGRAMS_ZH[kind]
    part = f"{ref} 季度" if kind == "first_loan_subsidy" else f"支付给{RECIPIENTS_ZH.get(ref, ref)}的部分"
    return Decision(kind, amount_yuan, {
        "rule": "finance_payable.v1",
        "explanation": f"区金融办核定的{what}（贷款案件 {loan_id}，{part}）{amount_yuan} 元，申请编号 {payable_id}，"
                       f"待区财政局批准 / the finance office's {kind} for loan {loan_id} ({ref}), {amount_yuan} yuan, "
                       f"payable {payable_id}, for the treasury to approve",
        "inputs": {"payable_id": payable_id, "loan_id": loan_id, "ref": ref, "requested_on": requested_on.isoformat(),
                   "requested_by": requested_by, "evidence_ref": f"finance:payable:{payable_id}"},
        "finance_basis": finance_basis, "parameters": []})
