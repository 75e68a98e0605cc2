"""What outreach publishes that other departments act on."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field

from shared.contracts import EventData


class ContractSigned(EventData):
    """A contract outreach recorded: a phase of a scenario with its chosen proposal's enterprise
    (kind scenario), or an up/down-stream deal between two registered enterprises (kind
    ecosystem). The awards service raises one award per contract from it (keyed by contract_id)."""

    SERVICE = "outreach"
    NAME = "contract.signed.v1"
    TITLE_ZH = "合同签订：应用场景合同或产业链上下游合同已登记"
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"contract_id": 88, "kind": "scenario", "uscc": "91110111MA01R2XJ3P", "buyer_uscc": None, "scenario_id": 7,
         "proposal_id": 12, "contract_yuan": 2750000, "signed_on": "2026-05-20", "evidence": "HT-2026-001"}]})
    contract_id: int = Field(description="合同编号（奖励按它去重） / the contract's id (one award per contract)")
    kind: Literal["scenario", "ecosystem"] = Field(
        description="合同类型：scenario 应用场景、ecosystem 产业链上下游 / the kind: a scenario phase or an "
                    "up/down-stream deal")
    # the supplier: the enterprise the award goes to
    uscc: str = Field(description="供方企业的统一社会信用代码（奖励给它） / the supplier's unified social credit code "
                                  "(the award goes to it)")
    # ecosystem: the other party
    buyer_uscc: str | None = Field(None, description="需方企业的统一社会信用代码（产业链合同） / the buyer's unified "
                                                     "social credit code (ecosystem deals)")
    scenario_id: int | None = Field(None, description="应用场景编号（场景合同） / the scenario's id (scenario "
                                                      "contracts)")
    # scenario: the chosen proposal
    proposal_id: int | None = Field(None, description="中选方案编号（场景合同） / the chosen proposal's id (scenario "
                                                      "contracts)")
    contract_yuan: int = Field(description="合同金额（元，整数） / the contract amount in whole yuan")
    signed_on: dt.date = Field(description="签订日期 / the day it was signed")
    evidence: str | None = Field(None, description="合同编号或扫描件引用 / the contract number or the stored scan's "
                                                   "reference")
