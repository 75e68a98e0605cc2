"""The award workflow's bodies and answers: an award with the basis that explains it, its history."""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import ConfigDict, Field, computed_field

from services.awards.rules import COUNTED
from services.awards.workflow import rules as workflow
from shared.schemas import Body, LongText, Public, Text, UtcTime

Program = Literal["tier", "relocation", "introducer", "listing", "scenario", "ecosystem", "featured_park",
                  "incubation", "first_loan_subsidy", "npl_compensation"]
State = Literal["computed", "reviewed", "approved", "disbursed", "rejected", "clawed_back", "settled_outside",
                "withdrawn", "withheld"]
Flag = Literal["certification_voided", "enterprise_departed", "over_entitlement"]
STATE = ("状态：computed 已核定、reviewed 已审核、approved 已批准、disbursed 已拨付、rejected 已驳回、clawed_back 已追回、"
         "settled_outside 系统外已兑付（历史补录，不可支付）、withdrawn 已撤回（认定作废或超出应得）、withheld 已暂停（企业迁出或注销） / "
         "the workflow state: computed, reviewed, approved, disbursed, rejected, clawed_back, settled_outside "
         "(back-filled, paid before go-live: never payable), withdrawn (its certification voided, or beyond what the history earns), withheld "
         "(the enterprise moved out or closed)")
FLAG = ("更正标记：certification_voided 认定已作废（已拨付的提请财政核处）、enterprise_departed 企业已迁出或注销、"
        "over_entitlement 重新核定后超出应得（未拨付的已撤回，已拨付的提请财政核处），未标记为空 / "
        "why a correction touched it: certification_voided (a paid one is for the treasury to settle), "
        "enterprise_departed, over_entitlement (decided again after a revocation, it stood beyond what the "
        "history earns: withdrawn if unpaid, for the treasury to settle if paid); null when none did")

AWARD_EXAMPLE = {
    "id": 12, "uscc": "91110111MA01ABCD2U", "program": "tier", "tier": "municipal_srdi", "amount_yuan": 300000,
    "state": "computed", "payee": "91110111MA01ABCD2U", "payee_type": "enterprise", "decided_on": "2024-03-01",
    "certification_id": 7, "contract_id": None, "budget_year": None, "flag": None, "flag_reason": None,
    "basis": {"rule": "tier_award_with_top_up", "explanation": "北京市专精特新中小企业 奖励 300000 元，扣除已获层级奖励 0 元，补差 300000 元",
              "parameters": [{"id": 1, "key": "award.tier.municipal_srdi", "value": 300000,
                              "effective_from": "2022-01-01", "legal_ref": "区政协提案 三.1"}]},
    "created_at": "2024-03-02T08:00:00Z", "counts": True,
    "actions": {"review": ["econ"], "reject": ["econ", "treasury"]},
    "explanation": "北京市专精特新中小企业 奖励 300000 元，扣除已获层级奖励 0 元，补差 300000 元"}
TRANSITION_EXAMPLE = {"from_state": None, "to_state": "computed", "actor": "event:7c9e6679-7425-40de-944b-e07fc1f90ae7",
                      "reason": "北京市专精特新中小企业 奖励 300000 元", "voucher": None, "at": "2024-03-02T08:00:00Z"}


class ReviewIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"note": "材料齐全，同意 / documents complete"}]})

    note: LongText | None = Field(None, description="审核或批准意见 / the reviewer's note")


class DisburseIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"voucher": "FS-2024-000123", "note": "已拨付"}]})

    voucher: Text = Field(description="财政支付凭证号 / the treasury's payment voucher number (凭证号)")
    note: LongText | None = Field(None, description="拨付说明 / a note on the payment")


class RejectIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "申报材料不实 / false documents"}]})

    reason: LongText = Field(description="驳回理由 / why the award is rejected")


