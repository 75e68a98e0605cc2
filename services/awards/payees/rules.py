"""Payees as data (pure): the kinds, an account number's normal form and its mask."""
from __future__ import annotations

import re

KINDS = ("enterprise", "park", "intermediary", "bank", "guarantor")  # an award's payee_type
KINDS_ZH = {"enterprise": "企业", "park": "园区运营方", "intermediary": "中介机构", "bank": "银行", "guarantor": "担保机构"}
ACCOUNT = re.compile(r"^[0-9]{8,32}$")


def normal_account(text: str) -> str | None:
    """The digits of a bank account number (spaces and hyphens dropped), or None when it is not one
    (8 to 32 digits)."""
    digits = re.sub(r"[\s-]", "", text or "")
    return digits if ACCOUNT.match(digits) else None


def mask(account: str) -> str:
    """`6222 **** **** 1234`: the first four and the last four digits, nothing else."""
    return f"{account[:4]} **** **** {account[-4:]}"
