"""Incubation: every query about incubation records and the incubatee promotions announced."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from services.parks import rules
from services.parks.tables import IncubateePromotion, Incubation
from shared.auth import Principal
from shared.errors import not_found


def readable(who: Principal) -> Select:
    """The incubation records `who` may see: a park operator only its own park's."""
    stmt = select(Incubation)
    return stmt.where(Incubation.park_id == who.org) if who.role == "park" else stmt


def get(s: Session, who: Principal, park_id: str, incubation_id: int) -> Incubation:
    i = s.scalars(readable(who).where(Incubation.id == incubation_id, Incubation.park_id == park_id)).first()
    if i is None:
        raise not_found("入孵记录", "Incubation", str(incubation_id))
    return i


def page(s: Session, who: Principal, park_id: str, after: int | None, limit: int) -> list[Incubation]:
    stmt = readable(who).where(Incubation.park_id == park_id).order_by(Incubation.id).limit(limit + 1)
    if after is not None:
        stmt = stmt.where(Incubation.id > after)
    return list(s.scalars(stmt))


def of_enterprise(s: Session, park_id: str, uscc: str) -> list[Incubation]:
    """The park's incubation records of one enterprise, by id."""
    return list(s.scalars(select(Incubation).where(Incubation.park_id == park_id, Incubation.uscc == uscc)
                          .order_by(Incubation.id)))


def stay(i: Incubation) -> rules.Stay:
    return rules.Stay(i.uscc, i.entered_on, i.graduated_on)


def stays(s: Session, park_id: str, placed: set[str]) -> list[rules.Stay]:
    """The park's incubation records of enterprises the registry places in it (an incubation counts
    for a park only while the enterprise is the park's)."""
    return [stay(i) for i in s.scalars(select(Incubation).where(Incubation.park_id == park_id)) if i.uscc in placed]


def announced(s: Session, park_id: str, uscc: str, to_tier: str) -> bool:
    return s.scalars(select(IncubateePromotion.id).where(
        IncubateePromotion.park_id == park_id, IncubateePromotion.uscc == uscc,
        IncubateePromotion.to_tier == to_tier)).first() is not None


def add(s: Session, row: Incubation | IncubateePromotion) -> Incubation | IncubateePromotion:
    s.add(row)
    s.flush()
    return row
