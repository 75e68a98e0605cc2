"""The first-loan interest subsidy's answers (首贷贴息)."""
from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, Field

from shared.schemas import Public

QUARTER = "季度，如 2025Q3 / calendar quarter, e.g. 2025Q3"


class SubsidyAsked(Public):
    """某季度已向财政局申请的贴息 / What was asked of the treasury for a quarter, and where it stands."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"payable_id": 31, "amount_yuan": 6_520, "state": "approved", "award_id": 208,
         "requested_by": "finance:区金融办:金晶", "requested_on": "2025-10-09"}]})

    payable_id: int = Field(description="拨付申请编号 / the payable's id")
    amount_yuan: int = Field(description="申请金额（元）/ amount asked, whole 元")
    state: str = Field(description="requested 待财政局批准、approved 已批准、paid 已拨付 / where it stands")
    award_id: int | None = Field(description="财政审批中的奖励编号 / the award the treasury acts on")
    requested_by: str = Field(description="申请人 / asked by")
    requested_on: str = Field(description="申请日期 / the day asked")


class SubsidyQuarter(Public):
    """某季度的首贷贴息 / One quarter of the subsidy, by the quarter the interest was paid in."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"quarter": "2025Q3", "interest_paid_yuan": 32_603, "ordinary_interest_yuan": 32_603,
         "certified_interest_yuan": 0, "cumulative_yuan": 6_520, "amount_yuan": 6_520,
         "payable_from": "2025-10-01", "asked": None, "payable": True}]})

    quarter: str = Field(description=QUARTER)
    interest_paid_yuan: int = Field(description="本季度支付的利息（元）/ interest paid in the quarter")
    ordinary_interest_yuan: int = Field(description="累计首年普通利息（元）/ first-year interest at the ordinary "
                                                    "rate so far")
    certified_interest_yuan: int = Field(description="累计首年认定期间利息（元）/ first-year interest while "
                                                     "certified so far")
    cumulative_yuan: int = Field(description="截至本季度的累计贴息（元）/ cumulative subsidy through the quarter")
    amount_yuan: int = Field(description="本季度贴息（元）/ the quarter's subsidy")
    payable_from: dt.date = Field(description="可拨付日期（季度结束次日）/ payable from (the day after the quarter)")
    asked: SubsidyAsked | None = Field(description="已申请拨付的情况（未申请为空；未获批准的不计） / what was asked "
                                                   "of the treasury (null while not asked; a refused one is not shown)")
    payable: bool = Field(description="现在可申请拨付 / may be asked for now")


class SubsidySchedule(Public):
    """首贷贴息 of a drawn loan, quarter by quarter, with what was paid and the parameters cited."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"eligible": True, "reason": None, "first_year": ["2025-07-15", "2026-07-14"], "cap_yuan": 50_000,
         "certified_cap_yuan": 100_000, "total_yuan": 6_520,
         "quarters": SubsidyQuarter.model_config["json_schema_extra"]["examples"],
         "asked_yuan": 0, "paid_yuan": 0, "outstanding_yuan": 6_520, "certified_from": [["2025-06-01", None]], "first_loan": True,
         "first_loan_reason": None, "rule": "first_loan_subsidy.v2",
         "parameters": [{"id": 31, "key": "finance.first_loan_subsidy.rate_bp", "value": 2000,
                         "effective_from": "2025-01-01", "legal_ref": "房山区促进专精特新企业发展若干措施 第八条"}]}]})

    eligible: bool = Field(description="是否符合首贷贴息条件 / eligible for the subsidy")
    reason: str | None = Field(description="不符合的原因代码（not-first-loan、loan-above-maximum）/ why not eligible")
    first_year: list[dt.date] = Field(description="首年起止日期 / the loan's first year, first and last day")
    cap_yuan: int = Field(description="普通贴息上限（元）/ the ordinary cap, whole 元")
    certified_cap_yuan: int = Field(description="认定企业贴息上限（元）/ the cap for certified enterprises")
    total_yuan: int = Field(description="贴息合计（元）/ subsidy in total")
    quarters: list[SubsidyQuarter] = Field(description="逐季度贴息 / the subsidy quarter by quarter")
    asked_yuan: int = Field(description="已申请（待批准、已批准、已拨付，元）/ asked for so far (requested, approved, paid)")
    paid_yuan: int = Field(description="已拨付（元）/ paid so far")
    outstanding_yuan: int = Field(description="尚未申请（元）/ not asked for yet")
    certified_from: list[list[dt.date | None]] = Field(
        description="企业处于认定层级的期间（止日为空表示至今）/ intervals the enterprise was certified (open end: null)")
    first_loan: bool = Field(description="是否企业首贷 / the enterprise's first loan")
    first_loan_reason: str | None = Field(description="不是首贷的原因代码 / why it is not the first loan")
    rule: str = Field(description="计算规则版本 / the rule's version")
    parameters: list[dict] = Field(description="引用的政策参数 / the policy parameters cited")
