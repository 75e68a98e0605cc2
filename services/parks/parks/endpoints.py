"""Parks routes: register, list, read and edit parks; the enterprises the registry places in a park."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.parks.auth import ParkAnnouncer, ParkEditor, ParkReader, ParkRegistrar
from services.parks.parks import repository, service
from services.parks.parks.schemas import (AnnouncedPublic, EnterprisePublic, ParkDetail, ParkIn, ParkPatch,
                                         ParkPublic)
from services.parks.query import On, ParkIdPath
from shared import pagination
from shared.clock import today
from shared.pagination import Cursor, Limit
from shared.schemas import Page
from shared.sessions import ReadSession, WriteSession
from shared.tiers import Tier

router = APIRouter(tags=["parks"])


Township = Annotated[str | None, Query(max_length=50, description="乡镇（街道） / township")]
TierQuery = Annotated[Tier | None, Query(description="只列出 on 当日处于该层级的企业 / only those at this "
                                                     "tier on `on`")]


@router.post("/parks", status_code=201, summary="登记园区 / Register a park")
def create_park(body: ParkIn, who: ParkRegistrar, session: WriteSession) -> ParkPublic:
    """登记园区，编号由本服务生成（park- 加 8 位十六进制）；名称已存在时 409。
    Register a park with a generated id (park- and 8 hex); 409 when the name exists."""
    return service.create_park(session, who.actor, body)


@router.get("/parks", summary="园区列表（园区用户只见本园区） / List parks (a park operator sees its own)")
def list_parks(who: ParkReader, session: ReadSession, limit: Limit = 100, cursor: Cursor = None,
               township: Township = None) -> Page[ParkPublic]:
    """按编号分页列出园区；园区用户只看到本园区。
    Parks, keyset by id; a park operator sees only its own."""
    rows = repository.page(session, who, pagination.decode(cursor), limit, township)
    return pagination.page(rows, limit, key=lambda p: p.id)


@router.get("/parks/{park_id}", summary="园区详情：企业、各层级企业数与认定 / One park with its enterprises, "
                                        "counts per tier (today, or on `on`) and designations")
def get_park(park_id: ParkIdPath, who: ParkReader, session: ReadSession, on: On = None) -> ParkDetail:
    """园区及企业库登记在园区的企业（前 500 家）、on 当日（默认今天）各层级企业数和园区获得的认定。
    The park, the enterprises the registry places in it (the first 500), counts per tier on `on`
    (default today) and its designations."""
    return service.park_detail(session, who, repository.get(session, who, park_id), on or today())


@router.patch("/parks/{park_id}", summary="修改园区登记信息（园区用户：本园区） / Change a park's register entry "
                                          "(a park operator: its own park)",
              responses={409: {"description": "名称已属另一园区 / another park has the name"}})
def update_park(park_id: ParkIdPath, body: ParkPatch, who: ParkEditor, session: WriteSession) -> ParkPublic:
    """只修改给出的字段（null 清空可选字段）；名称与其他园区重复时 409；留痕审计。
    Only the fields given change (null clears an optional one); 409 for another park's name; audited."""
    return service.update_park(session, who.actor, repository.get(session, who, park_id, lock=True), body)


@router.get("/parks/{park_id}/enterprises",
            summary="园区企业及其层级 / The enterprises the registry places in the park, with their tiers today "
                    "(or on `on`)")
def list_enterprises(park_id: ParkIdPath, who: ParkReader, session: ReadSession, limit: Limit = 100,
                     cursor: Cursor = None, tier: TierQuery = None, on: On = None) -> Page[EnterprisePublic]:
    """企业库登记在园区的企业，按统一社会信用代码分页，层级按 on 当日（默认今天）由企业库记录计算。
    The enterprises the registry places in the park, paged by USCC, each with its tier on `on`
    (default today) computed from the registry's record."""
    p = repository.get(session, who, park_id)
    items = service.park_enterprises(session, p, on or today(), tier and tier.value,
                                     pagination.decode(cursor), limit)
    return pagination.page(items, limit, key=lambda e: e.uscc)


@router.post("/admin/announce-parks", summary="重新公布全部园区 / Announce every park as it stands")
def announce_parks(who: ParkAnnouncer, session: WriteSession) -> AnnouncedPublic:
    """每个园区一条 park.recorded.v1（当前版本）：企业库由此得知上线前已有的园区。重复执行不改变企业库
    已有的园区（它只保留更新的版本）；留痕审计。/ One park.recorded.v1 per park at its current
    version: the registry learns the parks that existed before it listened. Repeating it changes
    nothing there (it keeps the newest version); audited."""
    return AnnouncedPublic(announced=service.announce_parks(session, who.actor))
