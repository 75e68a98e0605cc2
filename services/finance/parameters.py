"""The policy parameters finance reads (dated rows of shared.tables.PolicyParameter), what a value
must be (PUT /api/v1/policy checks it through validate_policy_value, the policy_validator of SPEC in
main.py) and their values on a date with the rows cited."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.finance import rules
from shared import params
from shared.errors import Problem
from shared.tables import PolicyParameter
from shared.tiers import Tier

MIN_TIER = "finance.service_list.min_tier"

# key -> (kind of value, its Chinese name for an operator)
PARAMETERS = {
    MIN_TIER: ("tier", "服务名单最低层级"),
    "finance.first_loan_subsidy.rate_bp": ("bp", "首贷贴息比例"),
    "finance.first_loan_subsidy.cap_bp": ("bp", "首贷贴息上限比例"),
    "finance.first_loan_subsidy.certified_rate_bp": ("bp", "认定企业首贷贴息比例"),
    "finance.first_loan_subsidy.certified_cap_bp": ("bp", "认定企业首贷贴息上限比例"),
    "finance.first_loan_subsidy.certified_min_tier": ("tier", "首贷贴息认定企业最低层级"),
    "finance.first_loan_subsidy.max_loan_yuan": ("yuan", "首贷贴息单笔贷款上限"),
    "finance.guarantee.guarantor_share_bp": ("bp", "担保机构分担比例"),
    "finance.guarantee.bank_share_min_bp": ("bp", "银行最低分担比例"),
    "finance.npl_compensation.rate_bp": ("bp", "不良贷款补偿比例"),
    "finance.npl_compensation.srdi_rate_bp": ("bp", "专精特新企业不良贷款补偿比例"),
    "finance.npl_compensation.srdi_min_tier": ("tier", "不良贷款较高补偿最低层级"),
    "finance.guidance_fund.srdi_share_min_bp": ("bp", "引导基金专精特新企业投资占比下限"),
    "finance.guidance_fund.srdi_min_tier": ("tier", "引导基金专精特新企业最低层级"),
}

_WANT = {"tier": ("层级代码", "a tier code"), "bp": ("0–10000 基点整数", "integer basis points 0–10000"),
         "yuan": ("不超过 10^13 的整数元", "whole 元 up to 10^13")}


def _valid_value(kind: str, value) -> bool:
    if kind == "tier":
        return isinstance(value, str) and value in Tier.__members__
    if kind == "bp":
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= rules.BP
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10**13


def validate_policy_value(key: str, value) -> tuple[str, str] | None:
    """The finance check of a new policy version's value (ServiceSpec.policy_validator): why it is
    refused (Chinese, English), or None. A key this service does not read is left to shared.policy
    (404 when it has no version)."""
    kind = PARAMETERS.get(key, (None, ""))[0]
    if kind is None or _valid_value(kind, value):
        return None
    zh, en = _WANT[kind]
    return f"取值应为{zh}", f"the value must be {en}"


GUARANTOR, BANK_MIN = "finance.guarantee.guarantor_share_bp", "finance.guarantee.bank_share_min_bp"


def consistency(s: Session) -> tuple[str, str] | None:
    """The finance check of its policy as a whole (ServiceSpec.policy_consistency): on every date
    from which either guarantee share changes, the guarantor's share and the bank's minimum share
    add up to at most 100 % (rules.npl_split refuses a default otherwise)."""
    guarantor, bank = history(s, GUARANTOR), history(s, BANK_MIN)
    if not guarantor or not bank:
        return None
    for on in sorted({d for d, _ in guarantor} | {d for d, _ in bank}):
        g, b = int(rules.value_on(guarantor, on)), int(rules.value_on(bank, on))
        if rules.shares_exceed(g, b):
            return (f"自 {on} 起担保机构分担比例 {g} 与银行最低分担比例 {b} 之和超过 10000 基点（100%）",
                    f"from {on} the guarantor's share {g} and the bank's minimum {b} exceed 10000 basis points")
    return None


def missing(key: str) -> Problem:
    """A parameter finance reads has no row: an operator must set it (no default hides in code)."""
    return Problem(503, "parameter-missing", f"缺少政策参数：{PARAMETERS[key][1]}", f"Policy parameter {key} is not set")


def history(s: Session, key: str) -> list[tuple[dt.date, object]]:
    """Every version of a parameter, (effective_from, value) by date (shared.params' cache)."""
    return [(p.effective_from, p.value) for p in params.history(s, key)]


def versions(s: Session, key: str) -> dict[int, dt.date]:
    """Every version of a parameter: row id -> effective date."""
    rows = s.execute(select(PolicyParameter.id, PolicyParameter.effective_from)
                     .where(PolicyParameter.key == key, params.LIVE))
    return {row_id: since for row_id, since in rows}


def values(s: Session, on: dt.date, prefix: str) -> tuple[dict, list[dict]]:
    """Parameter values in force on a date under a prefix (key without the prefix), and their citations.
    Before a parameter's first row, its first row applies (as for the list's threshold)."""
    found = params.in_force(s, on, prefix)
    for key in PARAMETERS:
        if key.startswith(prefix) and key not in found:
            row = s.scalars(select(PolicyParameter).where(PolicyParameter.key == key, params.LIVE)
                            .order_by(PolicyParameter.effective_from).limit(1)).first()
            if row is None:
                raise missing(key)
            found[key] = params.Param(row.id, row.key, row.value, row.effective_from, row.legal_ref)
    return {k.removeprefix(prefix): p.value for k, p in found.items()}, [p.cite() for p in found.values()]
