"""Approval refusals and carry-overs: the bodies and answers."""
from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, Field

from shared.schemas import Body, LongText, Public, RowId, UtcTime

AWARD = {"award_id": 12, "uscc": "91110111MA01ABCD2U", "payee": "91110111MA01ABCD2U", "payee_type": "enterprise",
         "program": "tier", "tier": "municipal_srdi", "amount_yuan": 300000, "state": "reviewed"}
REFUSED = {**AWARD, "code": "budget-exceeded", "refused_on": "2026-12-01", "remaining_yuan": 100000, "refusals": 1,
           "carried_to_year": None}
CARRIED = {**AWARD, "from_year": 2026, "to_year": 2027, "note": "年度预算用尽，结转下年", "actor": "treasury:-:wang",
           "at": "2026-12-02T02:00:00Z"}


class CarryOverIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"note": "年度预算用尽，结转下年"}]})

    note: LongText | None = Field(None, description="结转说明 / a note")


class BatchCarryOverIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"award_ids": [12, 15], "note": "年度预算用尽，结转下年"}]})

    award_ids: list[RowId] = Field(min_length=1, max_length=500, description="结转的奖励编号（至多 500 笔） / the awards "
                                                                              "to carry over (at most 500)")
    note: LongText | None = Field(None, description="结转说明 / a note")


class AwardFields(Public):
    award_id: int = Field(description="奖励编号 / the award's id")
    uscc: str | None = Field(description="所涉企业统一社会信用代码 / the enterprise it is about (USCC)")
    payee: str = Field(description="收款方 / who is paid")
    payee_type: str = Field(description="收款方类型 / enterprise, intermediary or park")
    program: str = Field(description="奖励项目 / the programme")
    tier: str | None = Field(description="层级 / the tier, for a tier award")
    amount_yuan: int = Field(description="金额（元） / the amount, in 元")
    state: str = Field(description="奖励状态 / the award's state")


class RefusedAward(AwardFields):
    """因预算不足未获批准、仍为已审核的奖励 / A reviewed award whose approval the budget refused."""

    model_config = ConfigDict(json_schema_extra={"examples": [REFUSED]})

    code: str = Field(description="拒绝原因：no-budget 未设定预算、budget-exceeded 预算不足 / why: no-budget, "
                                  "budget-exceeded")
    refused_on: dt.date = Field(description="最近一次被拒绝的日期 / the day of the last refusal")
    remaining_yuan: int | None = Field(description="当时预算剩余（元） / what the budget had left then, in 元")
    refusals: int = Field(description="该年度被拒绝次数 / how many times it was refused that year")
    carried_to_year: int | None = Field(description="已结转至的年度（未结转为空） / the year it was carried to (null "
                                                    "when not)")


class CarriedAward(AwardFields):
    """结转至某年度预算的奖励 / An award carried over to a year's budget."""

    model_config = ConfigDict(json_schema_extra={"examples": [CARRIED]})

    from_year: int = Field(description="预算不足的年度 / the year whose budget refused it")
    to_year: int = Field(description="结转至的年度 / the year whose budget it waits for")
    note: str | None = Field(description="结转说明 / a note")
    actor: str = Field(description="经办 / who carried it over")
    at: UtcTime = Field(description="结转时间（UTC） / when (UTC)")


class RefusedList(Public):
    """某年度因预算不足未获批准的奖励 / The awards refused for lack of a year's budget."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"year": 2026, "items": [REFUSED],
                                                               "amount_yuan": 300000}]})

    year: int = Field(description="预算年度 / the budget year")
    items: list[RefusedAward] = Field(description="奖励 / the awards")
    amount_yuan: int = Field(description="合计（元） / their total, in 元")


class CarriedList(Public):
    """结转至某年度的奖励（该年度的承诺） / The awards carried to a year (its commitments)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"year": 2027, "items": [CARRIED],
                                                               "amount_yuan": 300000}]})

    year: int = Field(description="预算年度 / the budget year")
    items: list[CarriedAward] = Field(description="奖励 / the awards")
    amount_yuan: int = Field(description="合计（元） / their total, in 元")


class BatchCarried(Public):
    """批量结转的结果 / What a batch carry-over did."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"year": 2026, "to_year": 2027, "items": [CARRIED],
                                                               "amount_yuan": 300000}]})

    year: int = Field(description="预算不足的年度 / the year whose budget refused them")
    to_year: int = Field(description="结转至的年度 / the year they wait for")
    items: list[CarriedAward] = Field(description="结转的奖励 / the awards carried over")
    amount_yuan: int = Field(description="合计（元） / their total, in 元")
