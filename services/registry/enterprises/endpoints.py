"""Enterprise routes: thin; the use cases are in service.py."""
import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from services.registry.auth import Reader, Writer
from services.registry.certifications.schemas import CertTier
from services.registry.enterprises import repository, service
from services.registry.enterprises.schemas import EnterpriseIn, EnterprisePublic
from shared import pagination
from shared.clock import today
from shared.errors import not_found
from shared.paths import UsccKey
from shared.schemas import Page
from shared.sessions import DatabaseDep, ReadSession

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
async def get_enterprise(uscc: UsccKey, who: Reader, request: Request,
                         on: Annotated[dt.date | None, Query(
                             description="按此日期计算层级，默认今天 / the tier on this date; default today")] = None):
    """企业的登记信息、当日层级与全部认定（热点读取路径：一次主键查询）。/ The enterprise, its tier on
    a date and every certification (the hot read path: one primary-key lookup of a stored document)."""
    # app.state.db, not a dependency: one parameter less to resolve on the busiest route (docs/benchmarks.md)
    row = await request.app.state.db.fetch_one(repository.READ_DOC, {"uscc": uscc})
    if row is None or not repository.may_read(who, row[1]):
        raise not_found("企业", "Enterprise", uscc)
    return Response(service.render_doc(row[0], on or today()), media_type="application/json")


@router.get("/enterprises", summary="企业列表与检索（游标分页） / List and search enterprises (cursor pagination)")
def list_enterprises(who: Reader, session: ReadSession, limit: pagination.Limit = 100,
                     cursor: pagination.Cursor = None,
                     tier: Annotated[CertTier | None, Query(description="只列当前为此层级的企业 / only "
                                                                        "enterprises now at this tier")] = None,
                     township: Annotated[str | None, Query(max_length=50, description="乡镇（街道） / township")] = None,
                     park_id: Annotated[str | None, Query(max_length=64, description="园区编号 / park id")] = None,
                     q: Annotated[str | None, Query(max_length=100, description="名称包含，或统一社会信用代码开头 / "
                                                                                "name contains, or USCC starts with")] = None,
                     ) -> Page[EnterprisePublic]:
    """按统一社会信用代码排序的企业（园区只见本园区）。/ Enterprises by USCC (a park sees its own)."""
    stmt = repository.search(who, pagination.decode(cursor), township, park_id, q)
    items = service.find(session, stmt, tier, limit, today())
    return pagination.page(items, limit, key=lambda e: e.uscc)
