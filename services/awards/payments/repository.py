"""Every query of payment batches and their lines. Batches are read by the bureau, the treasury and the
auditor only (the routes' roles): they are the district's payments, never a park's or an enterprise's."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.awards.tables import Award, PaymentBatch, PaymentLine
from shared.db import for_update


def page(s: Session, after: int | None, limit: int, states: list[str] | None = None) -> list[PaymentBatch]:
    stmt = select(PaymentBatch)
    if states:
        stmt = stmt.where(PaymentBatch.state.in_(states))
    if after is not None:
        stmt = stmt.where(PaymentBatch.id < after)  # newest first
    return list(s.scalars(stmt.order_by(PaymentBatch.id.desc()).limit(limit)))


def one(s: Session, batch_id: int, lock: bool = False) -> PaymentBatch | None:
    stmt = select(PaymentBatch).where(PaymentBatch.id == batch_id)
    return s.scalars(for_update(s, stmt) if lock else stmt).first()


def lines(s: Session, batch_id: int) -> list[PaymentLine]:
    return list(s.scalars(select(PaymentLine).where(PaymentLine.batch_id == batch_id).order_by(PaymentLine.seq)))


def awards_of(s: Session, award_ids: list[int]) -> dict[int, Award]:
    return {a.id: a for a in s.scalars(select(Award).where(Award.id.in_(award_ids)))} if award_ids else {}


def open_lines(s: Session, award_ids: list[int]) -> dict[int, PaymentLine]:
    """The standing lines (no result, or paid) of the awards, by award."""
    if not award_ids:
        return {}
    found = s.scalars(select(PaymentLine).where(PaymentLine.open_award_id.in_(award_ids)))
    return {x.award_id: x for x in found}


def queue(s: Session, limit: int = 1000) -> list[Award]:
    """The approved awards in no open batch (a returned payment's award is back here), by id."""
    standing = select(PaymentLine.open_award_id).where(PaymentLine.open_award_id.is_not(None))
    return list(s.scalars(select(Award).where(Award.state == "approved", Award.id.not_in(standing))
                          .order_by(Award.id).limit(limit)))


def last_returned(s: Session, award_ids: list[int]) -> dict[int, str]:
    """Why each award's last payment was returned."""
    if not award_ids:
        return {}
    rows = s.execute(select(PaymentLine.award_id, PaymentLine.returned_reason).where(
        PaymentLine.award_id.in_(award_ids), PaymentLine.result == "returned").order_by(PaymentLine.id))
    return {award_id: reason for award_id, reason in rows}
