"""Payment batches: the bodies and answers (accounts masked: only the export holds them whole)."""
from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from shared.schemas import Body, LongText, Public, RowId, Text, UtcTime

BatchState = Literal["draft", "exported", "settled", "cancelled"]
LINE = {"seq": 1, "award_id": 12, "program": "tier", "uscc": "91110111MA01ABCD2U", "payee_id": 3,
        "payee_name": "北京某某科技有限公司", "bank_name": "中国工商银行北京房山支行",
        "account_masked": "6222 **** **** 1234", "amount_yuan": 300000, "purpose": "层级奖励（奖励编号 12）",
        "result": "returned", "voucher": None, "returned_reason": "账户已销户", "result_at": "2026-12-03T02:00:00Z"}
BATCH = {"id": 1, "number": "ZF2026-00001", "state": "exported", "count": 1, "amount_yuan": 300000,
         "paid_count": 0, "paid_yuan": 0, "returned_count": 0, "returned_yuan": 0, "note": None,
         "created_by": "treasury:-:wang", "created_at": "2026-12-03T02:00:00Z",
         "exported_at": "2026-12-03T02:10:00Z", "settled_at": None, "cancelled_at": None, "cancelled_by": None,
         "cancel_reason": None}

QUEUE_ITEM = {"award_id": 13, "program": "tier", "uscc": "91110111MA01ABCD2U", "payee": "91110111MA01ABCD2U",
              "payee_type": "enterprise", "amount_yuan": 300000, "budget_year": 2026, "payee_id": 3,
              "account_masked": "6222 **** **** 1234", "last_returned_reason": "账户已销户"}


class BatchIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"award_ids": [12, 13], "note": "12月第一批"}, {}]})

    award_ids: list[RowId] | None = Field(None, min_length=1, max_length=1000,
                                          description="奖励编号（不填：所有已批准、已登记收款方且不在未办结批次中的奖励） / the "
                                                      "awards (none: every approved award with a payee record not in "
                                                      "an open batch)")
    note: LongText | None = Field(None, description="说明 / a note")


class CancelIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "收款方账户待核实，重新编批"}]})

    reason: LongText = Field(description="取消原因 / why the batch is cancelled")


class ResultLineIn(Body):
    seq: RowId | None = Field(None, description="序号 / the line's number in the batch")
    award_id: RowId | None = Field(None, description="奖励编号 / the award")
    result: Text = Field(description="结果：paid 成功 或 returned 退回 / paid or returned")
    voucher: Text | None = Field(None, description="支付凭证号（成功时必填） / the payment voucher (required when paid)")
    reason: LongText | None = Field(None, description="退回原因（退回时必填） / why it was returned (required when returned)")


class ResultIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"lines": [
        {"award_id": 12, "result": "paid", "voucher": "FS-付-0101"},
        {"seq": 2, "result": "returned", "reason": "账户已销户"}]}]})

    lines: list[ResultLineIn] = Field(min_length=1, max_length=1000, description="每行结果 / a result per line")


class LinePublic(Public):
    """批次中的一笔 / One line of a batch."""

    model_config = ConfigDict(json_schema_extra={"examples": [LINE]})

    seq: int = Field(description="序号 / the line's number")
    award_id: int = Field(description="奖励编号 / the award")
    program: str = Field(description="奖励项目 / the programme")
    uscc: str | None = Field(description="所涉企业 / the enterprise it is about")
    payee_id: int = Field(description="收款方编号 / the payee")
    payee_name: str = Field(description="收款方名称 / the account holder")
    bank_name: str = Field(description="开户行 / the bank")
    account_masked: str = Field(description="账号（脱敏） / the account, masked")
    amount_yuan: int = Field(description="金额（元） / the amount, in 元")
    purpose: str = Field(description="用途 / the purpose")
    result: Literal["paid", "returned"] | None = Field(description="结果：paid 已支付、returned 已退回、空为待回盘 / the result")
    voucher: str | None = Field(description="支付凭证号 / the payment voucher")
    returned_reason: str | None = Field(description="退回原因 / why it was returned")
    result_at: UtcTime | None = Field(description="结果登记时间（UTC） / when the result was recorded")


