"""Every query of contracts (a scenario's phases and up/down-stream contracts)."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from services.outreach.access import one, scoped
from services.outreach.tables import Contract
from shared.auth import Principal
from shared.pagination import keyset


def readable(who: Principal) -> Select:
    """The contracts `who` may read: every read starts here."""
    return scoped(who, select(Contract))


def get(s: Session, who: Principal, contract_id: int) -> Contract:
    return one(s, readable(who).where(Contract.id == contract_id), "合同", "Contract", contract_id)


def listing(s: Session, who: Principal, kind: str | None, uscc: str | None, after: int | None,
            limit: int) -> list[Contract]:
    stmt = readable(who)
    if kind:
        stmt = stmt.where(Contract.kind == kind)
    if uscc:
        stmt = stmt.where(Contract.uscc == uscc.upper())
    return list(s.scalars(keyset(stmt, Contract.id, after, limit)))


def of_scenario(s: Session, scenario_id: int) -> list[Contract]:
    """A scenario's contracts (its phases), the first first."""
    return list(s.scalars(select(Contract).where(Contract.scenario_id == scenario_id).order_by(Contract.id)))


def same_phase(s: Session, scenario_id: int, evidence: str) -> int | None:
    """The scenario's contract with this contract number, if recorded."""
    return s.scalars(select(Contract.id).where(Contract.scenario_id == scenario_id,
                                               Contract.evidence == evidence)).first()


def same_deal(s: Session, supplier: str, buyer: str, evidence: str) -> int | None:
    """The ecosystem contract between these parties with this contract number, if recorded."""
    return s.scalars(select(Contract.id).where(Contract.uscc == supplier, Contract.buyer_uscc == buyer,
                                               Contract.evidence == evidence)).first()
