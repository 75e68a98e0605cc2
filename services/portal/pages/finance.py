"""The banks' service list."""
from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Request

from services.portal.labels import TIER_LABELS
from services.portal.pages.common import api, page_user, render
from services.portal.session import User

router = APIRouter()


@router.get("/service-list")
async def service_list(request: Request, user: Annotated[User, page_user("service_list")], tier: str = "",
                       cursor: str = ""):
    if tier and tier not in TIER_LABELS:
        tier = ""
    a = api(request, user)
    page, total = await asyncio.gather(a.get("finance", "/service-list", tier=tier, cursor=cursor, limit=100),
                                       a.count("finance", "/service-list", tier=tier))
    return render(request, "service_list.html", page=page, total=total, tier=tier, tiers=TIER_LABELS)
