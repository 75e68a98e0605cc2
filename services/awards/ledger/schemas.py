"""Budgets and ledger entries: the bodies and answers."""
from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, Field

from services.awards.schemas import Money
from shared.schemas import Body, Public, UtcTime

FIGURES = {"program": "tier", "allocated_yuan": 5000000, "set_by": "treasury:-:wang", "disbursed_yuan": 300000,
           "reserved_yuan": 500000, "clawed_back_yuan": 300000, "recovered_yuan": 100000, "written_off_yuan": 0,
           "receivable_yuan": 200000, "carried_over_yuan": 0, "remaining_yuan": 4200000}
ENTRY = {"id": 31, "kind": "disbursed", "award_id": 12, "program": "tier", "uscc": "91110111MA01ABCD2U",
         "payee": "91110111MA01ABCD2U", "payee_type": "enterprise", "amount_yuan": 300000, "booked_on": "2024-05-20",
         "budget_year": 2024, "voucher": "FS-2024-000123", "actor": "treasury:-:wang", "note": "已拨付",
         "at": "2024-05-20T02:00:00Z"}


class BudgetIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"allocated_yuan": 5000000}]})

    allocated_yuan: Money = Field(description="年度预算（元） / the year's allocation in whole 元")


class Figures(Public):
    """某项目某年度的预算与台账数额 / A program's budget of a year, the rest from the ledger."""

    model_config = ConfigDict(json_schema_extra={"examples": [FIGURES]})

    program: str = Field(description="奖励项目 / the programme")
    allocated_yuan: int = Field(description="预算（元） / allocated, in 元")
    set_by: str | None = Field(description="设定人（未设定为空） / who set it (null when not set)")
    disbursed_yuan: int = Field(description="已拨付（元） / paid, in 元")
    reserved_yuan: int = Field(description="已预留未拨付（元） / reserved on approval, not yet paid, in 元")
    clawed_back_yuan: int = Field(description="已追回（元） / clawed back, in 元")
    recovered_yuan: int = Field(description="追回款已到账（元） / clawed back and repaid, in 元")
    written_off_yuan: int = Field(description="追回款已核销（元） / clawed back and written off, in 元")
    receivable_yuan: int = Field(description="追回款尚未到账（元） / clawed back and still owed, in 元")
    carried_over_yuan: int = Field(description="上年度结转待批（元） / awards carried over to this year, not yet "
                                               "approved, in 元")
    remaining_yuan: int = Field(description="剩余（元，扣除结转待批） / what is left after reservations, payments and "
                                            "carried-over awards, in 元")


class BudgetPublic(Figures):
    """预算设定后某项目的数额 / A program's figures after its budget is set."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"year": 2024, **FIGURES}]})

    year: int = Field(description="预算年度 / the budget year")


class Totals(Public):
    model_config = ConfigDict(json_schema_extra={"examples": [{k: v for k, v in FIGURES.items()
                                                               if k.endswith("_yuan")}]})

    allocated_yuan: int = Field(description="预算合计（元） / allocated in total, in 元")
    reserved_yuan: int = Field(description="已预留合计（元） / reserved in total, in 元")
    disbursed_yuan: int = Field(description="已拨付合计（元） / paid in total, in 元")
    clawed_back_yuan: int = Field(description="已追回合计（元） / clawed back in total, in 元")
    recovered_yuan: int = Field(description="追回款已到账合计（元） / repaid in total, in 元")
    written_off_yuan: int = Field(description="追回款已核销合计（元） / written off in total, in 元")
    receivable_yuan: int = Field(description="追回款尚未到账合计（元） / still owed in total, in 元")
    carried_over_yuan: int = Field(description="结转待批合计（元） / carried over in total, in 元")
    remaining_yuan: int = Field(description="剩余合计（元） / left in total, in 元")


class YearBudgets(Public):
    """某年度各项目预算及合计 / Every program's budget of a year, and their totals."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"year": 2024, "items": [FIGURES], "total": {k: v for k, v in FIGURES.items() if k.endswith("_yuan")}}]})

    year: int = Field(description="预算年度 / the budget year")
    items: list[Figures] = Field(description="各项目预算执行情况 / each programme's figures")
    total: Totals = Field(description="合计 / the totals")


class EntryPublic(Public):
    """不可修改的台账记录 / An immutable ledger entry (a correction is a new entry)."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [ENTRY]})

    id: int = Field(description="序号 / the entry's id")
    kind: str = Field(description="类型：奖励核定、晋级补差、预算预留、预算释放、拨付、冲销、追回、追回到账、追回核销 / "
                                  "awarded, top_up, reserved, released, disbursed, reversed, clawed_back, recovered, "
                                  "written_off")
    award_id: int = Field(description="奖励编号 / the award's id")
    program: str = Field(description="奖励项目 / the programme")
    uscc: str | None = Field(description="所涉企业统一社会信用代码 / the enterprise it is about (USCC)")
    payee: str = Field(description="收款方 / who is paid")
    payee_type: str = Field(description="收款方类型 / enterprise, intermediary or park")
    amount_yuan: int = Field(description="金额（元，方向由类型决定） / the amount in 元; the kind says which way")
    booked_on: dt.date = Field(description="记账日期 / the booking date")
    budget_year: int | None = Field(description="预算年度 / the budget year it moves")
    voucher: str | None = Field(description="凭证号 / the payment voucher")
    actor: str = Field(description="经办 / who booked it")
    note: str | None = Field(description="说明 / a note")
    at: UtcTime = Field(description="记账时间（UTC） / when it was booked (UTC)")