class TransitionPublic(Public):
    """奖励的一次状态变化 / One state change of an award."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [TRANSITION_EXAMPLE]})

    from_state: State | None = Field(description="原状态（创建时为空） / the state before (null on creation)")
    to_state: State = Field(description="新状态 / the state after")
    actor: str = Field(description="经办人或事件 / who made the change (a user or an event)")
    reason: str | None = Field(description="理由或说明 / why")
    voucher: str | None = Field(description="拨付凭证号 / the payment voucher, on disbursement")
    at: UtcTime = Field(description="时间（UTC） / when (UTC)")


class AwardPublic(Public):
    """奖励及其计算依据 / An award, with the basis that explains it (rule, inputs, parameters with legal references)."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [AWARD_EXAMPLE]})

    id: int = Field(description="奖励编号 / the award's id")
    uscc: str | None = Field(description="所涉企业统一社会信用代码 / the enterprise it is about (USCC)")
    program: Program = Field(description="奖励项目 / the award programme")
    tier: str | None = Field(description="层级（层级奖励） / the tier, for tier awards")
    amount_yuan: int = Field(description="金额（元） / the amount in whole 元")
    state: State = Field(description=STATE)
    payee: str = Field(description="收款方（企业、中介机构或园区） / who is paid: enterprise, intermediary or park")
    payee_type: str = Field(description="收款方类型 / enterprise, intermediary or park")
    decided_on: dt.date = Field(description="核定依据日期（适用该日有效政策） / the date whose policy applies")
    certification_id: int | None = Field(description="所依据的认定编号 / the certification it rests on")
    contract_id: int | None = Field(description="所依据的合同编号（场景、生态） / the contract it rests on")
    budget_year: int | None = Field(description="预算年度（批准时确定） / the budget year, set on approval")
    basis: dict[str, Any] = Field(description="核定依据：规则、输入、参数及法律依据、扣减 / the rule, inputs, "
                                              "parameters with legal references and deductions")
    flag: Flag | None = Field(None, description=FLAG)
    flag_reason: str | None = Field(None, description="更正标记的原因 / why it was flagged, as recorded")
    created_at: UtcTime = Field(description="创建时间（UTC） / when it was created (UTC)")

    @computed_field(description="奖励说明：核定依据的说明，及其后更正的影响 / the award's explanation: its basis's "
                                "sentence, then what a correction of the record did to it")
    @property
    def explanation(self) -> str:
        said = str(self.basis.get("explanation") or "")
        if self.flag:
            said += f"；{self.flag_reason}"
        return said

    @computed_field(description="是否计入：待付或已付（已核定、已审核、已批准、已拨付）的奖励占用其依据——同一合同、上市再申领为 409；"
                                "驳回、追回、系统外已兑付者不计 / whether it counts: owed or paid in the system (computed, "
                                "reviewed, approved, disbursed), it stands on its contract or listing, and a second claim "
                                "on the same one is a 409; rejected, clawed back or settled outside, it does not")
    @property
    def counts(self) -> bool:
        return self.state in COUNTED

    @computed_field(description="当前状态可进行的审核流程操作（review 审核、approve 批准、disburse 拨付、reject 驳回）及可操作的"
                                "角色；其他操作为 409 或 403 / the workflow actions its state allows (review, approve, "
                                "disburse, reject), each with the roles that may take it; any other is a 409 or a 403")
    @property
    def actions(self) -> dict[str, list[str]]:
        return workflow.actions(self.state)


class AwardDetail(AwardPublic):
    """奖励及其历程 / An award and its history (who, when, why, voucher)."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {**AWARD_EXAMPLE, "history": [TRANSITION_EXAMPLE]}]})

    history: list[TransitionPublic] = Field(description="状态变更记录 / every state change")


class QueueTotals(Public):
    """筛选结果的合计 / What a filter of the award list finds: how many, and their sum."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"count": 174, "amount_yuan": 52_300_000}]})
    count: int = Field(description="笔数 / how many awards")
    amount_yuan: int = Field(description="金额合计（元） / their amounts' sum, 元")


class TotalsPublic(Public):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"uscc": "91110111MA01ABCD2U", "total_yuan": 500000, "by_program": {"tier": 300000, "relocation": 200000}}]})

    uscc: str = Field(description="统一社会信用代码 / unified social credit code")
    total_yuan: int = Field(description="系统内应付或已付奖励合计（元，不含驳回、追回、撤回、暂停及系统外已兑付） / total in 元 "
                                        "payable or paid in the system (rejected, clawed back, withdrawn, withheld "
                                        "and settled outside excluded)")
    by_program: dict[str, int] = Field(description="按项目合计（元） / totals per programme in 元")
