"""Statistics routes: thin; the use cases are in service.py."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from services.registry.auth import StatsReader
from services.registry.statistics import service
from services.registry.statistics.schemas import Monitoring, NewStats, Targets, TierStats
from shared import sheets
from shared.clock import today
from shared.errors import Problem
from shared.sessions import ReadSession

router = APIRouter(tags=["statistics 统计"])


def bad_period(zh: str, en: str, field: str, msg: str, kind: str = "value") -> Problem:
    return Problem(422, "bad-period", zh, en, errors=[{"loc": ["query", field], "msg": msg, "type": kind}])


def period(year: int | None, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """The period asked for: a calendar year (optionally cut short by `end`), or `start` to `end`."""
    if year is not None:
        if year > today().year:
            raise bad_period(f"{year} 年尚未开始", f"The year {year} has not begun", "year", "a future year")
        # A year still running ends today: stock is counted on a day that has happened.
        first, last = dt.date(year, 1, 1), end or min(dt.date(year, 12, 31), today())
        if start is not None or not (first <= last <= dt.date(year, 12, 31)):
            raise bad_period("给出年份时不能同时给出起始日期，截止日期须在该年内",
                             "Give year (optionally with a `to` inside it) or from and to", "to", "outside the year")
        return first, last
    if start is not None and end is not None:
        if end < start:
            raise bad_period("截止日期早于起始日期", "`to` is before `from`", "to", "before from")
        return start, end
    raise bad_period("需要年份，或起始与截止日期", "Give year, or from and to", "year", "missing", "missing")


@router.get("/stats/tiers", summary="某日各当前层级的企业数与各称号持有数 / Enterprises per current tier, and "
                                    "title holders, on a date")
def tier_stats(who: StatsReader, session: ReadSession,
               on: Annotated[dt.date | None, Query(description="统计日期 YYYY-MM-DD，默认今天 / YYYY-MM-DD; "
                                                               "default today")] = None) -> TierStats:
    """在数据库中汇总（与纯规则 tier_on 同一口径）。Aggregated in the database, by the same rule as tier_on."""
    return service.tier_stats(session, on or today())


@router.get("/targets/{year}", summary="年度培育目标及完成进度 / The year's cultivation targets and progress against them")
def targets(year: Annotated[int, Path(ge=2000, le=2100, description="年份 / the year")], who: StatsReader,
            session: ReadSession) -> Targets:
    """目标为按日期生效的参数；上市数来自区金融服务办的上市登记。
    The targets are a dated parameter; listings come from the financial office's listing records."""
    return service.target_progress(session, year, today())


@router.get("/stats/new", response_model=NewStats, response_model_exclude_unset=True, responses=sheets.XLSX_ANSWER,
            summary="某日存量与期内新增（答复口径的表），可分组 / Stock on a date and new titles per period "
                    "(the reply's table), by group")
def new_stats(who: StatsReader, session: ReadSession,
              year: Annotated[int | None, Query(ge=2000, le=2100, description="自然年 / the calendar year")] = None,
              from_: Annotated[dt.date | None, Query(alias="from", description="起始日期（与 to 同用） / first day "
                                                                               "(with `to`)")] = None,
              to: Annotated[dt.date | None, Query(description="截止日期；与 year 同用时截短该年 / last day; with "
                                                              "`year`, cuts the year short")] = None,
              by: Annotated[Literal["township", "park", "industry"] | None,
                            Query(description="分组：乡镇、园区、行业 / group by township, park or industry")] = None,
              format: Annotated[Literal["json", "xlsx"],  # noqa: A002
                                Query(description="json 或 xlsx 工作簿 / json, or an xlsx workbook")] = "json"):
    """`year=2023&to=2023-09-30` 即答复口径：截至9月末的存量，及较2022年末的新增。各称号：`stock`（截止日持有）、
    `base`（起始日前一天持有）、`net`、`new`（期内首次认定）、`renewed`（期内复核）。
    `year=2023&to=2023-09-30` reproduces the reply: 截至9月末 stock, and new since the end of 2022.
    Per title: `stock` (holders on `to`), `base` (holders the day before `from`), `net`, `new`
    (first recognised at that title within the period), `renewed` (复核 within it)."""
    start, end = period(year, from_, to)
    stats = service.new_stats(session, start, end, by)
    if format == "xlsx":
        return sheets.download(service.new_stats_xlsx(stats), "xlsx", f"srdi-new-{start.isoformat()}-{end.isoformat()}")
    return stats


@router.get("/stats/monitoring", summary="月度监测快照 / The monthly monitoring snapshot (月度监测)")
def monitoring(who: StatsReader, session: ReadSession,
               month: Annotated[str, Query(pattern=r"^(20\d\d|2100)-(0[1-9]|1[0-2])$",
                                           description="月份 YYYY-MM / the month, YYYY-MM")]) -> Monitoring:
    """月末（当月为今天）各称号持有数，当月新增与复核，年初至今新增，复核到期，未办结与逾期诉求。
    Holders per title as of the month's end (today within the current month), new and renewed
    titles in the month, new in the year to date, renewals due, open and overdue requests."""
    year, mon = (int(x) for x in month.split("-"))
    if dt.date(year, mon, 1) > today():
        raise Problem(422, "future-month", f"{month} 尚未开始", f"{month} has not started",
                      errors=[{"loc": ["query", "month"], "msg": "in the future", "type": "value"}])
    return service.monitoring(session, year, mon, today())
