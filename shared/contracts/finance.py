"""What the finance office publishes that other departments act on."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field

from shared.contracts import USCC, EventData

# The listing boards (上市板块), as finance records them and awards' award.listing.boards names them.
# Said after 于 … 上市 ("listed on the … board"), so 境外 is the board, not 境外上市.
Board = Literal["main", "sme", "chinext", "star", "bse", "overseas"]
BOARD_ZH: dict[str, str] = {"main": "主板", "sme": "中小板", "chinext": "创业板", "star": "科创板", "bse": "北交所",
                            "overseas": "境外"}


class EnterpriseListed(EventData):
    """The financial office recorded the enterprise's listing (上市): the registry's listing target
    counts it and the awards service may pay the listing award against it."""

    SERVICE = "finance"
    NAME = "enterprise.listed.v1"
    TITLE_ZH = "企业上市：区金融服务办记录了企业上市"
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"uscc": "91110111MA01R2XJ3P", "board": "star", "listed_on": "2025-11-18"}]})
    uscc: str = Field(description=USCC)
    board: Board = Field(description="上市板块：main 主板、sme 中小板、chinext 创业板、star 科创板、bse 北交所、"
                                   "overseas 境外 / the board: main, sme, chinext, star, bse or overseas")
    listed_on: dt.date = Field(description="上市日期 / the day it listed")


REMOVAL_REASON = ("退出原因（在名单上时为空）：moved_out 企业迁出、closed 企业注销、revoked 称号被撤销、lapsed 称号"
                  "有效期届满、threshold 名单门槛提高、voided 认定记录作废（视为从未列入） / why it is off the list "
                  "(null while listed): moved_out or closed (the enterprise left the district), revoked (its "
                  "title was revoked), lapsed (its title's validity ended), threshold (the list's threshold was "
                  "raised), voided (its certification was voided: by the corrected record it was never on the list)")


class ServiceListChanged(EventData):
    """An enterprise joined or left the banks' service list, or its tier or name on it changed."""

    SERVICE = "finance"
    NAME = "service_list.changed.v1"
    TITLE_ZH = "服务名单变更：企业进入或退出专精特新企业服务名单，或其层级、名称变化"
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"uscc": "91110111MA01R2XJ3P", "name": "北京燕山精工科技有限公司", "tier": "municipal_srdi", "listed": True,
         "since": "2024-03-01", "removed_on": None, "reason": None}]})
    uscc: str = Field(description=USCC)
    name: str = Field(description="企业名称 / the enterprise's name")
    tier: str = Field(description="企业在名单上的层级 / the enterprise's tier on the list")
    listed: bool = Field(description="是否在名单上 / whether it is on the list now")
    since: dt.date | None = Field(None, description="进入名单的日期 / on the list since")
    removed_on: dt.date | None = Field(None, description="退出名单的日期，仍在名单上为空 / the day it left the list, "
                                                         "or null while on it")
    reason: str | None = Field(None, description=REMOVAL_REASON)


class LoanChanged(EventData):
    """A loan case changed state (apply, approve, decline, draw, extension, renewal, repay, default)."""

    SERVICE = "finance"
    NAME = "loan.changed.v1"
    TITLE_ZH = "贷款变更：一笔专精特新贷款的状态变化"
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"loan_id": 12, "uscc": "91110111MA01R2XJ3P", "bank": "BOB", "action": "draw", "state": "drawn",
         "amount_yuan": 5000000}]})
    loan_id: int = Field(description="贷款案件编号 / the loan case's id")
    uscc: str = Field(description=USCC)
    bank: str = Field(description="放贷银行的机构代码 / the lending bank's organisation code")
    action: str = Field(description="变化：apply 申请、approve 批准、decline 拒绝、draw 放款、extension 展期、"
                                    "renewal 续期、adjusted_plan 调整还款计划、repay 还款、default 违约（及担保、保险的决定） / "
                                    "what happened: apply, approve, decline, draw, extension, renewal, adjusted_plan, "
                                    "repay, default (or a guarantor's or insurer's decision)")
    state: str = Field(description="变化后的状态：applied 已申请、approved 已批准、declined 已拒绝、drawn 已放款、"
                                   "repaid 已还清、non_performing 不良 / the case's state after it")
    amount_yuan: int | None = Field(None, description="金额（元）：已放款时为放款额，否则为申请额 / the amount in "
                                                      "yuan: drawn when drawn, else applied for")


class PayableRequested(EventData):
    """The finance office asks the treasury to pay what it computed and recorded: one quarter's first-loan
    interest subsidy (首贷贴息) or a non-performing loan's compensation (不良贷款风险补偿) to one recipient.
    The whole payable record: the awards service keeps it as an award of its programme (one per payable),
    so the treasury approves it against that programme's budget and pays it like any award."""

    SERVICE = "finance"
    NAME = "payable.requested.v1"
    TITLE_ZH = "金融办申请拨付：首贷贴息或不良贷款风险补偿，待财政局批准"
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"payable_id": 31, "kind": "first_loan_subsidy", "loan_id": 12, "ref": "2025Q3",
         "uscc": "91110111MA01R2XJ3P", "payee": "91110111MA01R2XJ3P", "payee_type": "enterprise",
         "amount_yuan": 6520, "requested_on": "2025-10-09", "requested_by": "finance:-:jin",
         "basis": {"rule": "first_loan_subsidy.v2", "paid_before_yuan": 0}}]})
    payable_id: int = Field(description="金融办的拨付申请编号 / the finance office's payable id")
    kind: str = Field(description="first_loan_subsidy 首贷贴息、npl_compensation 不良贷款风险补偿 / what is paid")
    loan_id: int = Field(description="贷款案件编号 / the loan case's id")
    ref: str = Field(description="贴息为所属季度（2025Q3），补偿为收款方：bank 银行、guarantor 担保机构 / the quarter "
                                 "subsidised, or the compensation's recipient: bank or guarantor")
    uscc: str = Field(description=USCC)
    payee: str = Field(description="收款方：贴息为企业的统一社会信用代码，补偿为银行或担保机构的机构代码 / who is paid: "
                                   "the enterprise's code for a subsidy, the bank's or guarantor's for a compensation")
    payee_type: str = Field(description="收款方类型：enterprise 企业、bank 银行、guarantor 担保机构 / the payee's kind")
    amount_yuan: int = Field(description="金额（元，整数） / the amount in whole yuan")
    requested_on: dt.date = Field(description="申请日期（北京时间） / the day finance asked (Beijing time)")
    requested_by: str = Field(description="申请人 / who asked")
    basis: dict = Field(description="金融办的计算依据 / finance's basis of the amount")
