"""The banks' service list: today's list by tier, a bank's sync view (every entry changed since a
date, removed ones included), its XLSX, and the financial office's rebuild against the records."""
from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from services.portal.labels import TIER_LABELS
from services.portal.pages.common import CsrfChecked, api, attempt, back_to, day_of, page_user, render
from services.portal.session import PortalError, User, flash

router = APIRouter()
# Why an entry is off the list, as finance says it (shared.contracts.finance.REMOVAL_REASON).
REMOVED_REASONS = {"moved_out": "企业迁出本区", "closed": "企业注销", "revoked": "称号被撤销", "lapsed": "称号有效期届满",
                   "threshold": "名单门槛提高", "voided": "认定记录作废，视为从未列入"}


@router.get("/service-list")
async def service_list(request: Request, user: Annotated[User, page_user("service_list")], tier: str = "",
                       cursor: str = "", changed_since: str = ""):
    if tier and tier not in TIER_LABELS:
        tier = ""
    since, bad = day_of(changed_since, "变更起始日期")
    if bad:
        return render(request, "service_list.html", 422, page={"items": []}, total=(0, False), tier=tier,
                      tiers=TIER_LABELS, changed_since=changed_since, errors={"changed_since": bad},
                      reasons=REMOVED_REASONS, form_id=uuid.uuid4().hex)
    a = api(request, user)
    page, total = await asyncio.gather(
        a.get("finance", "/service-list", tier=tier, cursor=cursor, limit=100, changed_since=since or None),
        a.count("finance", "/service-list", tier=tier, changed_since=since or None))
    return render(request, "service_list.html", page=page, total=total, tier=tier, tiers=TIER_LABELS,
                  changed_since=since or "", errors={}, reasons=REMOVED_REASONS, form_id=uuid.uuid4().hex)


@router.get("/service-list.xlsx")
async def service_list_xlsx(request: Request, user: Annotated[User, page_user("service_list")], tier: str = "",
                            changed_since: str = ""):
    since, bad = day_of(changed_since, "变更起始日期")
    if bad:
        raise PortalError(422, bad)
    r = await api(request, user).download("finance", "/service-list/export.xlsx",
                                          tier=tier if tier in TIER_LABELS else None, changed_since=since or None)
    return Response(r.content, headers={k: v for k, v in r.headers.items()
                                        if k.lower() in ("content-type", "content-disposition")})


@router.post("/service-list/rebuild", dependencies=[CsrfChecked])
async def rebuild(request: Request, user: Annotated[User, page_user("service_list")],
                  form_id: Annotated[str, Form()] = ""):
    """The financial office re-judges the list against the records and today's threshold."""
    if user.role != "finance":
        raise PortalError(403, "只有区金融服务办可以重新核对名单。")
    done, refused = await attempt(api(request, user).post(
        "finance", "/service-list/rebuild", idempotency_key=f"portal-{form_id}" if form_id else None))
    if refused:
        flash(request, "error", f"重新核对未完成：{refused}")
    else:
        flash(request, "ok", f"已按各企业最新记录与当前门槛重新核对名单：{done['changed']} 家企业的名单状态有变化，"
                             "已通知各银行。" if done["changed"] else "已重新核对名单：没有企业的名单状态变化。")
    return back_to(request, "/service-list", "/service-list")
