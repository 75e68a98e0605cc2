"""Registry request and response bodies."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from shared.schemas import USCC, Body, Day, DivisionCode, FactDay, LongText, Text
from shared.tiers import Tier

CertTier = Literal["innovative", "potential", "municipal_srdi", "municipal_little_giant",
                   "national_little_giant", "single_champion"]


class EnterpriseIn(Body):
    uscc: USCC
    name: Text
    township: Annotated[Text, Field(max_length=50)] | None = None
    industry_code: Annotated[Text, Field(max_length=20)] | None = None
    founded_on: Day | None = None
    park_id: Annotated[Text, Field(max_length=64)] | None = None
    relocated_on: FactDay | None = None
    relocated_from_code: DivisionCode | None = None  # GB/T 2260; decides "from outside Beijing"
    relocated_from: Annotated[Text, Field(max_length=100)] | None = None  # the origin's name
    introducer: Text | None = None

    @model_validator(mode="after")
    def _relocation(self):
        if (self.relocated_from or self.relocated_from_code) and not self.relocated_on:
            raise ValueError("relocated_from 需要 relocated_on / relocated_from needs relocated_on")
        return self


class CertificationIn(Body):
    tier: CertTier
    recognized_on: FactDay
    expires_on: Day | None = None
    batch: Annotated[Text, Field(max_length=50)] | None = None
    source: Literal["manual", "municipal_list", "platform"] = "manual"

    @model_validator(mode="after")
    def _dates(self):
        if self.expires_on and self.expires_on < self.recognized_on:
            raise ValueError("expires_on 早于 recognized_on / expires_on is before recognized_on")
        return self


class RevokeIn(Body):
    reason: Annotated[LongText, Field(max_length=500)]
    for_cause: bool = True
    revoked_on: FactDay | None = None  # default: today


class CertificationOut(BaseModel):
    id: int
    tier: Tier
    state: str
    recognized_on: dt.date
    expires_on: dt.date
    batch: str | None
    source: str
    revoked_on: dt.date | None = None
    revoke_reason: str | None = None
    for_cause: bool | None = None


Pct = Annotated[Decimal, Field(ge=0, le=100, max_digits=9, decimal_places=4, description="percent, e.g. 70 or 3.5")]
Count = Annotated[int, Field(ge=0, le=10**7)]
Yuan = Annotated[int, Field(ge=0, le=10**13, description="whole 元")]


class IndicatorsIn(Body):
    """An enterprise's indicators for one year (all optional: screening reports what is missing)."""

    revenue_yuan: Yuan | None = None
    rd_spend_yuan: Yuan | None = None
    staff: Count | None = None
    rd_staff: Count | None = None
    patents: Count | None = None
    invention_patents: Count | None = None
    ip_class1: Count | None = None
    ip_class2: Count | None = None
    ip_class1_high_value: Count | None = None
    ip_class1_self_developed: Count | None = None
    main_business_share_pct: Pct | None = None
    years_in_niche: Annotated[int, Field(ge=0, le=200)] | None = None
    debt_ratio_pct: Annotated[Decimal, Field(ge=0, le=1000, max_digits=9, decimal_places=4)] | None = None
    equity_raised_yuan: Yuan | None = None
    niche_market_share_pct: Pct | None = None
    strategic_emerging: bool | None = None
    high_tech_enterprise: bool | None = None
    st_award: bool | None = None
    provincial_rd_institution: bool | None = None
    srdi_score: Annotated[Decimal, Field(ge=0, le=100, max_digits=7, decimal_places=2)] | None = None
    development_score: Annotated[Decimal, Field(ge=0, le=100, max_digits=7, decimal_places=2)] | None = None

    @model_validator(mode="after")
    def _consistent(self):
        if self.rd_staff is not None and self.staff is not None and self.rd_staff > self.staff:
            raise ValueError("rd_staff 大于 staff / rd_staff exceeds staff")
        if self.invention_patents is not None and self.patents is not None and self.invention_patents > self.patents:
            raise ValueError("invention_patents 大于 patents / invention_patents exceeds patents")
        if self.rd_spend_yuan is not None and self.revenue_yuan is not None and self.rd_spend_yuan > self.revenue_yuan * 10:
            raise ValueError("rd_spend_yuan 不合理 / rd_spend_yuan is implausible against revenue")
        return self

    def facts(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.model_dump().items() if v is not None}


