"""Every query of scenarios and their proposals."""
from __future__ import annotations

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session

from services.outreach.access import one, scoped
from services.outreach.tables import Proposal, Scenario
from shared.auth import Principal
from shared.pagination import keyset


def readable(who: Principal) -> Select:
    """The scenarios `who` may read (with their proposals): every read starts here. An enterprise
    signed in reads the open ones (the call for proposals) and those it proposed to."""
    if who.role == "enterprise":
        mine = select(Proposal.scenario_id).where(Proposal.uscc == who.org)
        return select(Scenario).where(or_(Scenario.state == "open", Scenario.id.in_(mine)))
    return scoped(who, select(Scenario))


def get(s: Session, who: Principal, scenario_id: int, lock: bool = False) -> Scenario:
    return one(s, readable(who).where(Scenario.id == scenario_id), "场景", "Scenario", scenario_id, lock)


def listing(s: Session, who: Principal, state: str | None, recommended_city: bool | None,
            after: int | None, limit: int) -> list[Scenario]:
    stmt = readable(who)
    if state:
        stmt = stmt.where(Scenario.state == state)
    if recommended_city is not None:
        stmt = stmt.where(Scenario.recommended_city == recommended_city)
    return list(s.scalars(keyset(stmt, Scenario.id, after, limit)))


def proposals_of(s: Session, who: Principal, scenario_id: int) -> list[Proposal]:
    """A scenario's proposals as `who` may read them: an enterprise its own only."""
    stmt = select(Proposal).where(Proposal.scenario_id == scenario_id)
    if who.role == "enterprise":
        stmt = stmt.where(Proposal.uscc == who.org)
    return list(s.scalars(stmt.order_by(Proposal.id)))


def proposal(s: Session, proposal_id: int) -> Proposal | None:
    return s.get(Proposal, proposal_id)


def proposed(s: Session, scenario_id: int, uscc: str) -> bool:
    return s.scalars(select(Proposal.id).where(Proposal.scenario_id == scenario_id, Proposal.uscc == uscc)).first() \
        is not None


def chosen(s: Session, scenario_id: int) -> Proposal | None:
    return s.scalars(select(Proposal).where(Proposal.scenario_id == scenario_id, Proposal.state == "chosen")).first()


def not_chosen_but(s: Session, scenario_id: int, proposal_id: int) -> None:
    """Every other proposal of the scenario becomes not_chosen (the first contract chose one)."""
    s.execute(update(Proposal).where(Proposal.scenario_id == scenario_id, Proposal.id != proposal_id)
              .values(state="not_chosen"))
