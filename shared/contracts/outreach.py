"""What outreach publishes that other departments act on."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from shared.contracts import EventData


class ContractSigned(EventData):
    """A contract outreach recorded: a phase of a scenario with its chosen proposal's enterprise
    (kind scenario), or an up/down-stream deal between two registered enterprises (kind
    ecosystem). The awards service raises one award per contract from it (keyed by contract_id)."""

    SERVICE = "outreach"
    NAME = "contract.signed.v1"
    contract_id: int
    kind: Literal["scenario", "ecosystem"]
    uscc: str  # the supplier: the enterprise the award goes to
    buyer_uscc: str | None = None  # ecosystem: the other party
    scenario_id: int | None = None
    proposal_id: int | None = None  # scenario: the chosen proposal
    contract_yuan: int
    signed_on: dt.date
    evidence: str | None = None
