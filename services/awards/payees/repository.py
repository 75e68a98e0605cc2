"""Every query of payees. Only the treasury, the bureau and the auditor read them (never a park nor an
enterprise: the routes' roles), and what they read is masked (service.public)."""
from __future__ import annotations

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from services.awards.tables import Payee
from shared.db import for_update


def page(s: Session, after: int | None, limit: int, kind: str | None = None, ref: str | None = None) -> list[Payee]:
    stmt = select(Payee)
    if kind:
        stmt = stmt.where(Payee.kind == kind)
    if ref:
        stmt = stmt.where(Payee.ref == ref)
    if after is not None:
        stmt = stmt.where(Payee.id > after)
    return list(s.scalars(stmt.order_by(Payee.id).limit(limit)))


def one(s: Session, payee_id: int) -> Payee | None:
    return s.get(Payee, payee_id)


def of(s: Session, kind: str, ref: str, lock: bool = False) -> Payee | None:
    stmt = select(Payee).where(Payee.kind == kind, Payee.ref == ref)
    return s.scalars(for_update(s, stmt) if lock else stmt).first()


def of_many(s: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Payee]:
    """The payee records of (kind, ref) pairs."""
    if not keys:
        return {}
    found = s.scalars(select(Payee).where(tuple_(Payee.kind, Payee.ref).in_(list(keys))))
    return {(p.kind, p.ref): p for p in found}
