"""Every query of the projection: the registry's records this service holds (shared.projection), the
awards decided from them, and the facts parks announced."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.awards.rules import HELD
from services.awards.tables import Award, IncubateePromotion, ParkDesignation
from shared import projection
from shared.contracts.registry import EnterpriseRecord


def locked_record(s: Session, uscc: str) -> EnterpriseRecord | None:
    """The newest record held of an enterprise, its row locked: one enterprise's awards are decided
    one at a time (None: the registry never told us of it, so it is not in the district)."""
    return projection.record_of(s, uscc, lock=True)


def family(s: Session, base: str) -> list[Award]:
    """The awards under a natural key: the first (`base`) and those made after a take-back (`base:n`)."""
    return list(s.scalars(select(Award).where((Award.award_key == base) | Award.award_key.like(f"{base}:%"))
                          .order_by(Award.id)))


def held_tier_awards(s: Session, uscc: str) -> list[Award]:
    """The tier awards the enterprise received or is owed (settled outside the system included): what
    a top-up deducts."""
    return list(s.scalars(select(Award).where(Award.uscc == uscc, Award.program == "tier",
                                              Award.state.in_(HELD)).order_by(Award.id)))


def resting_on(s: Session, uscc: str, certification_id: int) -> list[Award]:
    """The awards a certification earned."""
    return list(s.scalars(select(Award).where(Award.certification_id == certification_id, Award.uscc == uscc)
                          .order_by(Award.id)))


def certification_awards(s: Session, uscc: str) -> list[Award]:
    """Every tier, relocation and introducer award of an enterprise."""
    return list(s.scalars(select(Award).where(Award.uscc == uscc,
                                              Award.program.in_(("tier", "relocation", "introducer")))))


def designation(s: Session, designation_id: int) -> ParkDesignation | None:
    return s.get(ParkDesignation, designation_id)


def incubatee_promotions(s: Session, uscc: str, tier: str, on) -> list[IncubateePromotion]:
    """Parks' announcements that this enterprise, incubated by a park, reached `tier` on `on`."""
    return list(s.scalars(select(IncubateePromotion).where(
        IncubateePromotion.uscc == uscc, IncubateePromotion.to_tier == tier,
        IncubateePromotion.recognized_on == on).order_by(IncubateePromotion.id)))


def incubatee_known(s: Session, park_id: str, uscc: str, tier: str) -> bool:
    return s.scalars(select(IncubateePromotion.id).where(
        IncubateePromotion.park_id == park_id, IncubateePromotion.uscc == uscc,
        IncubateePromotion.to_tier == tier)).first() is not None
