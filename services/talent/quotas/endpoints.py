"""Quota routes: thin; the use cases are in service.py."""
from __future__ import annotations

from fastapi import APIRouter

from services.talent.auth import LiaisonReader
from services.talent.query import YearQuery
from services.talent.quotas import service
from services.talent.quotas.schemas import QuotaPublic
from shared.filters import UsccFilter
from shared import pagination
from shared.clock import today
from shared.pagination import Cursor, Limit
from shared.schemas import Page
from shared.sessions import ReadSession

router = APIRouter(tags=["talent"])
# An enterprise's liaison (role enterprise, org = its USCC) reads its own enterprise's quotas only.


def _after(cursor: str | None) -> tuple[str, int] | None:
    """Quotas page by (uscc, year): the cursor holds "uscc|year"."""
    key = pagination.decode(cursor)
    if key is None:
        return None
    uscc, _, year = key.partition("|")
    if not pagination.is_id(year):
        raise pagination.bad_cursor()
    return uscc, int(year)


@router.get("/quotas", summary="落户指标 / Household-registration quotas per enterprise and year",
            response_model_exclude_unset=True)
def list_quotas(who: LiaisonReader, session: ReadSession, uscc: UsccFilter = None, year: YearQuery = None,
                limit: Limit = 100, cursor: Cursor = None) -> Page[QuotaPublic]:
    """按（统一社会信用代码, 年度）排序的各企业各年度落户指标：授予、已使用、可用、是否失效、今日层级与授予依据；
    企业联络员只见本企业的。

    Each enterprise's quotas per year, ordered by (uscc, year): granted, used, available, lapsed, the
    tier today and the basis of the grant; an enterprise liaison sees its own enterprise's only."""
    items = service.list_quotas(session, who, today(), limit, _after(cursor), uscc and uscc.strip().upper(), year)
    return Page[QuotaPublic](**pagination.page(items, limit, key=lambda q: f"{q.uscc}|{q.year}"))
