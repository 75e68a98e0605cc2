"""Intermediary routes: the district's directory, service records, enterprises introduced."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from services.parks.auth import (
    IntermediaryReader,
    IntermediaryRegistrar,
    ParkAnnouncer,
    ServiceRecorder,
)
from services.parks.intermediaries import repository, service
from services.parks.intermediaries.schemas import (
    IntermediariesAnnounced,
    IntermediaryIn,
    IntermediaryPatch,
    IntermediaryPublic,
    ServiceRecordIn,
    ServiceRecordPublic,
)
from services.parks.parks import service as parks
from services.parks.parks.schemas import EnterprisePublic
from shared import pagination
from shared.clock import today
from shared.pagination import Cursor, Limit
from shared.schemas import Page
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["intermediaries"])


IntermediaryId = Annotated[int, Path(description="中介机构编号 / the intermediary's id")]


@router.post("/intermediaries", status_code=201,
             summary="登记中介机构或商协会 / Register an intermediary (中介机构) or association")
def create_intermediary(body: IntermediaryIn, who: IntermediaryRegistrar, session: WriteSession) -> IntermediaryPublic:
    """登记中介机构或商协会；名称已存在时 409。
    Register an intermediary or association; 409 when the name exists."""
    return service.create_intermediary(session, who.actor, body)


@router.get("/intermediaries", summary="全区中介机构和商协会名录 / The district's intermediaries and associations "
                                       "(a shared directory)")
def list_intermediaries(who: IntermediaryReader, session: ReadSession, limit: Limit = 100,
                        cursor: Cursor = None) -> Page[IntermediaryPublic]:
    """全区共用的名录（不按园区限定），按编号分页。
    The district's shared directory (not scoped by park), paged by id."""
    rows = repository.page(session, who, pagination.decode_id(cursor), limit)
    return pagination.page(rows, limit, key=lambda m: str(m.id))


@router.get("/intermediaries/{intermediary_id}", summary="中介机构详情 / One intermediary")
def get_intermediary(intermediary_id: IntermediaryId, who: IntermediaryReader,
                     session: ReadSession) -> IntermediaryPublic:
    """一家中介机构或商协会。
    One intermediary or association."""
    return repository.get(session, who, intermediary_id)


@router.patch("/intermediaries/{intermediary_id}", summary="修改中介机构名录信息 / Change an intermediary's entry",
              responses={409: {"description": "名称已属另一机构 / another intermediary has the name"}})
def update_intermediary(intermediary_id: IntermediaryId, body: IntermediaryPatch, who: IntermediaryRegistrar,
                        session: WriteSession) -> IntermediaryPublic:
    """只修改给出的字段（null 清空可选字段）；名称与其他机构重复时 409；留痕审计并公布 intermediary.changed.v1。
    Only the fields given change (null clears an optional one); 409 for another's name; audited and announced
    (intermediary.changed.v1)."""
    return service.update_intermediary(session, who.actor, repository.get_locked(session, who, intermediary_id), body)


@router.post("/admin/announce-intermediaries", summary="重新公布中介机构名录 / Announce every intermediary as it stands")
def announce_intermediaries(who: ParkAnnouncer, session: WriteSession) -> IntermediariesAnnounced:
    """每家机构一条 intermediary.changed.v1（当前版本）：奖励服务由此得知上线前已登记的机构；重复执行不改变其已有记录；留痕审计。
    One intermediary.changed.v1 per entry at its current version: the awards service learns the intermediaries
    registered before it listened; repeating it changes nothing there; audited."""
    return IntermediariesAnnounced(announced=service.announce_intermediaries(session, who.actor))


@router.post("/intermediaries/{intermediary_id}/services", status_code=201,
             summary="记录中介机构为企业提供的服务 / Record a service an intermediary gave an enterprise")
def add_service_record(intermediary_id: IntermediaryId, body: ServiceRecordIn, who: ServiceRecorder,
                       session: WriteSession) -> ServiceRecordPublic:
    """园区用户的记录总是本园区的（给出其他园区编号时 404）；服务日期晚于今天时 422。
    A park operator's record is always its own park's (another park's id is 404); 422 for a
    served_on after today."""
    return service.add_service_record(session, who, intermediary_id, body)


@router.get("/intermediaries/{intermediary_id}/services",
            summary="中介机构的服务记录（园区用户只见本园区的） / An intermediary's service records (a park "
                    "operator sees its own park's)")
def list_service_records(intermediary_id: IntermediaryId, who: IntermediaryReader, session: ReadSession,
                         limit: Limit = 100, cursor: Cursor = None) -> Page[ServiceRecordPublic]:
    """按编号分页；园区用户只看到本园区的记录。
    Paged by id; a park operator sees only its own park's records."""
    after = pagination.decode_id(cursor)
    repository.get(session, who, intermediary_id)
    rows = repository.records_page(session, who, intermediary_id, after, limit)
    return pagination.page(rows, limit, key=lambda r: str(r.id))


@router.get("/intermediaries/{intermediary_id}/introduced",
            summary="中介机构引荐入区的企业 / Enterprises the intermediary introduced (引荐入区), by the "
                    "registry's `introducer` (its name or USCC); a park operator sees those in its own park")
def list_introduced(intermediary_id: IntermediaryId, who: IntermediaryReader, session: ReadSession,
                    limit: Limit = 100, cursor: Cursor = None) -> Page[EnterprisePublic]:
    """企业库记录的引荐机构为本机构名称或统一社会信用代码的企业，按统一社会信用代码分页，层级为今天的；
    园区用户只看到本园区的企业。
    The enterprises whose newest registry record names this intermediary (its name or USCC) as
    introducer, paged by USCC, with today's tier; a park operator sees those in its own park."""
    after = pagination.decode(cursor)
    m = repository.get(session, who, intermediary_id)
    usccs = repository.introduced_page(session, who, m, after, limit)
    return pagination.page(parks.enterprises(session, usccs, today()), limit, key=lambda e: e.uscc)
