"""A range of whole years a summary is asked for (`from_year`, `to_year`): the query parameters and
their check, the same for every service's summary."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Query

from shared.errors import Problem

FromYear = Annotated[int, Query(ge=2000, le=2100, description="起始年份 / the first year")]
ToYear = Annotated[int, Query(ge=2000, le=2100, description="截止年份 / the last year")]
MAX_YEARS = 20


def check(from_year: int, to_year: int, today: dt.date) -> None:
    """422 `bad-period` (on the field at fault) for years in the wrong order, a year not begun, or
    more than MAX_YEARS at once."""
    def bad(zh: str, en: str, field: str) -> Problem:
        return Problem(422, "bad-period", zh, en, errors=[{"loc": ["query", field], "msg": en, "type": "value"}])
    if to_year < from_year:
        raise bad("截止年份早于起始年份", "to_year is before from_year", "to_year")
    if to_year > today.year:
        raise bad(f"{to_year} 年尚未开始", f"The year {to_year} has not begun", "to_year")
    if to_year - from_year + 1 > MAX_YEARS:
        raise bad(f"一次最多 {MAX_YEARS} 年", f"At most {MAX_YEARS} years at once", "from_year")
