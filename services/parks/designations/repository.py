"""Designations: every query about a park's designations."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from services.parks.tables import Designation
from shared.auth import Principal


def readable(who: Principal) -> Select:
    """The designations `who` may see: a park operator only its own park's."""
    stmt = select(Designation)
    return stmt.where(Designation.park_id == who.org) if who.role == "park" else stmt


def of_park(s: Session, who: Principal, park_id: str) -> list[Designation]:
    """The park's designations by id, those `who` may see."""
    return list(s.scalars(readable(who).where(Designation.park_id == park_id).order_by(Designation.id)))


def held(s: Session, park_id: str, designation: str) -> Designation | None:
    return s.scalars(select(Designation).where(Designation.park_id == park_id,
                                               Designation.designation == designation)).first()


def add(s: Session, d: Designation) -> Designation:
    s.add(d)
    s.flush()
    return d
