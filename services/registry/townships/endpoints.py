"""Township routes: the fixed, dated list of Fangshan's towns, townships and street offices."""
import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from services.registry.townships.schemas import TownshipList, TownshipPublic
from shared.auth import ROLES, Caller
from shared.clock import today
from shared.townships import UNCONFIRMED, valid_on

router = APIRouter(tags=["registry"])
AnyRole = Caller(*ROLES)


@router.get("/townships", summary="乡镇（街道）名单及代码 / The townships with their codes")
def list_townships(who: AnyRole, on: Annotated[dt.date | None, Query(
        description="名单对应的日期，默认今天 / the list on this date; default today")] = None) -> TownshipList:
    """房山区的乡镇、街道与燕山地区（固定名单，按日期）；登记与导入的乡镇均映射到其中一项。/ Fangshan's
    towns, townships, street offices and 燕山 (a fixed, dated list); every township a form or an
    import records is mapped to one of them. Any signed-in role may read it."""
    on = on or today()
    items = [TownshipPublic(code=t.code or None, name=t.name, kind=t.kind, valid_from=t.valid_from,
                            valid_to=t.valid_to, code_confirmed=bool(t.code) and t.code not in UNCONFIRMED)
             for t in sorted(valid_on(on), key=lambda t: (t.code or "9", t.name))]
    return TownshipList(on=on, items=items)
