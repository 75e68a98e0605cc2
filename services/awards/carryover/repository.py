"""Every query of approval refusals and carry-overs (the treasury's, econ's and the auditor's: no park
reads them, so there is no narrower `readable`)."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from services.awards.tables import ApprovalRefusal, Award, CarryOver


def last_refusal(s: Session, award_id: int) -> ApprovalRefusal | None:
    return s.scalars(select(ApprovalRefusal).where(ApprovalRefusal.award_id == award_id)
                     .order_by(ApprovalRefusal.id.desc())).first()


def carry_over(s: Session, award_id: int, to_year: int) -> CarryOver | None:
    return s.scalars(select(CarryOver).where(CarryOver.award_id == award_id, CarryOver.to_year == to_year)).first()


def carried_to(s: Session, award_ids: list[int]) -> dict[int, int]:
    """Each award's latest carry-over year."""
    if not award_ids:
        return {}
    rows = s.execute(select(CarryOver.award_id, func.max(CarryOver.to_year)).where(CarryOver.award_id.in_(award_ids))
                     .group_by(CarryOver.award_id))
    return {a: int(y) for a, y in rows}


def refused_in(s: Session, year: int, program: str | None = None) -> list[tuple[Award, ApprovalRefusal, int]]:
    """The awards still reviewed whose approval was refused for lack of the year's budget: each with its
    last refusal of that year and how many there were."""
    last = (select(ApprovalRefusal.award_id, func.max(ApprovalRefusal.id).label("last"),
                   func.count().label("times"))
            .where(ApprovalRefusal.year == year).group_by(ApprovalRefusal.award_id).subquery())
    stmt = (select(Award, ApprovalRefusal, last.c.times).join(last, last.c.award_id == Award.id)
            .join(ApprovalRefusal, ApprovalRefusal.id == last.c.last).where(Award.state == "reviewed"))
    if program:
        stmt = stmt.where(Award.program == program)
    return [(a, r, int(n)) for a, r, n in s.execute(stmt.order_by(Award.id))]


def _standing(year: int):
    """Carry-overs to `year` that are still commitments: the award still reviewed and not carried further."""
    later = aliased(CarryOver)
    further = select(later.id).where(later.award_id == CarryOver.award_id, later.to_year > CarryOver.to_year).exists()
    return (select(CarryOver, Award).join(Award, Award.id == CarryOver.award_id)
            .where(CarryOver.to_year == year, Award.state == "reviewed", ~further))


def carried_into(s: Session, year: int, program: str | None = None) -> list[tuple[CarryOver, Award]]:
    stmt = _standing(year)
    if program:
        stmt = stmt.where(CarryOver.program == program)
    return [(c, a) for c, a in s.execute(stmt.order_by(CarryOver.id))]


def commitments(s: Session, year: int, program: str | None = None) -> dict[str, int]:
    """Per program, the carried-over awards waiting for the year's budget (元)."""
    out: dict[str, int] = {}
    for c, _a in carried_into(s, year, program):
        out[c.program] = out.get(c.program, 0) + c.amount_yuan
    return out
