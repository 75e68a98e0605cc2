"""Finance request and response bodies."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from shared.schemas import USCC, Body, Day, LongText, Text, Yuan
from shared.tiers import Tier

ProductKind = Literal["loan", "guarantee", "insurance"]  # 专精特新贷 / 专精特新保 / 专精特新险
LoanState = Literal["applied", "approved", "declined", "drawn", "repaid", "non_performing"]
OrgCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
BasisPoints = Annotated[int, Field(ge=0, le=10_000, description="basis points: 100 = 1 %")]
PositiveYuan = Annotated[int, Field(gt=0, le=10**13, description="whole 元")]


class ServiceListItem(BaseModel):
    uscc: str
    name: str
    tier: Tier
    since: dt.date | None
    removed_on: dt.date | None = None
    listed: bool = True


class ServiceListPage(BaseModel):
    items: list[ServiceListItem]
    next_cursor: str | None


class ParameterIn(Body):
    key: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^finance\.[a-z0-9_.]+$")]
    value: Any
    effective_from: Day
    legal_ref: LongText


class ProductIn(Body):
    kind: ProductKind
    name: Text
    provider_org: OrgCode
    description: LongText | None = None


class LoanIn(Body):
    uscc: USCC
    product_id: int | None = None
    applied_yuan: PositiveYuan
    applied_on: Day
    first_loan: bool = False  # 首贷: the bank declares the enterprise had no bank loan before
    guarantor: OrgCode | None = None  # 专精特新保: the guarantor sharing the risk


class DecisionIn(Body):
    approved: bool
    decided_on: Day
    reason: LongText | None = None


class DrawIn(Body):
    drawn_yuan: PositiveYuan
    drawn_on: Day
    rate_bp: Annotated[int, Field(ge=0, le=10_000, description="annual interest rate, basis points")]
    due_on: Day

    @model_validator(mode="after")
    def _dates(self):
        if self.due_on <= self.drawn_on:
            raise ValueError("due_on 须晚于 drawn_on / due_on must be after drawn_on")
        return self


class ExtendIn(Body):
    kind: Literal["extension", "renewal"] = "extension"  # 展期 / 续期
    due_on: Day
    rate_bp: Annotated[int | None, Field(ge=0, le=10_000)] = None
    reason: LongText


class RepayIn(Body):
    repaid_on: Day


class DefaultIn(Body):
    outstanding_yuan: Yuan
    on: Day
    reason: LongText | None = None


class SubsidyIn(Body):
    interest_paid_yuan: Yuan  # interest paid in the loan's first year
