"""Ledger and budget use cases: immutable entries (a correction is a new entry), a program's yearly
budget that approvals reserve and disbursements spend. They write through the session, never commit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.awards.carryover import repository as carryover
from services.awards.ledger import repository
from services.awards.rules import PROGRAMS_ZH
from services.awards.tables import Award, Budget
from shared import audit
from shared.errors import Problem

TOTALLED = ("allocated_yuan", "reserved_yuan", "disbursed_yuan", "clawed_back_yuan", "recovered_yuan",
            "written_off_yuan", "receivable_yuan", "carried_over_yuan", "remaining_yuan")


def year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def book(s: Session, award: Award, kind: str, amount: int, on: dt.date, actor: str, note: str | None = None,
         budget_year: int | None = None, voucher: str | None = None) -> None:
    """Append one immutable ledger entry."""
    repository.add_entry(s, kind=kind, award_id=award.id, program=award.program, uscc=award.uscc, payee=award.payee,
                         payee_type=award.payee_type, amount_yuan=amount, booked_on=on, budget_year=budget_year,
                         voucher=voucher, actor=actor, note=(note or "")[:2000] or None)


def budget_figures(s: Session, year: int, program: str | None = None) -> dict[str, dict]:
    """Per program of a year: allocated, reserved, disbursed, clawed back, remaining (from the ledger)."""
    out: dict[str, dict] = {b.program: {"program": b.program, "allocated_yuan": b.allocated_yuan, "set_by": b.set_by}
                            for b in repository.budgets(s, year, program)}
    moved = repository.moved(s, year, program)
    carried = carryover.commitments(s, year, program)
    for prog in sorted(set(out) | set(moved) | set(carried)):
        m = moved.get(prog, {})
        row = out.setdefault(prog, {"program": prog, "allocated_yuan": 0, "set_by": None})
        row["disbursed_yuan"] = m.get("disbursed", 0)
        row["reserved_yuan"] = m.get("reserved", 0) - m.get("released", 0) - m.get("disbursed", 0)
        # a claw-back is owed back (a receivable) until repaid (recovered) or written off; what comes back is
        # the treasury's revenue, not the budget's again (remaining unchanged)
        row["clawed_back_yuan"] = m.get("clawed_back", 0)
        row["recovered_yuan"] = m.get("recovered", 0)
        row["written_off_yuan"] = m.get("written_off", 0)
        row["receivable_yuan"] = row["clawed_back_yuan"] - row["recovered_yuan"] - row["written_off_yuan"]
        # awards carried over from the year before wait for this year's budget: committed, not yet reserved
        row["carried_over_yuan"] = carried.get(prog, 0)
        row["remaining_yuan"] = (row["allocated_yuan"] - row["reserved_yuan"] - row["disbursed_yuan"]
                                 - row["carried_over_yuan"])
    return out


def year_figures(s: Session, year: int) -> dict:
    """A year's budgets: each program's figures and their totals."""
    items = list(budget_figures(s, year).values())
    return {"year": year, "items": items, "total": {k: sum(i[k] for i in items) for k in TOTALLED}}


def set_budget(s: Session, year: int, program: str, allocated: int, actor: str) -> dict:
    """The treasury sets a program's allocation; never below what is already reserved or paid."""
    b = repository.locked_budget(s, year, program)
    fig = budget_figures(s, year, program).get(program, {"reserved_yuan": 0, "disbursed_yuan": 0})
    committed = fig["reserved_yuan"] + fig["disbursed_yuan"]
    if allocated < committed:
        raise Problem(409, "below-committed", f"预算 {allocated} 元低于已预留和已支付的 {committed} 元",
                      f"An allocation of {allocated} yuan is below the {committed} yuan already reserved or paid",
                      committed_yuan=committed)
    before = {"allocated_yuan": b.allocated_yuan} if b else None
    if b is None:
        b = Budget(year=year, program=program, allocated_yuan=allocated, set_by=actor)
        s.add(b)
    else:
        b.allocated_yuan, b.set_by = allocated, actor
    s.flush()
    audit.record(s, actor, "budget.set", "budget", f"{year}/{program}", before, {"allocated_yuan": allocated})
    return {"year": year, **budget_figures(s, year, program)[program]}


def reserve(s: Session, award: Award, actor: str, today: dt.date) -> int:
    """Book the reservation of the approval year's budget; the year (set on the award with its state)."""
    year, name = today.year, PROGRAMS_ZH.get(award.program, "该")
    budget = repository.locked_budget(s, year, award.program)
    if budget is None:
        raise Problem(409, "no-budget", f"{year} 年度{name}项目尚未设定预算，请财政局先设定预算",
                      f"No {year} budget is set for program {award.program}; the treasury must set it first "
                      f"(PUT /api/v1/budgets/{year}/{award.program})", year=year, program=award.program)
    fig = budget_figures(s, year, award.program)[award.program]
    if carryover.carried_to(s, [award.id]).get(award.id) == year:  # carried to this year: its commitment is its room
        fig = {**fig, "remaining_yuan": fig["remaining_yuan"] + award.amount_yuan}
    if award.amount_yuan > fig["remaining_yuan"]:
        raise Problem(409, "budget-exceeded",
                      f"{year} 年度{name}预算剩余 {fig['remaining_yuan']} 元，不足以批准 {award.amount_yuan} 元",
                      f"The {year} {award.program} budget has {fig['remaining_yuan']} yuan left, "
                      f"less than the {award.amount_yuan} yuan award", year=year, program=award.program,
                      remaining_yuan=fig["remaining_yuan"], amount_yuan=award.amount_yuan)
    book(s, award, "reserved", award.amount_yuan, today, actor, "批准预留预算 / reserved on approval", budget_year=year)
    return year
