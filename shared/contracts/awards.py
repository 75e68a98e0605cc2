"""What awards publishes."""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts import EventData


class AwardChanged(EventData):
    """An award was computed or changed state (the registry's timeline, the portal)."""

    SERVICE = "awards"
    NAME = "award.changed.v1"
    TITLE_ZH = "奖励变更：一笔奖励已核定或状态变化"
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"award_id": 1207, "award_key": "tier:91110111MA01R2XJ3P:municipal_srdi", "uscc": "91110111MA01R2XJ3P",
         "program": "tier", "tier": "municipal_srdi",
         "payee": "北京燕山精工科技有限公司", "amount_yuan": 300000, "state": "approved", "flag": None}]})
    award_id: int = Field(description="奖励编号 / the award's id")
    award_key: str | None = Field(None, description="奖励的唯一业务键（如 tier:{uscc}:{tier}、first_loan_subsidy:{金融办申请编号}） / "
                                                    "the award's natural key (the finance office finds its payable by it)")
    uscc: str | None = Field(None, description="所涉企业的统一社会信用代码（特色园区奖励为空） / the unified social "
                                               "credit code of the enterprise it is about (null for the "
                                               "featured-park award)")
    program: str = Field(description="奖励项目：tier 层级奖励、relocation 入区奖励、introducer 中介奖励、listing 上市奖励、"
                                     "scenario 应用场景奖励、ecosystem 产业生态奖励、featured_park 特色园区奖励、"
                                     "incubation 园区孵化奖励、first_loan_subsidy 首贷贴息、npl_compensation 不良贷款风险补偿 / the award program")
    tier: str | None = Field(None, description="层级奖励所对应的层级，其他项目为空 / the tier a tier award is for; null "
                                               "for other programs")
    payee: str | None = Field(None, description="收款方（企业、中介机构或园区） / who is paid: the enterprise, an "
                                                "intermediary or a park")
    amount_yuan: int = Field(description="奖励金额（元，整数） / the amount in whole yuan")
    state: str = Field(description="状态：computed 已核定、reviewed 已审核、approved 已批准、disbursed 已拨付、"
                                   "rejected 已驳回、clawed_back 已追回、settled_outside 系统外已兑付（历史补录，不可支付）、"
                                   "withdrawn 已撤回（认定作废或超出应得）、withheld 已暂停（企业迁出或注销） / the award's state")
    flag: str | None = Field(None, description="更正标记：certification_voided 认定已作废、enterprise_departed 企业已迁出"
                                               "或注销、over_entitlement 重新核定后超出应得，未标记为空 / why a "
                                               "correction of the record touched it, or null")


