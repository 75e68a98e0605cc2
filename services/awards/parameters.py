"""The awards service's policy parameters: their names in Chinese, and what a value of each key
must look like (ServiceSpec.policy_validator, and the what-if parameter sets). Pure: no I/O."""
from __future__ import annotations

import datetime as dt
import re

from shared.contracts.finance import BOARD_ZH
from shared.tiers import TIER_ZH, Tier
from shared.validators import code_error


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
PARAM_ZH = {
    "award.tier.pay_first_renewal": "首次复核是否奖励", "award.relocation.amount": "入区奖励金额",
    "award.relocation.cutoff": "入区奖励起算日期", "award.relocation.min_tier": "入区奖励最低层级",
    "award.relocation.before_title": "迁入须不晚于首次获得称号", "award.introducer.amount": "中介机构奖励金额",
    "award.featured_park.amount": "特色园区奖励金额", "award.incubation.per_enterprise": "园区孵化奖励金额（每家企业）",
    "award.claim.min_tier": "申领最低层级", "award.listing.min_tier": "上市奖励最低层级",
    "award.listing.boards": "上市奖励板块", "award.listing.match_bp": "上市奖励配套比例",
    "award.scenario.rate_bp": "应用场景奖励比例", "award.scenario.cap_yuan": "应用场景奖励年度上限",
    "award.ecosystem.rate_bp": "产业生态奖励比例", "award.recovery.due_days": "追回款缴回期限（天）"}
KNOWN_KEYS = frozenset(PARAM_ZH)
UNKNOWN = ("未知参数", "unknown parameter key")
YUAN = ("须为不小于 0 的整数（元）", "an integer number of yuan ≥ 0")


def param_zh(key: str) -> str:
    """A parameter's name in Chinese, for messages (the key itself is a code)."""
    tier = key.removeprefix("award.tier.")
    if key.startswith("award.tier.") and tier in TIER_ZH:
        return f"{TIER_ZH[tier]}层级奖励金额"
    return PARAM_ZH.get(key, "未知参数")


def parameter_error(key: str, value) -> tuple[str, str] | None:
    """Why a proposed value is not valid for its key, in Chinese and English (None when it is)."""
    if key not in KNOWN_KEYS and not (key.startswith("award.tier.") and key.removeprefix("award.tier.") in Tier.__members__):
        return UNKNOWN
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if key.startswith("award.tier.") and key != "award.tier.pay_first_renewal":
        return None if is_int and 0 <= value <= 10**11 else YUAN
    if key in ("award.tier.pay_first_renewal", "award.relocation.before_title"):
        return None if isinstance(value, bool) else ("须为是或否（布尔值）", "true or false")
    if key.endswith("_bp"):
        return None if is_int and 0 <= value <= 100_000 else ("须为 0 至 100000 的整数基点", "integer basis points 0–100000")
    if key.endswith((".amount", "_yuan", ".per_enterprise")):
        return None if is_int and 0 <= value <= 10**11 else YUAN
    if key.endswith("_days"):
        return None if is_int and 1 <= value <= 3650 else ("须为 1 至 3650 的整数天数", "a whole number of days 1–3650")
    if key.endswith("min_tier"):
        return None if value in Tier.__members__ else ("须为层级代码", "a tier code")
    if key.endswith("cutoff"):  # YYYY-MM-DD only: Python's fromisoformat also takes 20220101 and 2022-W01-1
        try:
            if isinstance(value, str) and ISO_DAY.fullmatch(value):
                dt.date.fromisoformat(value)
                return None
        except ValueError:
            pass
        return "须为日期（年-月-日）", "a date YYYY-MM-DD"
    if not isinstance(value, list):  # award.listing.boards
        return "须为板块代码列表", "a list of board codes"
    return code_error(value, BOARD_ZH)


def validate_policy_value(key: str, value) -> tuple[str, str] | None:
    """The awards check of a new policy version's value (ServiceSpec.policy_validator): why it is
    refused (Chinese, English), or None. An unknown key is left to shared.policy (404)."""
    why = parameter_error(key, value)
    if why is None or why == UNKNOWN:
        return None
    return f"参数值无效：{param_zh(key)}{why[0]}", f"invalid value: {why[1]}"
