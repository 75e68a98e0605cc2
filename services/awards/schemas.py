"""Awards request bodies."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from shared.schemas import USCC, Body, Day, LongText, Text, Yuan

Program = Literal["tier", "relocation", "introducer", "listing", "scenario", "ecosystem", "featured_park",
                  "incubation"]
State = Literal["computed", "reviewed", "approved", "disbursed", "rejected", "clawed_back"]


class ReviewIn(Body):
    note: LongText | None = None


class DisburseIn(Body):
    voucher: Text  # the treasury's payment voucher number (凭证号)
    note: LongText | None = None


class RejectIn(Body):
    reason: LongText


# -- claims (API.md): against facts their owners recorded, never typed in --------------------------
ContractId = Annotated[int, Field(ge=1, le=2_147_483_647, description="outreach's contract id")]


class ScenarioClaim(Body):
    """Re-raise the scenario award of a contract outreach recorded (one that was ineligible then)."""

    program: Literal["scenario"]
    contract_id: ContractId


class EcosystemClaim(Body):
    """Re-raise the ecosystem award of a contract outreach recorded."""

    program: Literal["ecosystem"]
    contract_id: ContractId


class ListingClaim(Body):
    """The listing award of a listing the finance office recorded (board and date from that record);
    the municipal award is the amount of the municipal document cited by `municipal_award_ref`."""

    program: Literal["listing"]
    uscc: USCC
    municipal_award_yuan: Yuan
    municipal_award_ref: Annotated[Text, Field(description="the municipal award's document (市级奖励文件文号)")]


ClaimIn = Annotated[ScenarioClaim | EcosystemClaim | ListingClaim, Field(discriminator="program")]


# -- budgets, simulations ----------------------------------------------------------------
class BudgetIn(Body):
    allocated_yuan: Yuan


class Period(Body):
    from_: Annotated[Day, Field(alias="from")]
    to: Day


class SimulationIn(Body):
    parameter_set: Literal["seed_proposal", "fangshan_2025"] = "seed_proposal"
    parameters: dict[Annotated[str, StringConstraints(max_length=100)], Any] = Field(default_factory=dict,
                                                                                       max_length=50)
    period: Period
