"""Loan-case request bodies and answers."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, computed_field, model_validator

from services.finance.loans import rules as steps
from services.finance.loans.subsidy_schemas import SubsidySchedule
from services.finance.products.schemas import OrgCode
from shared.schemas import USCC, Body, Day, FactDay, LongText, Public, RowId, Yuan
from shared.tiers import Tier

LoanState = Literal["applied", "approved", "declined", "drawn", "repaid", "non_performing"]
PositiveYuan = Annotated[int, Field(gt=0, le=10**13)]
Rate = Annotated[int, Field(ge=0, le=10_000)]

STATE = ("案件状态：applied 已申请、approved 已批准、declined 已拒绝、drawn 已放款、repaid 已结清、non_performing 不良 / "
         "case state: applied, approved, declined, drawn, repaid or non-performing")
RATE = "年利率，基点（100 = 1%）/ annual interest rate, basis points (100 = 1 %)"
EXAMPLE_USCC = "91110111MA01ABCD2U"


def examples(*docs: dict) -> dict:
    return {"examples": list(docs)}


class LoanIn(Body):
    """银行报送的贷款申请 / A loan application the lending bank reports (the bank is the caller's org)."""

    model_config = ConfigDict(json_schema_extra=examples({
        "uscc": EXAMPLE_USCC, "product_id": 1, "applied_yuan": 5_000_000, "applied_on": "2025-07-01",
        "first_loan": True, "guarantor": "BJ-GUARANTEE", "matchmaking_event_id": 2}))

    uscc: USCC = Field(description="统一社会信用代码 / unified social credit code")
    product_id: RowId | None = Field(None, description="产品编号 / product id")
    applied_yuan: PositiveYuan = Field(description="申请金额（元）/ amount applied for, whole 元")
    applied_on: FactDay = Field(description="申请日期 / date of the application")
    # 首贷 is finance's decision across every bank's cases of the enterprise (the earliest drawn one),
    # not the bank's: `false` reports a bank loan before this one that the suite does not hold (the
    # enterprise's credit report), and makes the case not first; `true` or absent changes nothing.
    first_loan: bool | None = Field(None, description="false：企业征信显示此前已有银行贷款（本案不是首贷）/ "
                                                      "false: the credit report shows an earlier bank loan")
    guarantor: OrgCode | None = Field(None, description="专精特新保的担保机构代码 / the guarantor sharing the risk")
    matchmaking_event_id: RowId | None = Field(None, description="促成本案的政银企对接活动编号 / the matchmaking "
                                                                 "event the case came from")


class DecisionIn(Body):
    """对贷款案件的决定 / A decision on a case: the lending bank's, or a guarantor's or insurer's on its product."""

    model_config = ConfigDict(json_schema_extra=examples({"approved": True, "decided_on": "2025-07-10",
                                                          "reason": "经营稳定，订单充足"}))

    approved: bool = Field(description="是否批准 / approved (true) or declined (false)")
    decided_on: FactDay = Field(description="决定日期 / date of the decision")
    reason: LongText | None = Field(None, description="理由 / reason")


class DrawIn(Body):
    """The loan is drawn (放款)."""

    model_config = ConfigDict(json_schema_extra=examples({"drawn_yuan": 5_000_000, "drawn_on": "2025-07-15",
                                                          "rate_bp": 350, "due_on": "2026-07-14"}))

    drawn_yuan: PositiveYuan = Field(description="放款金额（元）/ amount drawn, whole 元")
    drawn_on: FactDay = Field(description="放款日期 / date drawn")
    rate_bp: Rate = Field(description=RATE)
    due_on: Day = Field(description="到期日 / due date")

    @model_validator(mode="after")
    def _dates(self):
        if self.due_on <= self.drawn_on:
            raise ValueError("到期日须晚于放款日 / due_on must be after drawn_on")
        return self


class ExtendIn(Body):
    """展期 (extension), 续期 (renewal) or 调整还款计划 (an adjusted repayment plan)."""

    model_config = ConfigDict(json_schema_extra=examples({"kind": "extension", "due_on": "2027-01-14",
                                                          "reason": "受订单回款周期影响，展期六个月",
                                                          "on": "2026-06-30"}))

    kind: Literal["extension", "renewal", "adjusted_plan"] = Field(
        "extension", description="extension 展期、renewal 续期、adjusted_plan 调整还款计划 / "
                                 "extension, renewal or an adjusted repayment plan")
    due_on: Day = Field(description="新的到期日 / the new due date")
    rate_bp: Rate | None = Field(None, description="新的年利率，基点（不变则省略）/ the new annual rate, basis "
                                                   "points (omit to keep it)")
    reason: LongText = Field(description="理由（调整还款计划时写明计划）/ reason (for an adjusted plan, the plan)")
    on: FactDay | None = Field(None, description="银行同意的日期（默认今天；不早于放款日）/ the date the bank "
                                                 "agreed it (default today; not before the draw)")


class RepayIn(Body):
    """The loan is repaid (结清)."""

    model_config = ConfigDict(json_schema_extra=examples({"repaid_on": "2026-07-14"}))

    repaid_on: FactDay = Field(description="结清日期 / date repaid")


class DefaultIn(Body):
    """The loan turns non-performing (不良)."""

    model_config = ConfigDict(json_schema_extra=examples({"outstanding_yuan": 3_000_000, "on": "2026-08-01",
                                                          "reason": "逾期九十天以上"}))

    outstanding_yuan: Yuan = Field(description="未还本金（元）/ outstanding principal, whole 元")
    on: FactDay = Field(description="认定不良的日期 / date declared non-performing")
    reason: LongText | None = Field(None, description="理由 / reason")


class RepaymentIn(Body):
    """还款记录 / A repayment record: interest (and principal) paid on `paid_on` for the interest period
    `period_from`..`period_to` (inclusive)."""

    model_config = ConfigDict(json_schema_extra=examples({
        "paid_on": "2025-09-21", "period_from": "2025-07-15", "period_to": "2025-09-20",
        "principal_yuan": 0, "interest_yuan": 32_603}))

    paid_on: FactDay = Field(description="支付日期 / date paid")
    period_from: Day = Field(description="付息期间起（含）/ first day of the interest period")
    period_to: Day = Field(description="付息期间止（含）/ last day of the interest period")
    principal_yuan: Yuan = Field(0, description="归还本金（元）/ principal repaid, whole 元")
    interest_yuan: Yuan = Field(description="支付利息（元）/ interest paid, whole 元")

    @model_validator(mode="after")
    def _dates(self):
        if self.period_to < self.period_from:
            raise ValueError("付息期间止不得早于期间起 / period_to must not be before period_from")
        if self.paid_on < self.period_from:
            raise ValueError("支付日期不得早于付息期间起 / paid_on must not be before period_from")
        return self


class ProviderDecisionPublic(Public):
    """担保或保险机构的承保决定 / A guarantor's or insurer's decision to cover the case."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples({
        "org": "BJ-GUARANTEE", "kind": "guarantee", "approved": True, "decided_on": "2025-07-08",
        "reason": None, "decided_by": "bank:BJ-GUARANTEE:张明"}))

    org: str = Field(description="提供机构代码 / the provider's org code")
    kind: Literal["guarantee", "insurance"] = Field(description="guarantee 担保、insurance 保险 / guarantee or insurance")
    approved: bool = Field(description="是否同意承保 / covers the case")
    decided_on: dt.date = Field(description="决定日期 / date of the decision")
    reason: str | None = Field(description="理由 / reason")
    decided_by: str = Field(description="决定人 / who decided")


LOAN_EXAMPLE = {
    "id": 12, "bank": "BOB", "uscc": EXAMPLE_USCC, "product_id": 1, "guarantor": "BJ-GUARANTEE", "state": "drawn",
    "applied_yuan": 5_000_000, "applied_on": "2025-07-01", "first_loan": True, "first_loan_reason": None,
    "prior_loan_declared": False, "decided_on": "2025-07-10", "drawn_yuan": 5_000_000, "drawn_on": "2025-07-15",
    "rate_bp": 350, "due_on": "2026-07-14", "closed_on": None, "tier_at_draw": "municipal_srdi",
    "matchmaking_event_id": 2, "provider_decisions": [],
    "actions": {"extend": "lender", "repay": "lender", "default": "lender", "repayments": "lender"}}


class LoanPublic(Public):
    """贷款案件 / A loan case."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples(LOAN_EXAMPLE))

    id: int = Field(description="贷款案件编号 / loan case id")
    bank: str = Field(description="放贷银行代码 / the lending bank's org code")
    uscc: str = Field(description="统一社会信用代码 / unified social credit code")
    product_id: int | None = Field(description="产品编号 / product id")
    guarantor: str | None = Field(description="担保机构代码 / the guarantor's org code")
    state: LoanState = Field(description=STATE)
    applied_yuan: int = Field(description="申请金额（元）/ amount applied for, whole 元")
    applied_on: dt.date = Field(description="申请日期 / date of the application")
    first_loan: bool = Field(description="是否企业首贷（区金融服务办按各银行全部案件判定）/ the enterprise's first "
                                         "loan, as finance decides across every bank's cases")
    first_loan_reason: str | None = Field(description="不是首贷的原因代码 / why it is not the first loan "
                                                      "(not-drawn, prior-loan-declared, another-first-loan)")
    prior_loan_declared: bool = Field(description="银行报告此前已有银行贷款 / the bank reported an earlier bank loan")
    decided_on: dt.date | None = Field(description="审批日期 / date of the bank's decision")
    drawn_yuan: int | None = Field(description="放款金额（元）/ amount drawn, whole 元")
    drawn_on: dt.date | None = Field(description="放款日期 / date drawn")
    rate_bp: int | None = Field(description=RATE)
    due_on: dt.date | None = Field(description="到期日 / due date")
    closed_on: dt.date | None = Field(description="结清或认定不良的日期 / date repaid or declared non-performing")
    tier_at_draw: Tier | None = Field(description="放款日企业层级 / the enterprise's tier on the draw date")
    matchmaking_event_id: int | None = Field(description="政银企对接活动编号 / matchmaking event id")
    provider_decisions: list[ProviderDecisionPublic] = Field(
        description="担保、保险机构的决定 / the guarantor's or insurer's decisions")

    @computed_field(description="当前状态可报送的事项及报送方：lender 放贷银行，provider 本案担保或保险产品的提供机构（每个机构"
                                "一次）；其他为 409 或 403 / the steps its state allows, each with who reports it: lender "
                                "(the lending bank) or provider (of the case's guarantee or insurance product, once "
                                "each); any other is a 409 or a 403")
    @property
    def actions(self) -> dict[str, str]:
        return steps.actions(self.state)


class LoanChangePublic(Public):
    """贷款案件的一次变更 / One change of a loan case: who, when, why."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples({
        "action": "draw", "on": "2025-07-15", "actor": "bank:BOB:李华", "reason": None,
        "facts": {"drawn_yuan": 5_000_000, "drawn_on": "2025-07-15", "rate_bp": 350, "due_on": "2026-07-14"}}))

    action: str = Field(description="操作（apply、approve、draw、extension、repay、default 等）/ the action "
                                    "(apply, approve, draw, extension, repay, default, ...)")
    on: dt.date = Field(validation_alias="effective_on", description="生效日期 / effective date")
    actor: str = Field(description="操作人 / who")
    reason: str | None = Field(description="理由 / reason")
    facts: dict = Field(description="报送的事实 / the facts reported")


class RepaymentPublic(Public):
    """还款记录 / A repayment record."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples({
        "id": 4, "loan_id": 12, "paid_on": "2025-09-21", "period_from": "2025-07-15", "period_to": "2025-09-20",
        "principal_yuan": 0, "interest_yuan": 32_603, "recorded_by": "bank:BOB:李华"}))

    id: int = Field(description="记录编号 / record id")
    loan_id: int = Field(description="贷款案件编号 / loan case id")
    paid_on: dt.date = Field(description="支付日期 / date paid")
    period_from: dt.date = Field(description="付息期间起 / first day of the interest period")
    period_to: dt.date = Field(description="付息期间止 / last day of the interest period")
    principal_yuan: int = Field(description="归还本金（元）/ principal repaid, whole 元")
    interest_yuan: int = Field(description="支付利息（元）/ interest paid, whole 元")
    recorded_by: str = Field(description="记录人 / recorded by")


