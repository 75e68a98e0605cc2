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


# -- claims (API.md) ------------------------------------------------------------------------------
Board = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=20)]


class ScenarioClaim(Body):
    program: Literal["scenario"]
    uscc: USCC
    scenario_id: Text
    contract_yuan: Yuan
    signed_on: Day
    evidence_ref: Annotated[Text | None, Field(description="contract number (合同编号)")] = None


class EcosystemClaim(Body):
    program: Literal["ecosystem"]
    uscc: USCC  # the supplier
    buyer_uscc: USCC
    contract_yuan: Yuan
    signed_on: Day
    evidence_ref: Annotated[Text | None, Field(description="contract number (合同编号)")] = None


class ListingClaim(Body):
    program: Literal["listing"]
    uscc: USCC
    board: Board | None = None  # main, sme, chinext, star, bse, overseas; from the finance office's record if omitted
    listed_on: Day | None = None
    municipal_award_yuan: Yuan
    evidence_ref: Annotated[Text | None, Field(description="listing announcement (上市公告)")] = None


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
