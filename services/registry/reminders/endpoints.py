"""Validity reminder routes: thin; the use cases are in service.py."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.registry.auth import ReminderReader, Writer
from services.registry.reminders import service
from services.registry.reminders.schemas import Kind, ReminderPage, SweepCounts
from shared.filters import UsccFilter
from shared.clock import today
from shared.pagination import Cursor, Limit
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["reminders 到期与年度更新提醒"])


@router.post("/admin/reminders/run", summary="立即运行到期提醒扫描 / Run the validity reminder sweep now")
def run(who: Writer, session: WriteSession) -> SweepCounts:
    """按今天的参数发出到期的提醒（称号到期前、年度数据更新截止前），每家企业每个周期只发一次：
    重复运行只计入 `already_sent`。到期扫描（启动时及每小时）也会运行。
    Announce the reminders due today (before a title lapses, before the annual update deadline),
    once per enterprise and cycle: running it again only counts them in `already_sent`. The expiry
    sweeper runs it too (at start and hourly)."""
    return SweepCounts.model_validate(service.sweep(session, today(), who.actor))


@router.get("/reminders", summary="已发出的到期提醒 / The validity reminders announced")
def reminders(who: ReminderReader, session: ReadSession, limit: Limit = 100, cursor: Cursor = None,
              uscc: UsccFilter = None,
              kind: Annotated[Kind | None, Query(description="提醒类型 / the kind")] = None) -> ReminderPage:
    """按发出先后（键集分页），可按企业与类型筛选。/ In the order announced (keyset paging), by
    enterprise and kind."""
    return ReminderPage.model_validate(service.listed(session, uscc, kind, cursor, limit))
