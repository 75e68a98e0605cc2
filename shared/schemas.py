"""Field types every service's request bodies share."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from shared.clock import today
from shared.validators import division_error, reason_zh, uscc_error


def _uscc(value: str) -> str:
    value = value.strip().upper()
    err = uscc_error(value)
    if err:
        raise ValueError(f"统一社会信用代码无效：{reason_zh(err)} / invalid USCC: {err}")
    return value


USCC = Annotated[str, StringConstraints(min_length=1, max_length=40), AfterValidator(_uscc)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Yuan = Annotated[int, Field(ge=0, le=10**13, description="whole 元")]
Day = Annotated[dt.date, Field(ge=dt.date(1949, 10, 1), le=dt.date(2100, 12, 31))]


def _not_after_today(value: dt.date) -> dt.date:
    if value > (now := today()):
        raise ValueError(f"日期 {value} 晚于今天（{now}），不能记录尚未发生的事实 / "
                         f"{value} is after today ({now}): a fact cannot be recorded before it happens")
    return value


# The date of a fact (a recognition, a revocation, a visit, a contract, a relocation): never after
# today (Asia/Shanghai), so nothing is paid, listed or granted ahead of its date.
FactDay = Annotated[Day, AfterValidator(_not_after_today)]


def _division(value: str) -> str:
    value = value.strip()
    if err := division_error(value):
        raise ValueError(f"行政区划代码无效：{reason_zh(err)} / invalid GB/T 2260 division code: {err}")
    return value


# A GB/T 2260 administrative-division code (Beijing's start with 11).
DivisionCode = Annotated[str, StringConstraints(min_length=1, max_length=12), AfterValidator(_division)]


class Body(BaseModel):
    """Request bodies: unknown fields are refused, so a typo is a 422, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", strict=False)


# A database row id in a path: bounded so that no id can overflow the database's integer.
RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]
