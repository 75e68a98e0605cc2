"""The leadership report's answer from the registry: per year, titles (stock, new, renewed,
lapsed), targets against progress, service requests by department, policy sessions; and the
reply-style sentences."""
from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, Field

from services.registry.statistics.schemas import TargetProgress
from shared.schemas import Public

TIER_EXAMPLE = {"stock": 130, "base": 63, "new": 72, "renewed": 5, "lapsed": 5}


class TierYear(Public):
    stock: int = Field(description="年末（当年为统计日）存量 / holders at the year's end (the day counted, this year)")
    base: int = Field(description="上年末存量 / holders at the end of the year before")
    new: int = Field(description="当年首次认定 / first recognised at the title in the year")
    renewed: int = Field(description="当年复核 / recognised again (复核) in the year")
    lapsed: int = Field(description="当年失效（到期、撤销、迁出或注销） / held at the start, not at the end")


class RequestYear(Public):
    department: str = Field(description="承办部门（角色代码） / the owning department (its role code)")
    total: int = Field(description="当年受理的诉求 / requests opened in the year")
    on_time: int = Field(description="按期办结 / closed by the due day")
    late: int = Field(description="逾期办结 / closed after the due day")
    open: int = Field(description="截至统计日未办结 / still open on the day counted")
    open_overdue: int = Field(description="其中已逾期 / of those open, past the due day")


class SessionYear(Public):
    sessions: int = Field(description="政策宣讲会场次 / policy sessions held")
    enterprises: int = Field(description="参会企业（家次） / enterprise attendances")
    attendees: int = Field(description="参会人数 / people attending")


class SeriesYear(Public):
    year: int = Field(description="年份 / the year")
    on: dt.date = Field(description="统计日（年末；当年为 on） / the day counted")
    tiers: dict[str, TierYear] = Field(description="按称号 / per title")
    targets: list[TargetProgress] = Field(description="年度目标与完成 / the year's targets against progress")
    requests: list[RequestYear] = Field(description="服务包诉求（按承办部门） / service requests per department")
    sessions: SessionYear = Field(description="政策宣讲 / policy sessions")
    text_zh: str = Field(description="该年答复口径的文字 / the year's sentence in the reply's words")


class Series(Public):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "from_year": 2023, "to_year": 2023, "on": "2023-09-30",
        "text_zh": "截至2023年9月30日，存量创新型中小企业130家，较2022年新增72家。",
        "years": [{"year": 2023, "on": "2023-09-30", "tiers": {"innovative": TIER_EXAMPLE}, "targets": [],
                   "requests": [{"department": "econ", "total": 3, "on_time": 2, "late": 0, "open": 1,
                                 "open_overdue": 0}],
                   "sessions": {"sessions": 4, "enterprises": 60, "attendees": 85},
                   "text_zh": "截至2023年9月30日，存量创新型中小企业130家，较2022年新增72家。"}]}]})

    from_year: int = Field(description="起始年份 / the first year")
    to_year: int = Field(description="截止年份 / the last year")
    on: dt.date = Field(description="统计日（答复文字的日期） / the day of the sentences")
    text_zh: str = Field(description="截至统计日的答复口径文字（较上年末新增） / the reply's sentence for `on`")
    years: list[SeriesYear] = Field(description="逐年 / year by year")