class AnnualUpdateIn(Body):
    year: Annotated[int, Field(ge=2000, le=2100)]
    submitted_on: FactDay


class ChangeReportIn(Body):
    kind: Literal["rename", "merger", "restructuring", "relocation", "overseas_branch"]
    changed_on: FactDay
    reported_on: FactDay | None = None  # default today
    detail: Annotated[LongText, Field(max_length=2000)] | None = None

    @model_validator(mode="after")
    def _dates(self):
        if self.reported_on and self.reported_on < self.changed_on:
            raise ValueError("reported_on 早于 changed_on / reported_on is before changed_on")
        return self


class ServiceRequestIn(Body):
    uscc: USCC
    category: Literal["qualification", "subsidy", "talent", "finance", "land_space", "other"]
    summary: Annotated[LongText, Field(max_length=2000)]
    opened_on: FactDay | None = None  # default today


class RequestMoveIn(Body):
    state: Literal["accepted", "resolved", "rejected"]
    note: Annotated[LongText, Field(max_length=2000)] | None = None

    @model_validator(mode="after")
    def _note(self):
        if self.state in ("resolved", "rejected") and not self.note:
            raise ValueError("办结或退回需要说明 note / resolving or rejecting needs a note")
        return self


class VisitIn(Body):
    uscc: USCC
    visited_on: FactDay
    visitors: Annotated[Text, Field(max_length=500)]
    findings: Annotated[LongText, Field(max_length=2000)]


class RecommendationIn(Body):
    """The district's recommendations (区级推荐) of enterprises to declare a tier in a year."""

    year: Annotated[int, Field(ge=2000, le=2100)]
    tier: Literal["innovative", "municipal_srdi", "municipal_little_giant", "national_little_giant",
                  "single_champion"]
    usccs: Annotated[list[USCC], Field(min_length=1, max_length=1000)]


RequestCategory = Literal["qualification", "subsidy", "talent", "finance", "land_space", "other"]
Phone = Annotated[str, Field(min_length=5, max_length=20, pattern=r"^\+?[0-9][0-9 -]{3,18}[0-9]$",
                             description="digits, optionally with +, spaces or hyphens")]


class HotlineQuestionIn(Body):
    """A hotline question (热线咨询). The caller's name and phone are optional personal data."""

    uscc: USCC | None = None
    caller_name: Annotated[Text, Field(max_length=50)] | None = None
    caller_phone: Phone | None = None
    category: RequestCategory
    question: Annotated[LongText, Field(max_length=2000)]
    asked_on: FactDay | None = None  # default today


class HotlineAnswerIn(Body):
    answer: Annotated[str, Field(min_length=1, max_length=4000)]
    answered_by: Annotated[Text, Field(max_length=200)] | None = None  # default: the caller's identity
    answered_on: FactDay | None = None  # default today

    @model_validator(mode="after")
    def _blank(self):
        self.answer = self.answer.strip()
        if not self.answer:
            raise ValueError("answer 不能为空 / answer is blank")
        return self


class PolicySessionIn(Body):
    """A policy briefing (政策宣讲会) in a township."""

    title: Text
    township: Annotated[Text, Field(max_length=50)]
    held_on: Day
    topic: Annotated[LongText, Field(max_length=2000, description="the topic or programme")]
    venue: Annotated[Text, Field(max_length=200)] | None = None


class AttendanceIn(Body):
    """How many came from the enterprise (a count only: no names, no personal data)."""

    attendees: Annotated[int, Field(ge=1, le=10000)] = 1
