"""The registry's policy parameters whose kind alone does not check them (shared.policy checks the
kind): coded ones — a routing table's departments, a tier —, counted ones with their ranges, and
the two written as text, a day of the year and a ratio. A value refused here would otherwise be
stored and fail where it is used (a title valid for 10,000 years has no expiry date)."""
from __future__ import annotations

import re
from decimal import Decimal

from services.registry.service_package.rules import DEPARTMENT_ZH
from shared.tiers import TIER_ZH

CODES = {"service_package.routing": DEPARTMENT_ZH, "monitoring.key_min_tier": TIER_ZH,
         "reminder.annual_update.min_tier": TIER_ZH}
# The ranges are the suite's choice, wide around the seeded values (README, "Parameters").
RANGES = {"certification.validity_years.": (1, 10), "certification.reapply_ban_years": (0, 10),
          "change_report.months": (1, 24), "monitoring.min_employees": (0, 1_000_000),
          "monitoring.rd_ratio_min_pct": (0, 100), "monitoring.revenue_drop_pct": (1, 100),
          "reminder.annual_update.months": (1, 12), "reminder.title_lapse.months": (1, 24),
          "renewal.notice_months": (1, 24), "screening.near_miss.max_failures": (0, 20),
          "service_package.deadline_days": (1, 365), "targets.yearly": (0, 100_000)}


# ASCII digits only: str.isdigit() and Decimal take ² or full-width digits, and Decimal takes
# 1E-9999999, which the screening's Fraction then expands to ten million digits.
DAY_OF_YEAR = re.compile(r"(\d\d)-(\d\d)", re.ASCII)
RATIO = re.compile(r"0\.\d{1,6}|1(\.0{1,6})?", re.ASCII)


def _day_of_year(value: str) -> bool:
    """MM-DD that falls in every year (29 February does not)."""
    m = DAY_OF_YEAR.fullmatch(value)
    if m is None:
        return False
    month, day = int(m.group(1)), int(m.group(2))
    days = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    return 1 <= month <= 12 and 1 <= day <= days[month - 1]


def _ratio(value: str) -> bool:
    """A decimal written plainly, above 0 and at most 1, to six places (0.2 is a gap of a fifth)."""
    return RATIO.fullmatch(value) is not None and Decimal(value) > 0


def validate_policy_value(key: str, value) -> tuple[str, str] | None:
    """The registry's check of a new policy version's value (ServiceSpec.policy_validator), beyond
    its codes (CODES): why it is refused (Chinese, English), or None."""
    if key == "annual_update.deadline" and not _day_of_year(value):
        return "须为每年都有的月-日，如 04-30", "a day of the year as MM-DD, e.g. 04-30"
    if key == "screening.near_miss.max_relative_gap" and not _ratio(value):
        return "须为大于 0、不大于 1 的小数，如 0.2", "a decimal above 0 and at most 1, e.g. 0.2"
    return None
