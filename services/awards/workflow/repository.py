"""Every query of the award workflow. `readable(who)` is where every read of awards starts: a park
operator finds only the awards paid to its park, an enterprise only those paid to it; another's award
is simply not found (404)."""
from __future__ import annotations

from sqlalchemy import and_, func, insert, or_, select, Select
from sqlalchemy.orm import Session

from services.awards.projection.repository import forget_ahead
from services.awards.rules import COUNTED, UNPAID
from services.awards.tables import Award, AwardTransition, Voucher
from shared.auth import Principal
from shared.db import FRESH, PerDialect, for_update, utcnow


def readable(who: Principal) -> Select:
    """The awards `who` may see."""
    stmt = select(Award)
    if who.role == "park":
        stmt = stmt.where(Award.payee_type == "park", Award.payee == who.org)
    elif who.role == "enterprise":  # the awards paid to it (not a park's or an intermediary's about it)
        stmt = stmt.where(Award.payee_type == "enterprise", Award.payee == who.org)
    return stmt


def _filtered(stmt, uscc: str | None, program: str | None, state: str | list[str] | None, flag: str | None):
    if uscc:
        stmt = stmt.where(Award.uscc == uscc)
    if program:
        stmt = stmt.where(Award.program == program)
    if state:
        stmt = stmt.where(Award.state.in_([state] if isinstance(state, str) else state))
    if flag:
        stmt = stmt.where(Award.flag == flag)
    return stmt


def page(s: Session, who: Principal, after: tuple[int, int] | None, limit: int, uscc: str | None = None,
         program: str | None = None, state: str | list[str] | None = None, flag: str | None = None,
         sort: str = "id") -> list[Award]:
    """One page in `sort` order (id; amount or -amount, then id), after the cursor's (amount, id)."""
    stmt = _filtered(readable(who), uscc, program, state, flag)
    if sort == "id":
        if after is not None:
            stmt = stmt.where(Award.id > after[1])
        return list(s.scalars(stmt.order_by(Award.id).limit(limit)))
    amount = Award.amount_yuan if sort == "amount" else -Award.amount_yuan  # descending: ascending negated
    if after is not None:
        key = after[0] if sort == "amount" else -after[0]
        stmt = stmt.where(or_(amount > key, and_(amount == key, Award.id > after[1])))
    return list(s.scalars(stmt.order_by(amount, Award.id).limit(limit)))


def totals(s: Session, who: Principal, uscc: str | None = None, program: str | None = None,
           state: str | list[str] | None = None, flag: str | None = None) -> tuple[int, int]:
    """How many awards the filter finds, and their amount in 元."""
    found = _filtered(readable(who), uscc, program, state, flag).subquery()
    count, amount = s.execute(select(func.count(), func.coalesce(func.sum(found.c.amount_yuan), 0))).one()
    return int(count), int(amount)


def one(s: Session, who: Principal, award_id: int, lock: bool = False) -> Award | None:
    stmt = readable(who).where(Award.id == award_id)
    return s.scalars(for_update(s, stmt) if lock else stmt).first()


def history_of(s: Session, award_id: int) -> list[AwardTransition]:
    return list(s.scalars(select(AwardTransition).where(AwardTransition.award_id == award_id)
                          .order_by(AwardTransition.id)))


_ADD_AWARD = PerDialect(lambda dialect_insert: dialect_insert(Award).on_conflict_do_nothing(
    index_elements=[Award.award_key]).returning(Award).execution_options(**FRESH))


def add_unless_taken(s: Session, **columns) -> Award | None:
    """A new award (Award's columns; those left out are empty, created_at now), or None when its key
    is taken (a concurrent replica's uncommitted award too: PostgreSQL waits for it). One INSERT that
    answers the ORM object the use cases hold (issue 15: cheaper than a check, an object built and
    flushed), read afresh (shared.db.FRESH)."""
    forget_ahead(s, columns.get("uscc"))
    return s.scalars(_ADD_AWARD.of(s), [{
        "budget_year": None, "flag": None, "flag_reason": None, "contract_id": None, "certification_id": None,
        **columns, "created_at": utcnow()}]).first()


_ADD_TRANSITION = insert(AwardTransition.__table__)


def add_transition(s: Session, award_id: int, from_state: str | None, to_state: str, actor: str,
                   reason: str | None = None, voucher: str | None = None) -> None:
    """Append an award's state change (a Core INSERT, issue 15: every award written writes one). It
    executes at once, after the session's pending changes are flushed (autoflush), so it lands
    before the state it names is written: the database's trigger wants the transition first."""
    s.execute(_ADD_TRANSITION, {"award_id": award_id, "from_state": from_state, "to_state": to_state, "actor": actor,
                                "reason": reason, "voucher": voucher, "at": utcnow()})


def voucher(s: Session, key: str) -> Voucher | None:
    return s.get(Voucher, key)


def enterprise_totals(s: Session, uscc: str) -> list[tuple[str, int]]:
    """(program, amount) of the enterprise's own awards that count: payable or paid in the system (rejected,
    clawed back, withdrawn, withheld and settled outside the system excluded)."""
    return list(s.execute(select(Award.program, Award.amount_yuan).where(
        Award.uscc == uscc, Award.payee_type == "enterprise", Award.state.in_(COUNTED))))


def unpaid_of(s: Session, uscc: str) -> list[Award]:
    """The awards about an enterprise owed to it or to its introducer and not yet paid (a park's award
    for incubating it is the park's)."""
    return list(s.scalars(select(Award).where(Award.uscc == uscc, Award.payee_type.in_(("enterprise", "intermediary")),
                                              Award.state.in_(UNPAID)).order_by(Award.id)))


def count(s: Session, *where) -> int:
    return s.scalar(select(func.count()).select_from(Award).where(*where))
