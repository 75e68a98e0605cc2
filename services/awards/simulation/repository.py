"""Every query of the what-if: the facts a replay needs, as this service holds them."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.awards.rules import COUNTED
from services.awards.tables import Award, Contract, IncubateePromotion, Listing, ParkDesignation


def contracts(s: Session) -> list[Contract]:
    return list(s.scalars(select(Contract).order_by(Contract.contract_id)))


def listings(s: Session) -> list[Listing]:
    return list(s.scalars(select(Listing).order_by(Listing.listed_on, Listing.id)))


def listing_awards(s: Session) -> list[Award]:
    """The listing awards that count, oldest first."""
    return list(s.scalars(select(Award).where(Award.program == "listing", Award.state.in_(COUNTED))
                          .order_by(Award.id)))


def designations(s: Session) -> list[ParkDesignation]:
    return list(s.scalars(select(ParkDesignation)))


def incubatee_promotions(s: Session) -> list[IncubateePromotion]:
    return list(s.scalars(select(IncubateePromotion)))
