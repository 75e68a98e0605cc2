"""Timeline routes: one enterprise's dated history in one answer."""
import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from services.registry.auth import Reader
from services.registry.timeline import service
from services.registry.timeline.schemas import Timeline
from shared.clock import today
from shared.paths import UsccKey
from shared.sessions import ReadSession

router = APIRouter(tags=["registry"])


@router.get("/enterprises/{uscc}/timeline", summary="企业时间线 / One enterprise's timeline")
def get_timeline(uscc: UsccKey, who: Reader, session: ReadSession, on: Annotated[dt.date | None, Query(
        description="只列此日及以前的事项，默认今天 / entries up to this date; default today")] = None) -> Timeline:
    """认定（认定、届满、撤销、作废）、奖励、落户指标、服务名单、诉求、走访与更正，按日期新的在前，一次返回；
    其他部门的事项为其最新完整记录，按最近一次变化的日期。供各部门与审计查阅（园区只见本园区企业）；企业本身与街乡不能查阅
（走访记录与更正是各部门的工作记录）。
    / Titles (recognition, lapse, revocation, voiding), awards, quotas, service-list entries,
    requests, visits and corrections, newest first, in one answer; another department's fact is its
    latest whole record, dated by its latest change. For the departments and the auditor (a park:
    its own enterprises'); not the enterprise itself nor a township (visits and corrections are the
    departments' working records)."""
    return service.timeline(session, who, uscc, on or today())
