"""What awards publishes."""
from __future__ import annotations

from pydantic import ConfigDict, Field

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
                                   "withdrawn 已撤回（认定作废）、withheld 已暂停（企业迁出或注销） / the award's state")
    flag: str | None = Field(None, description="更正标记：certification_voided 认定已作废、enterprise_departed 企业已迁出"
                                               "或注销，未标记为空 / why a correction of the record touched it, or null")
