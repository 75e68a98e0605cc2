"""Payables' answers: what the finance office asked the treasury to pay, and where it stands."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field, computed_field

from services.finance.payables.rules import KINDS_ZH, STATES_ZH
from shared.schemas import Public

Kind = Literal["first_loan_subsidy", "npl_compensation"]
State = Literal["requested", "approved", "paid", "refused", "clawed_back"]
KIND = "first_loan_subsidy 首贷贴息、npl_compensation 不良贷款风险补偿 / what is paid"
STATE = ("requested 待财政局批准、approved 已批准、paid 已拨付、refused 未获批准（可再次申请）、clawed_back 已追回 / "
         "requested, approved, paid, refused (may be asked again), clawed_back")


class PayablePublic(Public):
    """金融办向财政局申请拨付的一笔款项 / A sum the finance office asked the treasury to pay, and where it stands."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"id": 31, "kind": "first_loan_subsidy", "loan_id": 12, "ref": "2025Q3", "attempt": 1,
         "uscc": "91110111MA01R2XJ3P", "payee": "91110111MA01R2XJ3P", "payee_type": "enterprise",
         "amount_yuan": 6520, "state": "approved", "award_id": 208, "requested_by": "finance:-:jin",
         "requested_on": "2025-10-09", "settled_on": None, "note": None,
         "basis": {"rule": "first_loan_subsidy.v2", "paid_before_yuan": 0},
         "kind_zh": "首贷贴息", "state_zh": "已批准"}]})

    id: int = Field(description="申请编号 / the payable's id")
    kind: Kind = Field(description=KIND)
    loan_id: int = Field(description="贷款案件编号 / loan case id")
    ref: str = Field(description="贴息为所属季度，补偿为收款方（bank 银行、guarantor 担保机构） / the quarter, or the "
                                 "compensation's recipient")
    attempt: int = Field(description="第几次申请（未获批准后可再次申请） / which attempt (after a refusal, the next)")
    uscc: str = Field(description="企业统一社会信用代码 / the enterprise")
    payee: str = Field(description="收款方：企业代码或银行、担保机构的机构代码 / who is paid")
    payee_type: str = Field(description="收款方类型：enterprise、bank、guarantor / the payee's kind")
    amount_yuan: int = Field(description="金额（元，整数） / the amount in whole yuan")
    state: State = Field(description=STATE)
    award_id: int | None = Field(description="财政审批中的奖励编号（尚未到达为空） / the award the treasury acts on "
                                             "(null until its first event arrived)")
    requested_by: str = Field(description="申请人 / who asked")
    requested_on: dt.date = Field(description="申请日期 / the day asked")
    settled_on: dt.date | None = Field(description="拨付或未获批准的日期 / the day it was paid or refused")
    note: str | None = Field(description="说明（未获批准的原因） / a note: why it was refused")
    basis: dict = Field(description="计算依据 / the basis of the amount")

    @computed_field(description="类型中文名 / the kind in Chinese")
    @property
    def kind_zh(self) -> str:
        return KINDS_ZH[self.kind]

    @computed_field(description="状态中文名 / the state in Chinese")
    @property
    def state_zh(self) -> str:
        return STATES_ZH[self.state]
