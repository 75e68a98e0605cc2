"""Contracts: the bodies that record one (a scenario's phase, an up/down-stream deal) and the answer."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, model_validator

from services.outreach.rules import contract_ref
from shared.schemas import USCC, Body, FactDay, Public, RowId, UtcTime

SUPPLIER, BUYER = "91110111HD3PXLK5FU", "91110111N757J7DR5U"

# A contract number or scan reference, folded so that one contract typed two ways is one (rules.contract_ref).
Evidence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
                     AfterValidator(contract_ref)]
ContractYuan = Annotated[int, Field(gt=0, le=10**13)]

EVIDENCE = "合同编号或扫描件引用（≤ 200 字，存储时统一全半角、空格与大小写）/ the contract number or the stored scan's " \
           "reference (≤ 200; stored folded: NFKC, spaces collapsed, upper case)"
SIGNED_ON = "签订日期，不晚于今天 / the day it was signed, never after today"
AMOUNT = "合同金额（整数元，大于 0）/ the contract's amount in whole 元, above 0"


class ScenarioContractIn(Body):
    """场景的一份合同（一期）/ A contract (a phase) of a scenario with its chosen proposal."""

    proposal_id: RowId = Field(description="方案编号：第一份合同选定该方案，之后各期须是同一方案 / the proposal: "
                                           "the first contract chooses it, every later phase must name it")
    contract_yuan: ContractYuan = Field(description=AMOUNT)
    signed_on: FactDay = Field(description=SIGNED_ON)
    evidence: Evidence = Field(description=EVIDENCE)
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"proposal_id": 12, "contract_yuan": 2750000, "signed_on": "2026-05-20", "evidence": "HT-2026-001"}]})


class EcosystemContractIn(Body):
    """两家区内企业之间的上下游合同 / An up/down-stream contract between two district enterprises."""

    supplier_uscc: USCC = Field(description="供方统一社会信用代码 / the supplier's unified social credit code")
    buyer_uscc: USCC = Field(description="需方统一社会信用代码 / the buyer's unified social credit code")
    product_id: RowId | None = Field(None, description="供方在产品目录中的产品（可空）/ the supplier's showcase "
                                                       "product, if any")
    contract_yuan: ContractYuan = Field(description=AMOUNT)
    signed_on: FactDay = Field(description=SIGNED_ON)
    evidence: Evidence = Field(description=EVIDENCE)
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"supplier_uscc": SUPPLIER, "buyer_uscc": BUYER, "product_id": 3, "contract_yuan": 860000,
         "signed_on": "2026-06-18", "evidence": "GX-2026-018"}]})

    @model_validator(mode="after")
    def _two_parties(self):
        if self.supplier_uscc == self.buyer_uscc:
            raise ValueError("供需双方不能是同一企业 / supplier and buyer must differ")
        return self


EXAMPLE = {"id": 41, "kind": "scenario", "uscc": SUPPLIER, "buyer_uscc": None, "buyer_name": "区城管委",
           "scenario_id": 7, "proposal_id": 12, "product_id": None, "contract_yuan": 2750000,
           "signed_on": "2026-05-20", "evidence": "HT-2026-001", "event_id": "0b0f5c1e-6a55-4c1e-9d44-3f1f2b7c9a10",
           "created_by": "econ:-:zhang", "created_at": "2026-05-21T02:15:00Z"}


class ContractPublic(Public):
    """一份已登记的合同 / A contract as recorded."""

    id: int = Field(description="合同编号 / the contract's id")
    kind: Literal["scenario", "ecosystem"] = Field(description="scenario：场景合同；ecosystem：上下游合同 / "
                                                               "a scenario's phase or an up/down-stream contract")
    uscc: str = Field(description="供方统一社会信用代码 / the supplier's unified social credit code")
    buyer_uscc: str | None = Field(description="需方统一社会信用代码（场景合同为空）/ the buyer's USCC "
                                               "(null for a scenario)")
    buyer_name: str = Field(description="需方名称（场景合同为场景的发布部门）/ the buyer's name (a scenario's "
                                        "owner department)")
    scenario_id: int | None = Field(description="场景编号（上下游合同为空）/ the scenario (null for ecosystem)")
    proposal_id: int | None = Field(description="选定的方案（上下游合同为空）/ the chosen proposal (null for "
                                                "ecosystem)")
    product_id: int | None = Field(description="产品目录中的产品 / the showcase product, if any")
    contract_yuan: int = Field(description=AMOUNT)
    signed_on: dt.date = Field(description="签订日期 / the day it was signed")
    evidence: str = Field(description="合同编号或扫描件引用（已统一格式）/ the contract number or scan reference (folded)")
    event_id: str = Field(description="发布的 contract.signed.v1 事件编号 / the contract.signed.v1 event it published")
    created_by: str = Field(description="登记人（角色:机构:用户）/ who recorded it (role:org:user)")
    created_at: UtcTime = Field(description="登记时间（UTC）/ when it was recorded (UTC)")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [EXAMPLE]})
