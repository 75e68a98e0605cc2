"""Matchmaking-event (政银企对接) request bodies and answers."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import ConfigDict, Field

from services.finance.loans.schemas import STATE, LoanState
from services.finance.products.schemas import OrgCode
from shared.schemas import USCC, Body, FactDay, Public, Text

USCCS = "参加企业的统一社会信用代码 / the attending enterprises' unified social credit codes"
EXAMPLE = {"title": "2025 年房山区专精特新企业政银企对接会", "held_on": "2025-06-18", "venue": "房山区政务服务中心",
           "banks": ["BOB", "ICBC-BJ"], "enterprises": ["91110111MA01ABCD2U"]}


class MatchmakingIn(Body):
    """A 政银企对接 event: date, banks, enterprises."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    title: Text = Field(description="活动名称 / title")
    held_on: FactDay = Field(description="举办日期 / date held")
    venue: Text | None = Field(None, description="地点 / venue")
    banks: Annotated[list[OrgCode], Field(min_length=1, max_length=100)] = Field(
        description="参加的银行（及担保、保险机构）代码 / org codes of the banks (and guarantors, insurers) attending")
    enterprises: Annotated[list[USCC], Field(default_factory=list, max_length=1000)] = Field(description=USCCS)


class AttendeesIn(Body):
    """加入对接活动的企业 / Enterprises to add to an event."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"enterprises": ["91110111MA01ABCD2U"]}]})

    enterprises: Annotated[list[USCC], Field(min_length=1, max_length=1000)] = Field(description=USCCS)


class MatchmakingCase(Public):
    """来自对接活动的贷款案件 / A loan case that came from the event."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"id": 12, "bank": "BOB", "uscc": "91110111MA01ABCD2U", "state": "drawn", "applied_yuan": 5_000_000,
         "drawn_yuan": 5_000_000}]})

    id: int = Field(description="贷款案件编号 / loan case id")
    bank: str = Field(description="放贷银行代码 / the lending bank's org code")
    uscc: str = Field(description="统一社会信用代码 / unified social credit code")
    state: LoanState = Field(description=STATE)
    applied_yuan: int = Field(description="申请金额（元）/ amount applied for, whole 元")
    drawn_yuan: int | None = Field(description="放款金额（元）/ amount drawn, whole 元")


class MatchmakingPublic(Public):
    """政银企对接活动 / An event with its attendees and the loan cases from it (a bank: only its own cases)."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"id": 2, **EXAMPLE, "cases": MatchmakingCase.model_config["json_schema_extra"]["examples"],
         "cases_count": 1, "drawn_yuan": 5_000_000}]})

    id: int = Field(description="活动编号 / event id")
    title: str = Field(description="活动名称 / title")
    held_on: dt.date = Field(description="举办日期 / date held")
    venue: str | None = Field(description="地点 / venue")
    banks: list[str] = Field(description="参加机构代码 / org codes attending")
    enterprises: list[str] = Field(description=USCCS)
    cases: list[MatchmakingCase] = Field(description="由活动促成的贷款案件 / loan cases from the event")
    cases_count: int = Field(description="案件数 / number of cases")
    drawn_yuan: int = Field(description="已放款合计（元）/ total drawn, whole 元")
