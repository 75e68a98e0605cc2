"""The leadership report's registry routes: thin; the use case is in service.py."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from services.registry.report import rules, service
from services.registry.report.schemas import Series
from shared.auth import Caller
from shared.clock import today
from shared.errors import Problem
from shared.sessions import ReadSession

router = APIRouter(tags=["report 领导报告"])
# Leadership's report: the lead bureau, the treasury and the auditor read it (never a park or a bank).
ReportReader = Caller("econ", "treasury", "auditor")


def bad(zh: str, en: str, field: str, msg: str) -> Problem:
    return Problem(422, "bad-period", zh, en, errors=[{"loc": ["query", field], "msg": msg, "type": "value"}])


def years_asked(first: int, last: int, on: dt.date | None) -> tuple[int, int, dt.date]:
    """The years and the day asked for, checked: nothing in the future, at most MAX_YEARS years."""
    now = today()
    on = on or min(now, dt.date(last, 12, 31))
    if on > now:
        raise bad("统计日期不能晚于今天", "`on` is in the future", "on", "in the future")
    if last < first:
        raise bad("截止年份早于起始年份", "`to_year` is before `from_year`", "to_year", "before from_year")
    if last > on.year:
        raise bad(f"{last} 年晚于统计日期所在年份", f"The year {last} is after `on`", "to_year", "after on")
    if last - first + 1 > rules.MAX_YEARS:
        raise bad(f"一次最多 {rules.MAX_YEARS} 年", f"At most {rules.MAX_YEARS} years at once", "from_year", "too many")
    return first, last, on


@router.get("/report/series", summary="领导报告：逐年称号存量、新增、复核、失效，目标进度，诉求时效，政策宣讲 / "
                                      "The leadership report: per year titles, targets, requests, sessions")
def report_series(who: ReportReader, session: ReadSession,
                  from_year: Annotated[int, Query(ge=2000, le=2100, description="起始年份 / the first year")],
                  to_year: Annotated[int, Query(ge=2000, le=2100, description="截止年份 / the last year")],
                  on: Annotated[dt.date | None, Query(description="统计日（截止年份的截止日；默认今天或该年末） / "
                                                                  "the day counted in the last year")] = None) -> Series:
    """每年按年末（统计日所在年按 `on`）统计；`text_zh` 为截至 `on` 的答复口径文字（较上年末新增）。
    Each year is counted at its end (the year `on` falls in, on `on`); `text_zh` is the reply's sentence for `on`."""
    first, last, day = years_asked(from_year, to_year, on)
    return service.series(session, first, last, day, today())
