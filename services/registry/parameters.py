"""The registry's policy parameters whose kind alone does not check them (shared.policy checks the
kind): coded ones — a routing table's departments, a tier — and the two written as text, a day of
the year and a ratio. A value refused here would otherwise be stored and fail where it is used."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from services.registry.service_package.rules import DEPARTMENT_ZH
from shared.tiers import TIER_ZH

CODES = {"service_package.routing": DEPARTMENT_ZH, "monitoring.key_min_tier": TIER_ZH,
         "reminder.annual_update.min_tier": TIER_ZH}


def _day_of_year(value: str) -> bool:
    """MM-DD that falls in every year (29 February does not)."""
    month, _, day = value.partition("-")
    if not (len(month) == len(day) == 2 and month.isdigit() and day.isdigit()):
        return False
    days = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    return 1 <= int(month) <= 12 and 1 <= int(day) <= days[int(month) - 1]


def _ratio(value: str) -> bool:
    """A decimal written as text, above 0 and at most 1 (0.2 is a gap of a fifth)."""
    try:
        number = Decimal(value)
    except InvalidOperation:
        return False
    return number.is_finite() and 0 < number <= 1


def validate_policy_value(key: str, value) -> tuple[str, str] | None:
    """The registry's check of a new policy version's value (ServiceSpec.policy_validator), beyond
    its codes (CODES): why it is refused (Chinese, English), or None."""
    if key == "annual_update.deadline" and not _day_of_year(value):
        return "须为每年都有的月-日，如 04-30", "a day of the year as MM-DD, e.g. 04-30"
    if key == "screening.near_miss.max_relative_gap" and not _ratio(value):
        return "须为大于 0、不大于 1 的小数，如 0.2", "a decimal above 0 and at most 1, e.g. 0.2"
    return None
