"""Carry-over use cases: an approval refused for lack of budget is recorded (the award stays reviewed);
the treasury carries such an award to the next year's budget, where it is a commitment until it is
approved (reserving that year's budget, as every approval reserves its year's). They write through the
session, never commit."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.awards import events
from services.awards.carryover import repository, rules
from services.awards.tables import ApprovalRefusal, Award, CarryOver
from services.awards.workflow import repository as awards
from shared import audit, clock
from shared.auth import Principal
from shared.errors import Problem, not_found


def note_refusal(s: Session, actor: str, award_id: int, why: Problem) -> None:
    """Record that approving the award was refused for lack of the year's budget (the 409 stands)."""
    award = s.get(Award, award_id)
    if award is None or why.code not in rules.REFUSALS:
        return
    today = clock.today()
    year = int(why.extra.get("year", today.year))
    s.add(ApprovalRefusal(award_id=award.id, year=year, program=award.program, code=why.code,
                          amount_yuan=award.amount_yuan, remaining_yuan=why.extra.get("remaining_yuan"),
                          refused_on=today, actor=actor))
    s.flush()
    audit.record(s, actor, "award.approval_refused", "award", str(award.id), None,
                 {"year": year, "code": why.code, "amount_yuan": award.amount_yuan,
                  "remaining_yuan": why.extra.get("remaining_yuan")})


def refused(s: Session, year: int, program: str | None = None) -> list[dict]:
    """The awards refused for lack of the year's budget and still reviewed, with where they were carried."""
    rows = repository.refused_in(s, year, program)
    carried = repository.carried_to(s, [a.id for a, _, _ in rows])
    return [{**_award(a), "code": r.code, "refused_on": r.refused_on, "remaining_yuan": r.remaining_yuan,
             "refusals": n, "carried_to_year": carried.get(a.id)} for a, r, n in rows]


def carried_into(s: Session, year: int, program: str | None = None) -> list[dict]:
    return [_carried(c, a) for c, a in repository.carried_into(s, year, program)]


def carry(s: Session, who: Principal, award_id: int, note: str | None = None, year: int | None = None) -> dict:
    """Carry one award refused for lack of budget to the next year's (idempotent: carried already, the
    same answer and nothing written). `year`: the refusal must be of that year (a batch's)."""
    award = awards.one(s, who, award_id, lock=True)
    if award is None:
        raise not_found("奖励", "Award", str(award_id))
    refusal = repository.last_refusal(s, award.id)
    problem = _why_not(award, refusal, year)
    if problem is not None:
        raise problem
    target = rules.to_year(refusal.year)
    existing = repository.carry_over(s, award.id, target)
    if existing is not None:
        return _carried(existing, award)
    c = CarryOver(award_id=award.id, program=award.program, amount_yuan=award.amount_yuan, from_year=refusal.year,
                  to_year=target, note=note, actor=who.actor)
    s.add(c)
    s.flush()
    audit.record(s, who.actor, "award.carried_over", "award", str(award.id), None,
                 {"from_year": refusal.year, "to_year": target, "amount_yuan": award.amount_yuan, "note": note})
    events.carried_over(s, award, c)
    return _carried(c, award)


def carry_many(s: Session, who: Principal, year: int, award_ids: list[int], note: str | None = None) -> dict:
    """Carry several awards refused for lack of `year`'s budget to the next year: all or none (409
    naming each award that may not be carried and why)."""
    ids = list(dict.fromkeys(award_ids))
    refused_ids: list[dict] = []
    for award_id in ids:
        award = awards.one(s, who, award_id, lock=True)
        why = not_found("奖励", "Award", str(award_id)) if award is None else _why_not(
            award, repository.last_refusal(s, award.id), year)
        if why is not None:
            refused_ids.append({"award_id": award_id, "code": why.code, "detail_zh": why.zh, "detail_en": why.en})
    if refused_ids:
        raise Problem(409, "cannot-carry-over",
                      f"{len(refused_ids)} 笔奖励不能结转（见 refused），本次未结转任何奖励",
                      f"{len(refused_ids)} award(s) cannot be carried over (see refused); none was", refused=refused_ids)
    items = [carry(s, who, award_id, note, year) for award_id in ids]
    return {"year": year, "to_year": rules.to_year(year), "items": items,
            "amount_yuan": sum(i["amount_yuan"] for i in items)}


def _why_not(award: Award, refusal: ApprovalRefusal | None, year: int | None) -> Problem | None:
    why = rules.why_not(award.state, refusal.year if refusal else None, clock.today().year)
    if why is None and year is not None and refusal.year != year:
        why = ("not-refused", f"该奖励最近一次是因 {refusal.year} 年度预算不足未获批准，不是 {year} 年度",
               f"the award was last refused for lack of {refusal.year}'s budget, not {year}'s")
    if why is None:
        return None
    code, zh, en = why
    return Problem(409, code, zh, en, award_id=award.id, state=award.state)


def _award(a: Award) -> dict:
    return {"award_id": a.id, "uscc": a.uscc, "payee": a.payee, "payee_type": a.payee_type, "program": a.program,
            "tier": a.tier, "amount_yuan": a.amount_yuan, "state": a.state}


def _carried(c: CarryOver, a: Award) -> dict:
    return {**_award(a), "from_year": c.from_year, "to_year": c.to_year, "note": c.note, "actor": c.actor,
            "at": c.at}
