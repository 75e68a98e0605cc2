"""Enterprise routes: thin; the use cases are in service.py."""
import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import StringConstraints

from services.registry.auth import OWN_READERS, LocalReader, OwnReader, Writer
from services.registry.certifications.schemas import CertTier
from services.registry.certifications import repository as certifications
from services.registry.enterprises import corrections, repository, service
from services.registry.enterprises.schemas import DepartureIn, EnterpriseChangeIn, EnterpriseIn, EnterprisePublic
from services.registry.townships.service import township_variants
from shared import pagination
from shared.clock import today
from shared.errors import not_found
from shared.hotpath import HotRead
from shared.paths import UsccKey
from shared.schemas import Page
from shared.sessions import DatabaseDep, ReadSession, WriteSession

router = APIRouter(tags=["registry"])


@router.post("/enterprises", status_code=201, summary="登记企业 / Register an enterprise")
def create_enterprise(body: EnterpriseIn, who: Writer, db: DatabaseDep) -> EnterprisePublic:
    """登记一家企业（统一社会信用代码已登记为 409）。/ Register an enterprise (409 when the USCC is
    already registered)."""
    def register(s):
        return service.public(service.create(s, who.actor, body), [], today())
    # A racing registration of the same USCC loses at the primary key (PostgreSQL): run again, it is a 409.
    return db.retrying(register)


@router.get("/enterprises/{uscc}", response_model=EnterprisePublic,
            summary="一家企业及其当前层级与认定 / One enterprise with its current tier and certifications")
async def get_enterprise(uscc: UsccKey, who: OwnReader, request: Request,
                         on: Annotated[dt.date | None, Query(
                             description="按此日期计算层级，默认今天 / the tier on this date; default today")] = None):
    """企业的登记信息、当日层级与全部认定（热点读取路径：一次主键查询）。/ The enterprise, its tier on
    a date and every certification (the hot read path: one primary-key lookup of a stored document)."""
    # app.state.db, not a dependency: one parameter less to resolve on the busiest route (docs/benchmarks.md)
    doc = await service.read_doc(request.app.state.db, who, uscc, on or today())
    if doc is None:
        raise not_found("企业", "Enterprise", uscc)
    return Response(doc, media_type="application/json")


async def _hot(state, who, key: str) -> bytes | None:
    return await service.read_doc(state.db, who, key.strip().upper(), today())


# The common case of the route above (a bare GET by an admitted role), answered before FastAPI's
# routing (shared.hotpath); every other case is the route's.
HOT_READ = HotRead("/enterprises/{uscc}", frozenset(OWN_READERS), _hot)


@router.get("/enterprises", summary="企业列表与检索（游标分页） / List and search enterprises (cursor pagination)")
def list_enterprises(who: LocalReader, session: ReadSession, limit: pagination.Limit = 100,
                     cursor: pagination.Cursor = None,
                     tier: Annotated[CertTier | None, Query(description="只列当前为此层级的企业 / only "
                                                                        "enterprises now at this tier")] = None,
                     township: Annotated[str | None, Query(max_length=50, description="乡镇（街道），写法不限（良乡、"
                                                                                      "良乡地区、良乡镇为同一乡镇） / "
                                                                                      "township, any common writing")] = None,
                     park_id: Annotated[str | None, Query(max_length=64, description="园区编号 / park id")] = None,
                     q: Annotated[str | None, Query(max_length=100, description="名称包含，或统一社会信用代码开头 / "
                                                                                "name contains, or USCC starts with")] = None,
                     uscc: Annotated[list[Annotated[str, StringConstraints(max_length=18)]] | None, Query(
                         max_length=100, description="只列这些统一社会信用代码（可重复，至多 100 个；如门户按代码取名称） / "
                                                     "only these USCCs (repeat, at most 100: a batch lookup, e.g. "
                                                     "names for codes)")] = None,
                     ) -> Page[EnterprisePublic]:
    """按统一社会信用代码排序的企业（园区只见本园区）。/ Enterprises by USCC (a park sees its own)."""
    townships = township_variants(session, township) if township else None  # 良乡 finds 良乡镇 too
    stmt = repository.search(who, pagination.decode(cursor), townships, park_id, q, uscc)
    items = service.find(session, stmt, tier, limit, today())
    return pagination.page(items, limit, key=lambda e: e.uscc)


@router.patch("/enterprises/{uscc}", summary="更正企业信息 / Correct an enterprise's facts")
def correct_enterprise(uscc: UsccKey, body: EnterpriseChangeIn, who: Writer, session: WriteSession) -> EnterprisePublic:
    """只改所给字段（名称、乡镇、园区、行业）；乡镇须为房山区乡镇（街道），园区须为园区服务已登记的园区
    （否则 422，不作任何更改）；有变化时版本加一、发布 enterprise.changed.v1 并记审计，无变化则什么也不
    发生。/ Change only the fields given (name, township, park, industry); the township must be one of
    Fangshan's and the park one parks has recorded (else 422, nothing changed). A change bumps the
    version, publishes enterprise.changed.v1 and is audited; no change does nothing."""
    e = corrections.correct(session, who.actor, uscc, body, today())
    return service.public(e, certifications.certifications_of(session, e.uscc), today())


@router.post("/enterprises/{uscc}/departure", summary="记录企业迁出或注销 / Record that an enterprise moved out or closed")
def record_departure(uscc: UsccKey, body: DepartureIn, who: Writer, session: WriteSession) -> EnterprisePublic:
    """记录迁出或注销（日期不晚于今天）：发布 enterprise.departed.v1（各部门暂停未兑付奖励、终止落户指标与
    服务名单）；已记录为 409。/ Record that it moved out or closed (not after today): publishes
    enterprise.departed.v1 (unpaid awards withheld, quotas and the service-list entry ended); 409 when
    already recorded."""
    e = corrections.depart(session, who.actor, uscc, body)
    return service.public(e, certifications.certifications_of(session, e.uscc), today())