class RiskSplitPublic(Public):
    """不良贷款损失分担与区级补偿 / A non-performing loan's loss split and the district's compensation, with its basis."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples({
        "loan_id": 12, "outstanding_yuan": 3_000_000, "bank_yuan": 600_000, "guarantor_yuan": 2_400_000,
        "compensation_yuan": 1_200_000, "basis": {"rule": "npl_split.v1", "srdi": True}}))

    loan_id: int = Field(description="贷款案件编号 / loan case id")
    outstanding_yuan: int = Field(description="未还本金（元）/ outstanding principal, whole 元")
    bank_yuan: int = Field(description="银行承担（元）/ the bank's share of the loss")
    guarantor_yuan: int = Field(description="担保机构承担（元）/ the guarantor's share of the loss")
    compensation_yuan: int = Field(description="区级风险补偿（元）/ the district's compensation")
    basis: dict = Field(description="计算依据（规则、参数、层级）/ the basis: rule, parameters, tier")


class LoanDetail(LoanPublic):
    """贷款案件详情 / A loan case with its history, repayments, first-loan subsidy and risk split."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples({
        **LOAN_EXAMPLE, "history": [], "repayments": [], "interest_subsidy": None, "risk_split": None}))

    history: list[LoanChangePublic] = Field(description="变更记录 / every change of the case")
    repayments: list[RepaymentPublic] = Field(description="还款记录 / repayment records")
    interest_subsidy: SubsidySchedule | None = Field(description="首贷贴息（未放款时为空）/ the first-loan interest "
                                                                 "subsidy (null before the draw)")
    risk_split: RiskSplitPublic | None = Field(description="不良分担（未认定不良时为空）/ the risk split (null "
                                                           "unless non-performing)")


class DefaultPublic(Public):
    """不良贷款及其风险分担 / The case declared non-performing, with its risk split."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples({
        "loan": {**LOAN_EXAMPLE, "state": "non_performing", "closed_on": "2026-08-01"},
        "risk_split": RiskSplitPublic.model_config["json_schema_extra"]["examples"][0]}))

    loan: LoanPublic = Field(description="贷款案件 / the loan case")
    risk_split: RiskSplitPublic = Field(description="不良分担与区级补偿 / the risk split and compensation")
