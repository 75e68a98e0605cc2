"""Service-list routes (专精特新企业服务名单): thin; the use cases are in service.py."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.finance.auth import ListReader, Manager
from services.finance.service_list import service
from services.finance.service_list.schemas import RebuildPublic, ServiceListItem
from shared import pagination, sheets
from shared.clock import today
from shared.pagination import Cursor, Limit
from shared.paths import UsccKey
from shared.schemas import Page
from shared.sessions import ReadSession, WriteSession
from shared.tiers import Tier

router = APIRouter(tags=["service-list"])

TierQuery = Annotated[Tier | None, Query(description="只看该层级 / only enterprises of this tier")]
ChangedSince = Annotated[dt.date | None, Query(
    description="YYYY-MM-DD：只列出该日及以后变更的条目，含已移出的（带 removed_on），供银行同步 / "
                "only entries changed on or after it, removed ones included (with removed_on), for a bank's sync")]
OnQuery = Annotated[dt.date | None, Query(description="YYYY-MM-DD：该日的名单（默认今天）/ the list on that day "
                                                      "(default today)")]


@router.get("/service-list", response_model=Page[ServiceListItem], response_model_exclude_unset=True,
            summary="专精特新企业服务名单 / enterprises banks may offer SRDI products to")
def get_service_list(who: ListReader, session: ReadSession, limit: Limit = 100,
                     cursor: Cursor = None, changed_since: ChangedSince = None, tier: TierQuery = None,
                     on: OnQuery = None):
    """名单按统一社会信用代码分页；带 changed_since 时为同步视图（含移出的企业）。
    The list by USCC, a keyset page; with `changed_since`, the sync view (removed enterprises included)."""
    found = service.service_list(session, who, limit, pagination.decode(cursor), changed_since, tier, on or today())
    items = [service.item(record, x, with_removal=changed_since is not None) for record, x in found]
    return pagination.page(items, limit, key=lambda d: d["uscc"])


@router.get("/service-list/export.xlsx", response_class=Response, responses=sheets.XLSX_ANSWER,
            summary="导出服务名单 / the service list as an XLSX workbook (Chinese headers)")
def export_service_list(who: ListReader, session: ReadSession, tier: TierQuery = None,
                        changed_since: ChangedSince = None):
    """今天的名单（或带 changed_since 的同步视图）导出为一张中文表头的工作表。
    Today's list (or, with `changed_since`, the sync view) as one sheet with Chinese headers."""
    body = service.service_list_xlsx(session, who, changed_since, tier, today())
    return sheets.download(body, "xlsx", "service-list")


@router.get("/service-list/{uscc}", response_model=ServiceListItem,
            summary="名单上的一家企业 / one enterprise's entry on the service list (listed or removed)")
def get_service_list_entry(uscc: UsccKey, who: ListReader, session: ReadSession,
                           on: Annotated[dt.date | None, Query(description="YYYY-MM-DD：该日的条目（默认今天）/ "
                                                                           "the entry on that day (default today)")] = None):
    """一家企业在某日的条目：在名单上或已移出；从未列入则 404。
    One enterprise's entry on a day: listed, or removed; 404 when it never was on the list by then."""
    return service.service_list_entry(session, uscc, on or today())


@router.post("/service-list/rebuild", response_model=RebuildPublic,
             summary="按今日门槛重新判定名单 / re-judge every entry against the threshold in force today")
def rebuild_service_list(who: Manager, session: WriteSession):
    """按今天生效的门槛重新判定每个条目，变更的条目通知银行。
    Re-judge every entry against today's threshold; each changed entry is announced to the banks."""
    return {"changed": service.rebuild_service_list(session, today(), who.actor)}
