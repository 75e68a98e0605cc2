"""Receivables and repayments: the bodies and answers."""
from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, computed_field

from services.awards.recoveries import rules

from services.awards.schemas import Money
from shared.schemas import Body, FactDay, LongText, Public, Text, UtcTime

ReceivableState = Literal["open", "partly_repaid", "repaid", "written_off"]
REPAYMENT = {"id": 3, "amount_yuan": 100000, "repaid_on": "2026-11-20", "voucher": "FS-收-0001",
             "note": "第一期退款", "actor": "treasury:-:wang", "at": "2026-11-20T02:00:00Z"}
RECEIVABLE = {"id": 7, "award_id": 12, "program": "tier", "uscc": "91110111MA01ABCD2U",
              "payee": "91110111MA01ABCD2U", "payee_type": "enterprise", "amount_yuan": 300000,
              "recovered_yuan": 100000, "written_off_yuan": 0, "outstanding_yuan": 200000, "budget_year": 2026,
              "opened_on": "2026-11-02", "due_on": "2027-01-31", "overdue": False, "reason": "虚假申报，撤销认定",
              "state": "partly_repaid", "closed_reason": None, "actor": "event:7c9e6679", "created_at":
              "2026-11-02T02:00:00Z", "actions": {"repay": ["treasury"], "write_off": ["treasury"]}}


class RepaymentIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"amount_yuan": 100000, "on": "2026-11-20", "voucher": "FS-收-0001", "note": "第一期退款"}]})

    amount_yuan: Money = Field(description="本次还款金额（元，不超过尚欠金额） / the amount repaid, in 元 (at most what is "
                                          "outstanding)")
    on: FactDay = Field(description="到账日期（不晚于今天） / the day the money came back (not after today)")
    voucher: Text = Field(description="收款凭证号（一张凭证只登记一笔） / the receipt voucher (one voucher, one repayment)")
    note: LongText | None = Field(None, description="说明 / a note")


class WriteOffIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "企业已注销，无可追回财产"}]})

    reason: LongText = Field(description="核销理由 / why what is still owed is written off")


class RepaymentPublic(Public):
    """一笔还款 / One repayment of a receivable."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [REPAYMENT]})

    id: int = Field(description="还款编号 / the repayment's id")
    amount_yuan: int = Field(description="金额（元） / the amount, in 元")
    repaid_on: dt.date = Field(description="到账日期 / the day the money came back")
    voucher: str = Field(description="收款凭证号 / the receipt voucher")
    note: str | None = Field(description="说明 / a note")
    actor: str = Field(description="经办 / who recorded it")
    at: UtcTime = Field(description="登记时间（UTC） / when it was recorded (UTC)")


class ReceivablePublic(Public):
    """追回奖励形成的应收款 / What a payee owes back after a claw-back."""

    COLUMNS: ClassVar[tuple[str, ...]] = ("id", "award_id", "program", "uscc", "payee", "payee_type", "amount_yuan", "recovered_yuan",
               "budget_year", "opened_on", "due_on", "reason", "state", "closed_reason", "actor", "created_at")
    model_config = ConfigDict(json_schema_extra={"examples": [RECEIVABLE]})

    id: int = Field(description="应收款编号 / the receivable's id")
    award_id: int = Field(description="被追回的奖励编号 / the clawed-back award")
    program: str = Field(description="奖励项目 / the programme")
    uscc: str | None = Field(description="所涉企业统一社会信用代码 / the enterprise it is about (USCC)")
    payee: str = Field(description="应退款方（原收款方） / who owes it (the award's payee)")
    payee_type: str = Field(description="收款方类型 / enterprise, intermediary or park")
    amount_yuan: int = Field(description="应追回金额（元） / the amount clawed back, in 元")
    recovered_yuan: int = Field(description="已追回到账（元） / repaid so far, in 元")
    written_off_yuan: int = Field(description="已核销（元） / written off, in 元")
    outstanding_yuan: int = Field(description="尚欠（元） / still owed, in 元")
    budget_year: int | None = Field(description="原拨付的预算年度 / the budget year that paid the award")
    opened_on: dt.date = Field(description="追回日期 / the day of the claw-back")
    due_on: dt.date = Field(description="应还日期 / the day it is due")
    overdue: bool = Field(description="是否逾期未还清 / past due and still owed")
    reason: str | None = Field(description="追回原因 / why the award was clawed back")
    state: ReceivableState = Field(description="状态：open 待追回、partly_repaid 部分追回、repaid 已全部追回、written_off "
                                               "已核销 / open, partly_repaid, repaid, written_off")
    closed_reason: str | None = Field(description="核销理由 / why it was written off")
    actor: str = Field(description="追回经办 / who clawed it back")
    created_at: UtcTime = Field(description="登记时间（UTC） / when it was opened (UTC)")

    @computed_field(description="当前状态可进行的操作（repay 登记到账、write_off 核销）及可操作的角色；已追回或已核销的"
                                "应收款没有操作，其他操作为 409 或 403 / the actions its state allows (repay, write_off), "
                                "each with the roles that may take it; none once repaid or written off; any other is a "
                                "409 or a 403")
    @property
    def actions(self) -> dict[str, list[str]]:
        return rules.actions(self.state)


class ReceivableDetail(ReceivablePublic):
    """应收追回款及其还款记录 / A receivable with its repayments."""

    model_config = ConfigDict(json_schema_extra={"examples": [{**RECEIVABLE, "repayments": [REPAYMENT]}]})

    repayments: list[RepaymentPublic] = Field(description="还款记录 / the repayments, oldest first")
