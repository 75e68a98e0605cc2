"""The parks service's check of its policy parameters (ServiceSpec.policy_validator): a dimension
of the featured-park assessment and the pass score, as the rules can use them (shared.policy has
checked the kind). Pure: no I/O."""
from __future__ import annotations

import unicodedata

from services.parks.rules import DIMENSION_PREFIX, MEASURES, PASS_KEY
from shared.tiers import Tier


# The suite's bounds, wide around the seeded values (a weight is points out of about 100).
MOST_WEIGHT, MOST_THRESHOLD, MOST_PASS_SCORE, MOST_LABEL = 100, 1_000_000, 1_000, 50


def _label_ok(label) -> bool:
    """A dimension's name as the liaisons read it: short text, no control or direction characters."""
    return (isinstance(label, str) and 0 < len(label.strip()) <= MOST_LABEL
            and not any(unicodedata.category(c) in ("Cc", "Cf") for c in label))


def parameter_problem(key: str, value) -> tuple[str, str] | None:
    """Why a parks parameter value is unusable (Chinese, English), or None. Keeps bad data out of the rules."""
    def number(x, most: int) -> bool:
        return isinstance(x, int | float) and not isinstance(x, bool) and 0 <= x <= most

    if key == PASS_KEY:
        return None if number(value, MOST_PASS_SCORE) else (
            f"达标分数线须为 0 至 {MOST_PASS_SCORE} 的数", f"pass_score must be a number from 0 to {MOST_PASS_SCORE}")
    if key.startswith(DIMENSION_PREFIX):
        name = key.removeprefix(DIMENSION_PREFIX)
        if not name.replace("_", "").isalnum() or not name.isascii():
            return ("维度名称只能由英文字母、数字和下划线组成",
                    "the dimension name must be ASCII letters, digits and underscores")
        if not isinstance(value, dict):
            return ("考核维度须为含计量方式、起算层级、权重和达标值的对象",
                    "a dimension is an object {measure, floor, weight, threshold}")
        unknown = set(value) - {"measure", "floor", "weight", "threshold", "label"}
        if unknown:
            return f"有不认识的字段：{'、'.join(sorted(unknown))}", f"unknown fields: {', '.join(sorted(unknown))}"
        if value.get("measure") not in MEASURES:
            return (f"计量方式须为以下之一：{'、'.join(MEASURES)}", f"measure must be one of {', '.join(MEASURES)}")
        if value.get("floor") not in {t.value for t in Tier}:
            return "起算层级须为层级代码", "floor must be a tier code"
        if not number(value.get("weight"), MOST_WEIGHT):
            return f"权重须为 0 至 {MOST_WEIGHT} 的数", f"weight must be a number from 0 to {MOST_WEIGHT}"
        if not number(value.get("threshold"), MOST_THRESHOLD):
            return f"达标值须为 0 至 {MOST_THRESHOLD} 的数", f"threshold must be a number from 0 to {MOST_THRESHOLD}"
        if "label" in value and not _label_ok(value["label"]):
            return (f"名称须为 1 至 {MOST_LABEL} 个字，不含控制字符或方向字符",
                    f"the label must be 1 to {MOST_LABEL} characters, with no control or direction characters")
        return None
    return ("不是园区考核参数", f"not a parks parameter (keys: {PASS_KEY}, {DIMENSION_PREFIX}<name>)")


def parameter_error(key: str, value) -> str | None:
    """Why a parks parameter value is unusable (English), or None."""
    problem = parameter_problem(key, value)
    return problem and problem[1]


def validate_policy_value(key: str, value) -> tuple[str, str] | None:
    """The parks check of a new policy version's value (ServiceSpec.policy_validator): why the
    rules cannot use it (Chinese, English), or None. shared.policy has already answered 404 for a
    key with no version and 422 for a value of another kind than the current one."""
    problem = parameter_problem(key, value)
    return None if problem is None else (f"参数无效（{problem[0]}）", problem[1])
