"""Every query of the nominations.

`readable(who)` is the one statement every caller's read of nominations starts from: an
enterprise liaison finds its own enterprise's nominations only (another's is not found: 404), also
among a person's other nominations; the talent office, econ and the auditor find all."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from services.talent.tables import Nomination
from shared.auth import Principal
from shared.db import for_update
from shared.pagination import keyset


def readable(who: Principal) -> Select:
    """The nominations `who` may see."""
    stmt = select(Nomination)
    if who.role == "enterprise":
        stmt = stmt.where(Nomination.uscc == who.org)
    return stmt


def get(s: Session, who: Principal, nomination_id: int, lock: bool = False) -> Nomination | None:
    stmt = readable(who).where(Nomination.id == nomination_id)
    return s.scalars(for_update(s, stmt) if lock else stmt).first()


def page(s: Session, who: Principal, limit: int, after: int | None, uscc: str | None, year: int | None,
         state: str | None) -> list[Nomination]:
    """Nominations by id, after the cursor's id; limit + 1 for the pager."""
    stmt = keyset(readable(who), Nomination.id, after, limit)
    if uscc:
        stmt = stmt.where(Nomination.uscc == uscc)
    if year:
        stmt = stmt.where(Nomination.year == year)
    if state:
        stmt = stmt.where(Nomination.state == state)
    return list(s.scalars(stmt))


def with_person_keys(s: Session, who: Principal, keys: set[str]) -> list[Nomination]:
    """The nominations `who` may see of the persons with these keyed hashes, by id."""
    if not keys:
        return []
    return list(s.scalars(readable(who).where(Nomination.person_key.in_(keys)).order_by(Nomination.id)))


def without_person_key(s: Session, limit: int) -> list[Nomination]:
    """Nominations made before the keyed hash existed, locked (the filler job)."""
    return list(s.scalars(for_update(s, select(Nomination).where(Nomination.person_key.is_(None))
                                     .order_by(Nomination.id).limit(limit))))


def add(s: Session, n: Nomination) -> None:
    s.add(n)
    s.flush()
