"""事件与死信: each service's outbox backlog and its dead letters (events its handlers could not apply),
read by econ and the auditor; econ replays a dead letter once its cause is fixed. The services keep
both (GET /admin/events, POST /admin/dead-letters/{id}/replay); the portal names the events."""
from __future__ import annotations

import asyncio
import functools
from typing import Annotated

from fastapi import APIRouter, Request

from services.portal.backend import SERVICE_NAMES
from services.portal.pages.common import CsrfChecked, api, attempt, back_to, optional, page_user, render
from services.portal.session import PortalError, User, flash

router = APIRouter()
OUTCOMES = {"handled": "已处理", "duplicate": "此前已处理，未重复生效"}


@functools.cache
def event_titles() -> dict[str, str]:
    """Each event subject's Chinese title (the contract's TITLE_ZH, before its explanation)."""
    from shared.asyncapi import all_models
    return {m.subject(): (getattr(m, "TITLE_ZH", None) or m.subject()).split("：")[0] for m in all_models()}


@router.get("/events")
async def events(request: Request, user: Annotated[User, page_user("events")]):
    a = api(request, user)
    answers = await asyncio.gather(*(optional(a.get(s, "/admin/events")) for s in SERVICE_NAMES))
    services = [{"key": s, "name": name, "status": status}
                for (s, name), status in zip(SERVICE_NAMES.items(), answers)]
    return render(request, "events.html", services=services, titles=event_titles(),
                  open_letters=sum(1 for s in services for d in (s["status"] or {}).get("dead_letters", [])
                                   if not d["replayed_at"]))


@router.post("/events/{service}/{letter}/replay", dependencies=[CsrfChecked])
async def replay(request: Request, service: str, letter: int, user: Annotated[User, page_user("events")]):
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以重放死信。")
    if service not in SERVICE_NAMES:
        raise PortalError(404, "没有这个服务。")
    done, refusal = await attempt(api(request, user).post(service, f"/admin/dead-letters/{letter}/replay"))
    if refusal:
        flash(request, "error", f"{SERVICE_NAMES[service]}死信 {letter} 未重放成功：{refusal}")
    else:
        flash(request, "ok", f"{SERVICE_NAMES[service]}死信 {letter} 已重放：{OUTCOMES.get(done['outcome'], done['outcome'])}。")
    return back_to(request, f"/events#svc-{service}", "/events")