class RepaymentFact(BaseModel):
    """本次还款 / The repayment an event announces."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    amount_yuan: int = Field(description="金额（元） / the amount, in whole yuan")
    on: dt.date = Field(description="到账日期 / the day the money came back")
    voucher: str = Field(description="收款凭证号 / the receipt voucher")


class ReceivableChanged(EventData):
    """A receivable (what a payee owes back after a claw-back) was opened, repaid (partly too) or written
    off: the whole record after the change. `version` grows by one with each change (1 when opened, +1 per
    repayment, +1 for the write-off): a consumer keeps the record with the highest version."""

    SERVICE = "awards"
    NAME = "receivable.changed.v1"
    TITLE_ZH = "应收追回款变更：追回后登记了应收款、还款或核销（整条记录）"
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"receivable_id": 4, "version": 2, "award_id": 1207, "award_key": "tier:91110111MA01R2XJ3P:municipal_srdi",
         "program": "tier", "uscc": "91110111MA01R2XJ3P", "payee": "91110111MA01R2XJ3P",
         "payee_type": "enterprise", "amount_yuan": 300000, "recovered_yuan": 100000, "written_off_yuan": 0,
         "outstanding_yuan": 200000, "budget_year": 2026, "opened_on": "2026-12-01", "due_on": "2027-03-01",
         "state": "partly_repaid", "reason": "认定因过错撤销", "closed_reason": None,
         "last_repayment": {"amount_yuan": 100000, "on": "2026-12-03", "voucher": "FS-收-0001"}}]})
    receivable_id: int = Field(description="应收款编号 / the receivable's id")
    version: int = Field(description="版本：登记为 1，每笔还款、核销各加 1 / 1 when opened, +1 per repayment and for the "
                                     "write-off")
    award_id: int = Field(description="被追回的奖励编号 / the clawed-back award")
    award_key: str | None = Field(None, description="该奖励的唯一业务键 / the award's natural key")
    program: str = Field(description="奖励项目 / the award programme")
    uscc: str | None = Field(None, description="所涉企业的统一社会信用代码 / the enterprise it is about")
    payee: str = Field(description="应退款方（原收款方） / who owes it (the award's payee)")
    payee_type: str = Field(description="收款方类型：enterprise、park、intermediary / the payee's kind")
    amount_yuan: int = Field(description="应追回金额（元） / the amount clawed back, in whole yuan")
    recovered_yuan: int = Field(description="已追回到账（元） / repaid so far, in whole yuan")
    written_off_yuan: int = Field(description="已核销（元） / written off, in whole yuan")
    outstanding_yuan: int = Field(description="尚欠（元） / still owed, in whole yuan")
    budget_year: int | None = Field(None, description="原拨付的预算年度 / the budget year that paid the award")
    opened_on: dt.date = Field(description="追回日期 / the day of the claw-back")
    due_on: dt.date = Field(description="应还日期 / the day it is due")
    state: str = Field(description="状态：open 待追回、partly_repaid 部分追回、repaid 已全部追回、written_off 已核销 / the state")
    reason: str | None = Field(None, description="追回原因 / why the award was clawed back")
    closed_reason: str | None = Field(None, description="核销理由 / why it was written off")
    last_repayment: RepaymentFact | None = Field(None, description="本次还款（仅还款时）：amount_yuan、on、voucher / the repayment "
                                                          "this event announces, when it is one")


class AwardCarriedOver(EventData):
    """An award whose approval was refused for lack of budget was carried to the next year's budget by the
    treasury: still reviewed (no state change, no money moved), it is now a commitment of `to_year` until
    approved. The award's record as it stands, with the carry-over."""

    SERVICE = "awards"
    NAME = "award.carried_over.v1"
    TITLE_ZH = "奖励结转：因预算不足未获批准的奖励结转至下一年度预算"
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"award_id": 1207, "award_key": "tier:91110111MA01R2XJ3P:municipal_srdi", "uscc": "91110111MA01R2XJ3P",
         "program": "tier", "tier": "municipal_srdi", "payee": "91110111MA01R2XJ3P", "payee_type": "enterprise",
         "amount_yuan": 300000, "state": "reviewed", "from_year": 2026, "to_year": 2027, "note": "年末预算用尽"}]})
    award_id: int = Field(description="奖励编号 / the award's id")
    award_key: str | None = Field(None, description="奖励的唯一业务键 / the award's natural key")
    uscc: str | None = Field(None, description="所涉企业的统一社会信用代码 / the enterprise it is about")
    program: str = Field(description="奖励项目 / the award programme")
    tier: str | None = Field(None, description="层级奖励所对应的层级 / the tier a tier award is for")
    payee: str | None = Field(None, description="收款方 / who is paid")
    payee_type: str | None = Field(None, description="收款方类型 / the payee's kind")
    amount_yuan: int = Field(description="奖励金额（元） / the amount in whole yuan")
    state: str = Field(description="奖励状态（结转时为 reviewed 已审核） / the award's state (reviewed)")
    from_year: int = Field(description="预算不足的年度 / the year whose budget refused it")
    to_year: int = Field(description="结转至的预算年度 / the year it is carried to")
    note: str | None = Field(None, description="说明 / the treasury's note")