class BatchPublic(Public):
    """支付批次 / A payment batch."""

    model_config = ConfigDict(json_schema_extra={"examples": [BATCH]})

    id: int = Field(description="批次编号 / the batch's id")
    number: str = Field(description="批次号 / the batch number")
    state: BatchState = Field(description="状态：draft 草稿、exported 已导出、settled 已办结、cancelled 已取消 / the state")
    count: int = Field(description="笔数 / lines")
    amount_yuan: int = Field(description="金额合计（元） / the total, in 元")
    paid_count: int = Field(description="已支付笔数 / lines paid")
    paid_yuan: int = Field(description="已支付金额（元） / paid, in 元")
    returned_count: int = Field(description="已退回笔数 / lines returned")
    returned_yuan: int = Field(description="已退回金额（元） / returned, in 元")
    note: str | None = Field(description="说明 / a note")
    created_by: str = Field(description="经办 / who built it")
    created_at: UtcTime = Field(description="生成时间（UTC） / when it was built")
    exported_at: UtcTime | None = Field(description="首次导出时间（UTC） / when it was first exported")
    settled_at: UtcTime | None = Field(description="办结时间（UTC） / when every line had a result")
    cancelled_at: UtcTime | None = Field(None, description="取消时间（UTC） / when the draft was cancelled")
    cancelled_by: str | None = Field(None, description="取消人 / who cancelled it")
    cancel_reason: str | None = Field(None, description="取消原因 / why it was cancelled")


class BatchDetail(BatchPublic):
    """支付批次及其明细 / A batch with its lines."""

    model_config = ConfigDict(json_schema_extra={"examples": [{**BATCH, "lines": [LINE]}]})

    lines: list[LinePublic] = Field(description="明细，按序号 / the lines, by number")


class BatchCreated(BatchDetail):
    """新批次，及未登记收款方而未纳入的奖励 / The new batch, and the awards left out for want of a payee record."""

    left_out: list[dict] = Field(description="未纳入的奖励（无收款方记录）：award_id、payee、payee_type / approved awards "
                                             "left out: no payee record")
    model_config = ConfigDict(json_schema_extra={"examples": [{**BATCH, "lines": [LINE], "left_out": [
        {"award_id": 15, "payee": "91110111MA01R2XJ3P", "payee_type": "enterprise"}]}]})


class QueueItem(Public):
    """待支付的已批准奖励 / An approved award waiting to be paid."""

    model_config = ConfigDict(json_schema_extra={"examples": [QUEUE_ITEM]})

    award_id: int = Field(description="奖励编号 / the award")
    program: str = Field(description="奖励项目 / the programme")
    uscc: str | None = Field(description="所涉企业 / the enterprise it is about")
    payee: str = Field(description="奖励所载收款方 / the award's payee")
    payee_type: str = Field(description="收款方类型 / its kind")
    amount_yuan: int = Field(description="金额（元） / the amount, in 元")
    budget_year: int | None = Field(description="预算年度 / the budget year")
    payee_id: int | None = Field(description="收款方记录编号（无：须先登记） / the payee record (none: set it first)")
    account_masked: str | None = Field(description="账号（脱敏） / the account, masked")
    last_returned_reason: str | None = Field(description="上次退回原因 / why its last payment was returned")


class Queue(Public):
    """待支付的已批准奖励及合计 / The approved awards waiting to be paid, and their total."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [QUEUE_ITEM], "count": 1,
                                                               "amount_yuan": 300000}]})

    items: list[QueueItem] = Field(description="待支付奖励 / the awards waiting")
    count: int = Field(description="笔数 / how many")
    amount_yuan: int = Field(description="金额合计（元） / their total, in 元")
