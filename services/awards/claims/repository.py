"""Every query of the claims: the contracts and listings recorded, and the claim awards standing on them."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.awards.rules import COUNTED
from services.awards.tables import Award, Contract, Listing

CLAIMS = ("listing", "scenario", "ecosystem")


def contract(s: Session, contract_id: int) -> Contract | None:
    return s.get(Contract, contract_id)


def first_listing(s: Session, uscc: str) -> Listing | None:
    """The enterprise's earliest listing the finance office recorded."""
    return s.scalars(select(Listing).where(Listing.uscc == uscc).order_by(Listing.listed_on, Listing.id)).first()


def listing(s: Session, uscc: str, board: str) -> Listing | None:
    return s.scalars(select(Listing).where(Listing.uscc == uscc, Listing.board == board)).first()


def standing(s: Session, *where) -> Award | None:
    """The first award that counts (not rejected nor clawed back) among those matching."""
    return s.scalars(select(Award).where(*where, Award.state.in_(COUNTED)).order_by(Award.id)).first()


def scenario_awards(s: Session, uscc: str) -> list[Award]:
    return list(s.scalars(select(Award).where(Award.uscc == uscc, Award.program == "scenario",
                                              Award.state.in_(COUNTED))))


def standing_claims(s: Session, uscc: str) -> list[Award]:
    return list(s.scalars(select(Award).where(Award.uscc == uscc, Award.program.in_(CLAIMS),
                                              Award.state.in_(COUNTED)).order_by(Award.id)))
