"""Finance request and response bodies."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from shared.schemas import USCC, Body, Day, FactDay, LongText, Text, Yuan
from shared.tiers import Tier

ProductKind = Literal["loan", "guarantee", "insurance"]  # 专精特新贷 / 专精特新保 / 专精特新险
LoanState = Literal["applied", "approved", "declined", "drawn", "repaid", "non_performing"]
OrgCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
BasisPoints = Annotated[int, Field(ge=0, le=10_000, description="basis points: 100 = 1 %")]
RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]
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


class ProductIn(Body):
    kind: ProductKind
    name: Text
    provider_org: OrgCode
    description: LongText | None = None
    # 专精特新险: 信用保证保险 (credit guarantee insurance) or 新技术首批次保险 (first-batch insurance)
    insurance_type: Literal["credit_guarantee", "first_batch"] | None = None

    @model_validator(mode="after")
    def _insurance_type(self):
        if (self.kind == "insurance") != (self.insurance_type is not None):
            raise ValueError("insurance_type 仅且必须用于保险产品 / insurance_type is required for insurance products "
                             "and only for them")
        return self


class LoanIn(Body):
    uscc: USCC
    product_id: RowId | None = None
    applied_yuan: PositiveYuan
    applied_on: FactDay
    # 首贷 is finance's decision across every bank's cases of the enterprise (the earliest drawn one),
    # not the bank's: `false` reports a bank loan before this one that the suite does not hold (the
    # enterprise's credit report), and makes the case not first; `true` or absent changes nothing.
    first_loan: bool | None = None
    guarantor: OrgCode | None = None  # 专精特新保: the guarantor sharing the risk
    matchmaking_event_id: RowId | None = None  # 政银企对接: the event the case came from


class DecisionIn(Body):
    approved: bool
    decided_on: FactDay
    reason: LongText | None = None


class DrawIn(Body):
    drawn_yuan: PositiveYuan
    drawn_on: FactDay
    rate_bp: Annotated[int, Field(ge=0, le=10_000, description="annual interest rate, basis points")]
    due_on: Day

    @model_validator(mode="after")
    def _dates(self):
        if self.due_on <= self.drawn_on:
            raise ValueError("due_on 须晚于 drawn_on / due_on must be after drawn_on")
        return self


class ExtendIn(Body):
    kind: Literal["extension", "renewal", "adjusted_plan"] = "extension"  # 展期 / 续期 / 调整还款计划
    due_on: Day
    rate_bp: Annotated[int | None, Field(ge=0, le=10_000)] = None
    reason: LongText
    on: FactDay | None = None  # the date the bank agreed it (default: today); not before the draw, not in the future


class RepayIn(Body):
    repaid_on: FactDay


class DefaultIn(Body):
    outstanding_yuan: Yuan
    on: FactDay
    reason: LongText | None = None




Stage = Literal["shareholding_reform", "coaching_filed", "application_accepted", "registered", "listed"]
Board = Literal["main", "sme", "chinext", "star", "bse", "overseas"]


class StageIn(Body):
    """One stage of the listing pipeline reached: 股改 → 辅导备案 → 申报受理 → 注册/核准 → 上市."""

    stage: Stage
    on: FactDay
    board: Board | None = None
    sponsor: Text | None = None  # 保荐机构
    note: LongText | None = None


class MatchmakingIn(Body):
    title: Text
    held_on: FactDay
    venue: Text | None = None
    banks: Annotated[list[OrgCode], Field(min_length=1, max_length=100)]
    enterprises: Annotated[list[USCC], Field(default_factory=list, max_length=1000)]


class AttendeesIn(Body):
    enterprises: Annotated[list[USCC], Field(min_length=1, max_length=1000)]


class FundIn(Body):
    name: Text
    manager: Text | None = None


class InvestmentIn(Body):
    uscc: USCC
    invested_on: FactDay
    amount_yuan: PositiveYuan


class RepaymentIn(Body):
    """A repayment record: interest (and principal) paid on `paid_on` for the interest period
    `period_from`..`period_to` (inclusive)."""

    paid_on: FactDay
    period_from: Day
    period_to: Day
    principal_yuan: Yuan = 0
    interest_yuan: Yuan

    @model_validator(mode="after")
    def _dates(self):
        if self.period_to < self.period_from:
            raise ValueError("period_to 不得早于 period_from / period_to must not be before period_from")
        if self.paid_on < self.period_from:
            raise ValueError("paid_on 不得早于 period_from / paid_on must not be before period_from")
        return self
