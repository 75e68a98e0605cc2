"""What outreach publishes (contract.signed.v1), as the shared contract model
(shared.contracts.outreach). What it consumes is in handlers.py."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.outreach.tables import Contract
from shared.contracts.outreach import ContractSigned
from shared.events import Event, emit_data


def contract_signed(s: Session, c: Contract) -> Event:
    """Raises the scenario or ecosystem award in awards; the consumer keys it by contract_id."""
    return emit_data(s, c.uscc, ContractSigned(
        contract_id=c.id, kind=c.kind, uscc=c.uscc, buyer_uscc=c.buyer_uscc, scenario_id=c.scenario_id,
        proposal_id=c.proposal_id, contract_yuan=c.contract_yuan, signed_on=c.signed_on, evidence=c.evidence))
