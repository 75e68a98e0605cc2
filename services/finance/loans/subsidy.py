"""The first loan (首贷) across every bank's cases of an enterprise, and its interest subsidy
(首贷贴息): the schedule from the repayment records and a quarter's payment. No commit."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy.orm import Session

from services.finance import parameters, rules
from services.finance.loans import repository
from services.finance.tables import Loan, SubsidyPayment
from shared import audit, projection
from shared.errors import Problem

NOT_ELIGIBLE_ZH = {"not-first-loan": "不是企业首贷", "loan-above-maximum": "单笔贷款金额超过上限"}


def cases_of(s: Session, uscc: str, lock: bool = False) -> list[rules.Case]:
    """Every bank's cases of the enterprise, as the first-loan rule sees them. `lock`: lock them all
    (in id order, so two payers never wait for each other) for a decision that moves money."""
    loans = repository.of_enterprise(s, uscc, lock)
    paid = repository.subsidised(s, [x.id for x in loans])
    return [rules.Case(x.id, x.drawn_on, x.prior_loan_declared, x.id in paid) for x in loans]


def first_loan_status(s: Session, loan: Loan, cases: list[rules.Case] | None = None) -> tuple[bool, str | None]:
    """(is it the enterprise's first loan, why not) — decided by finance across every bank's cases of
    the enterprise; what a bank is told names no other bank's case."""
    why = rules.first_loan_reason(cases if cases is not None else cases_of(s, loan.uscc), loan.id)
    return why is None, why


def not_drawn(loan: Loan) -> Problem:
    return Problem(409, "invalid-loan-state", "贷款尚未放款", "The loan has not been drawn", state=loan.state)


def subsidy_schedule(s: Session, loan: Loan, today: dt.date, cases: list[rules.Case] | None = None) -> dict | None:
    """首贷贴息 of a drawn loan, quarter by quarter from its repayment records, with what was paid.
    Parameters in force on the draw date; the certified rate for the days the enterprise's tier
    (by the registry's record) was ≥ certified_min_tier; eligible only as the enterprise's first loan
    across every bank's cases (rules.first_loan)."""
    if loan.drawn_on is None:
        return None
    values, cited = parameters.values(s, loan.drawn_on, "finance.first_loan_subsidy.")
    terms = rules.SubsidyTerms(values["rate_bp"], values["cap_bp"], values["certified_rate_bp"],
                               values["certified_cap_bp"], values["certified_min_tier"], values["max_loan_yuan"])
    record = projection.record_of(s, loan.uscc)
    certified = rules.certified_intervals(rules.tier_changes(record.certifications if record else ()),
                                          terms.certified_min_tier)
    first, why = first_loan_status(s, loan, cases)
    payments = [rules.InterestPayment(r.paid_on, r.period_from, r.period_to, r.interest_yuan)
                for r in repository.repayments(s, loan.id)]
    sched = rules.subsidy_schedule(loan.drawn_on, loan.drawn_yuan, first, payments, certified, terms)
    paid = repository.subsidy_payments(s, loan.id)
    paid_total = sum(p.amount_yuan for p in paid.values())
    for row in sched["quarters"]:
        p = paid.get(row["quarter"])
        row["paid"] = p and {"amount_yuan": p.amount_yuan, "paid_by": p.paid_by, "paid_at": p.paid_at.isoformat()}
        row["payable"] = p is None and dt.date.fromisoformat(row["payable_from"]) <= today
    sched |= {"paid_yuan": paid_total, "outstanding_yuan": sched["total_yuan"] - paid_total,
              "certified_from": [[a.isoformat(), b and b.isoformat()] for a, b in certified],
              "first_loan": first, "first_loan_reason": why,
              "rule": "first_loan_subsidy.v2", "parameters": cited}
    return sched


def drawn_schedule(s: Session, loan: Loan, today: dt.date) -> dict:
    """The schedule of a loan that must have been drawn (409 before the draw)."""
    sched = subsidy_schedule(s, loan, today)
    if sched is None:
        raise not_drawn(loan)
    return sched


def pay_subsidy(s: Session, actor: str, loan: Loan, quarter: str, today: dt.date) -> SubsidyPayment:
    """Pay one quarter's 首贷贴息 after the quarter is over: the cumulative subsidy through it less
    everything paid before (so a late repayment record is made good at the next payment)."""
    if not re.fullmatch(r"\d{4}Q[1-4]", quarter):
        raise Problem(422, "invalid-quarter", "季度格式应为 2025Q3", "the quarter must look like 2025Q3")
    # Every bank's cases of the enterprise are locked (this one among them): two payments on two
    # banks' loans take turns, and the second sees the first's payment, so one loan is paid as first.
    cases = cases_of(s, loan.uscc, lock=True)
    sched = subsidy_schedule(s, loan, today, cases)
    if sched is None:
        raise not_drawn(loan)
    if not sched["eligible"]:
        raise Problem(422, sched["reason"], f"不符合首贷贴息条件：{NOT_ELIGIBLE_ZH[sched['reason']]}",
                      f"Not eligible for the first-loan interest subsidy: {sched['reason']}",
                      first_loan_reason=sched["first_loan_reason"])
    row = next((r for r in sched["quarters"] if r["quarter"] == quarter), None)
    if row is None:
        raise Problem(422, "no-interest-paid", f"{quarter} 没有付息记录", f"No interest was paid in {quarter}")
    if row["paid"]:
        raise Problem(409, "subsidy-paid", f"{quarter} 的首贷贴息已支付", f"The subsidy for {quarter} is already paid",
                      paid=row["paid"])
    if not row["payable"]:
        raise Problem(422, "quarter-not-over", f"{quarter} 尚未结束，按季度在付息后拨付",
                      f"{quarter} is not over yet: the subsidy is paid quarterly after the interest")
    paid_before = sum(r["paid"]["amount_yuan"] for r in sched["quarters"] if r["paid"])
    amount = max(0, row["cumulative_yuan"] - paid_before)
    basis = {"rule": sched["rule"], "quarter": row, "paid_before_yuan": paid_before,
             "parameters": sched["parameters"], "certified_from": sched["certified_from"],
             "formula": "cumulative subsidy through the quarter − paid before; cumulative = "
                        "min(min(ordinary × rate, drawn × cap) + certified × certified_rate, drawn × applicable cap)"}
    p = SubsidyPayment(loan_id=loan.id, quarter=quarter, amount_yuan=amount, basis=basis, paid_by=actor)
    s.add(p)
    s.flush()
    audit.record(s, actor, "loan.interest_subsidy.pay", "loan", str(loan.id), None,
                 {"quarter": quarter, "amount_yuan": amount})
    return p
