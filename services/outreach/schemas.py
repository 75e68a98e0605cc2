"""Outreach request bodies."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from services.outreach.rules import contract_ref
from shared.schemas import USCC, Body, Day, FactDay, LongText, Text, Yuan

Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500,
                                       pattern=r"^https?://\S+$")]
Email = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200,
                                         pattern=r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Channel = Literal["inbox", "email", "wechat"]
Stage = Literal["preparing", "submitted", "approved", "granted", "rejected", "withdrawn"]


# A contract number or scan reference, folded so that one contract typed two ways is one (rules.contract_ref).
Evidence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
                     AfterValidator(contract_ref)]


class ScenarioIn(Body):
    title: Text
    owner_department: Text
    need: LongText
    budget_yuan: Yuan
    deadline: Day


class RecommendIn(Body):
    recommended_on: FactDay  # a fact: never after today


class ProposalIn(Body):
    uscc: USCC
    summary: LongText
    product_id: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    price_yuan: Yuan | None = None


class ScenarioContractIn(Body):
    proposal_id: Annotated[int, Field(ge=1, le=2**31 - 1)]
    contract_yuan: Annotated[int, Field(gt=0, le=10**13, description="whole 元")]
    signed_on: FactDay  # a contract is recorded once signed: never dated after today
    # The contract number or the stored scan's reference (≤ 200, as the awards claim's evidence_ref).
    evidence: Evidence


class ProductIn(Body):
    uscc: USCC
    name: Text
    kind: Literal["technology", "product"] = "product"
    category: Short
    maturity: Literal["research", "pilot", "mass_production", "deployed"]
    certifications: Annotated[list[Text], Field(max_length=20)] = []
    references: Annotated[list[Text], Field(max_length=20)] = []
    description: LongText | None = None


class InterestIn(Body):
    buyer_uscc: USCC | None = None
    buyer_department: Text | None = None
    note: LongText | None = None

    @model_validator(mode="after")
    def _one_buyer(self):
        if not (self.buyer_uscc or self.buyer_department):
            raise ValueError("buyer_uscc 或 buyer_department 必填其一 / give buyer_uscc or buyer_department")
        return self


class EcosystemContractIn(Body):
    supplier_uscc: USCC
    buyer_uscc: USCC
    product_id: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    contract_yuan: Annotated[int, Field(gt=0, le=10**13, description="whole 元")]
    signed_on: FactDay  # a contract is recorded once signed: never dated after today
    # The contract number or the stored scan's reference (≤ 200, as the awards claim's evidence_ref).
    evidence: Evidence

    @model_validator(mode="after")
    def _two_parties(self):
        if self.supplier_uscc == self.buyer_uscc:
            raise ValueError("供需双方不能是同一企业 / supplier and buyer must differ")
        return self


class ContactIn(Body):
    email: Email | None = None
    wechat_openid: Short | None = None


IndustryCode = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=20,
                                                pattern=r"^[A-Za-z][0-9]{0,6}$")]


class ScreeningIn(Body):
    """准达标 / 达标 for a tier in the registry's screening (GET /api/v1/screening), resolved to
    USCCs when the notice is created."""
    tier: Literal["innovative", "municipal_srdi", "national_little_giant"]
    result: Literal["准达标", "达标"]
    on: Day | None = None
    year: Annotated[int, Field(ge=2000, le=2100)] | None = None


class TargetIn(Body):
    tiers: Annotated[list[Short], Field(max_length=10)] = []
    townships: Annotated[list[Short], Field(max_length=50)] = []
    park_ids: Annotated[list[Short], Field(max_length=50)] = []
    usccs: Annotated[list[USCC], Field(max_length=1000)] = []
    # GB/T 4754 industry code prefixes: "C35" selects C3511.
    industries: Annotated[list[IndustryCode], Field(max_length=50)] = []
    screening: ScreeningIn | None = None


class NoticeIn(Body):
    programme: Text
    title: Text
    body: LongText
    window_opens: Day
    window_closes: Day
    criteria_url: Url | None = None
    target: TargetIn = TargetIn()
    channels: Annotated[list[Channel], Field(min_length=1, max_length=3)] = ["inbox"]

    @model_validator(mode="after")
    def _window(self):
        if self.window_closes < self.window_opens:
            raise ValueError("window_closes 早于 window_opens / window_closes is before window_opens")
        self.channels = list(dict.fromkeys(self.channels))
        return self


class ProgrammeIn(Body):
    name: Text
    level: Literal["municipal", "national"]
    authority: Text
    window_opens: Day
    window_closes: Day
    max_amount_yuan: Yuan | None = None
    url: Url | None = None
    description: LongText | None = None

    @model_validator(mode="after")
    def _window(self):
        if self.window_closes < self.window_opens:
            raise ValueError("window_closes 早于 window_opens / window_closes is before window_opens")
        return self


class ApplicationIn(Body):
    uscc: USCC
    requested_yuan: Yuan | None = None
    note: LongText | None = None


class ApplicationUpdate(Body):
    stage: Stage | None = None
    requested_yuan: Yuan | None = None
    granted_yuan: Yuan | None = None
    note: LongText | None = None
