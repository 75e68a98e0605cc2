"""Payees: the body and the (masked) answer."""
from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from shared.schemas import Body, Public, Text, UtcTime

PayeeKind = Literal["enterprise", "park", "intermediary", "bank", "guarantor"]
PAYEE = {"id": 3, "kind": "enterprise", "ref": "91110111MA01ABCD2U", "name": "北京某某科技有限公司",
         "bank_name": "中国工商银行北京房山支行", "account_masked": "6222 **** **** 1234", "intermediary_id": None,
         "updated_by": "treasury:-:wang", "updated_at": "2026-12-03T02:00:00Z"}


class PayeeIn(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"kind": "enterprise", "ref": "91110111MA01ABCD2U", "name": "北京某某科技有限公司",
         "bank_name": "中国工商银行北京房山支行", "account": "6222 0202 0000 1234"}]})

    kind: PayeeKind = Field(description="收款方类型：enterprise 企业、park 园区运营方、intermediary 中介机构、bank 银行、guarantor 担保机构（不良贷款风险补偿） / the kind")
    ref: Text = Field(description="奖励所载收款方：企业为统一社会信用代码，园区为园区编号，中介机构为其名称 / the award's "
                                  "payee: the USCC, the park id or the intermediary's name")
    name: Text = Field(description="收款方户名 / the account holder's name")
    bank_name: Text = Field(description="开户行 / the bank and branch")
    account: Text = Field(description="银行账号（8–32 位数字，可含空格） / the account number (8 to 32 digits; spaces allowed)")


class PayeePublic(Public):
    """收款方（账号脱敏） / A payee, its account masked."""

    model_config = ConfigDict(json_schema_extra={"examples": [PAYEE]})

    id: int = Field(description="收款方编号 / the payee's id")
    kind: PayeeKind = Field(description="收款方类型 / the kind")
    ref: str = Field(description="奖励所载收款方 / the award's payee it stands for")
    name: str = Field(description="户名 / the account holder")
    bank_name: str = Field(description="开户行 / the bank")
    account_masked: str = Field(description="账号（脱敏） / the account number, masked")
    intermediary_id: int | None = Field(None, description="中介机构名录编号（类型为中介机构时：按名称匹配的园区服务名录条目） / "
                                                          "kind intermediary: the directory entry its name matched")
    updated_by: str = Field(description="最后修改人 / who last set it")
    updated_at: UtcTime = Field(description="最后修改时间（UTC） / when it was last set (UTC)")
