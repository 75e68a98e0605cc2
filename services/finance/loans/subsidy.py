"""The first loan (首贷) across every bank's cases of an enterprise, and its interest subsidy
(首贷贴息): the schedule from the repayment records, and a quarter asked of the treasury (a payable: the
treasury approves it against the programme's budget and pays it in the awards service). No commit."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy.orm import Session

from services.finance import parameters, rules
from services.finance.loans import repository
from services.finance.payables import repository as payables
from services.finance.payables import service as payable
from services.finance.tables import Loan, Payable
from shared import projection
from shared.errors import Problem

NOT_ELIGIBLE_ZH = {"not-first-loan": "不是企业首贷", "loan-above-maximum": "单笔贷款金额超过上限"}


def cases_of(s: Session, uscc: str, lock: bool = False) -> list[rules.Case]:
    """Every bank's cases of the enterprise, as the first-loan rule sees them. `lock`: lock them all
    (in id order, so two payers never wait for each other) for a decision that moves money."""
    loans = repository.of_enterprise(s, uscc, lock)
    paid = payables.subsidised(s, [x.id for x in loans])
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
    asked = payables.subsidies(s, loan.id)
    asked_total = sum(p.amount_yuan for p in asked.values())
    for row in sched["quarters"]:
        p = asked.get(row["quarter"])
        row["asked"] = p and {"payable_id": p.id, "amount_yuan": p.amount_yuan, "state": p.state,
                              "award_id": p.award_id, "requested_by": p.requested_by,
                              "requested_on": p.requested_on.isoformat()}
        row["payable"] = p is None and dt.date.fromisoformat(row["payable_from"]) <= today
    sched |= {"asked_yuan": asked_total, "paid_yuan": sum(p.amount_yuan for p in asked.values() if p.state == "paid"),
              "outstanding_yuan": sched["total_yuan"] - asked_total,
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


def request_subsidy(s: Session, actor: str, loan: Loan, quarter: str, today: dt.date) -> Payable:
    """Ask the treasury to pay one quarter's 首贷贴息 after the quarter is over: the cumulative subsidy
    through it less everything asked for before (so a late repayment record is made good at the next
    quarter). A quarter refused by the treasury may be asked again."""
    if not re.fullmatch(r"\d{4}Q[1-4]", quarter):
        raise Problem(422, "invalid-quarter", "季度格式应为 2025Q3", "the quarter must look like 2025Q3")
    # Every bank's cases of the enterprise are locked (this one among them): two requests on two
    # banks' loans take turns, and the second sees the first's, so one loan is subsidised as first.
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
    if not row["asked"] and not row["payable"]:
        raise Problem(422, "quarter-not-over", f"{quarter} 尚未结束，按季度在付息后拨付",
                      f"{quarter} is not over yet: the subsidy is paid quarterly after the interest")
    asked_before = sum(r["asked"]["amount_yuan"] for r in sched["quarters"] if r["asked"])
    amount = max(0, row["cumulative_yuan"] - asked_before)
    if not row["asked"] and amount == 0:
        raise Problem(422, "nothing-due", f"{quarter} 没有应拨付的贴息（累计贴息已全部申请）",
                      f"Nothing is due for {quarter}: the cumulative subsidy was asked for already")
    basis = {"rule": sched["rule"], "quarter": row, "asked_before_yuan": asked_before,
             "parameters": sched["parameters"], "certified_from": sched["certified_from"],
             "formula": "cumulative subsidy through the quarter − asked for before; cumulative = "
                        "min(min(ordinary × rate, drawn × cap) + certified × certified_rate, drawn × applicable cap)"}
    # the 409 of a quarter asked for already is payable.request's (it sees refused ones as not standing)
    return payable.request(s, actor, loan, "first_loan_subsidy", quarter, amount, loan.uscc, "enterprise", basis,
                           today)
