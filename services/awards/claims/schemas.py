"""Claim bodies (API.md): against facts their owners recorded, never typed in."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from services.awards.schemas import Money
from shared.schemas import USCC, Body, Text

ContractId = Annotated[int, Field(ge=1, le=2_147_483_647, description="外联记录的合同编号 / outreach's contract id")]


class ScenarioClaim(Body):
    """重新申领应用场景奖励 / Re-raise the scenario award of a contract outreach recorded (one that was ineligible then)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"program": "scenario", "contract_id": 42}]})

    program: Literal["scenario"] = Field(description="应用场景奖励 / the scenario-application award")
    contract_id: ContractId


class EcosystemClaim(Body):
    """重新申领产业链上下游合作奖励 / Re-raise the ecosystem award of a contract outreach recorded."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"program": "ecosystem", "contract_id": 43}]})

    program: Literal["ecosystem"] = Field(description="产业生态奖励 / the ecosystem-contract award")
    contract_id: ContractId


class ListingClaim(Body):
    """上市奖励（依区金融服务办记录的上市） / The listing award of a listing the finance office recorded
    (board and date from that record);
    the municipal award is the amount of the municipal document cited by `municipal_award_ref`."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"program": "listing", "uscc": "91110111MA01ABCD2U", "municipal_award_yuan": 1000000,
         "municipal_award_ref": "京经信〔2024〕7号"}]})

    program: Literal["listing"] = Field(description="上市奖励 / the listing award")
    uscc: USCC = Field(description="统一社会信用代码 / unified social credit code")
    municipal_award_yuan: Money = Field(description="市级奖励金额（元） / the municipal award in whole 元")
    municipal_award_ref: Text = Field(description="市级奖励文件文号 / the municipal award's document")


ClaimIn = Annotated[ScenarioClaim | EcosystemClaim | ListingClaim, Field(discriminator="program")]
