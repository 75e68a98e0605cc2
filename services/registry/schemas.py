"""Registry request and response bodies."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from shared.schemas import USCC, Body, Day, LongText, Text
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
    relocated_on: Day | None = None
    relocated_from: Annotated[Text, Field(max_length=100)] | None = None
    introducer: Text | None = None

    @model_validator(mode="after")
    def _relocation(self):
        if self.relocated_from and not self.relocated_on:
            raise ValueError("relocated_from 需要 relocated_on / relocated_from needs relocated_on")
        return self


class CertificationIn(Body):
    tier: CertTier
    recognized_on: Day
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
    revoked_on: Day | None = None  # default: today


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
