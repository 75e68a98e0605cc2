"""The parks service's check of its policy parameters (ServiceSpec.policy_validator): a dimension
of the featured-park assessment and the pass score, as the rules can use them (shared.policy has
checked the kind). Pure: no I/O."""
from __future__ import annotations

from services.parks.rules import DIMENSION_PREFIX, MEASURES, PASS_KEY
from shared.tiers import Tier


def parameter_problem(key: str, value) -> tuple[str, str] | None:
    """Why a parks parameter value is unusable (Chinese, English), or None. Keeps bad data out of the rules."""
    def number(x) -> bool:
        return isinstance(x, int | float) and not isinstance(x, bool) and x >= 0

    if key == PASS_KEY:
        return None if number(value) else ("达标分数线须为不小于 0 的数", "pass_score must be a number ≥ 0")
    if key.startswith(DIMENSION_PREFIX):
        name = key.removeprefix(DIMENSION_PREFIX)
        if not name.replace("_", "").isalnum() or not name.isascii():
            return ("维度名称只能由英文字母、数字和下划线组成",
                    "the dimension name must be ASCII letters, digits and underscores")
        if not isinstance(value, dict):
            return ("考核维度须为含度量方式、最低层级、权重和达标值的对象",
                    "a dimension is an object {measure, floor, weight, threshold}")
        unknown = set(value) - {"measure", "floor", "weight", "threshold", "label"}
        if unknown:
            return f"有不认识的字段：{'、'.join(sorted(unknown))}", f"unknown fields: {', '.join(sorted(unknown))}"
        if value.get("measure") not in MEASURES:
            return (f"度量方式须为以下之一：{'、'.join(MEASURES)}", f"measure must be one of {', '.join(MEASURES)}")
        if value.get("floor") not in {t.value for t in Tier}:
            return "最低层级须为层级代码", "floor must be a tier code"
        if not number(value.get("weight")) or not number(value.get("threshold")):
            return "权重和达标值须为不小于 0 的数", "weight and threshold must be numbers ≥ 0"
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
