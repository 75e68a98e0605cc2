"""Parks, their enterprises, and incubation records."""
from __future__ import annotations

import asyncio
import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from services.portal import charts
from services.portal.backend import ServiceError
from services.portal.labels import ROLE_LABELS, TIER_LABELS, TIER_ORDER
from services.portal.pages.common import CsrfChecked, api, optional, page_user, render, seg
from services.portal.session import PortalError, User, flash
from shared.clock import today

router = APIRouter()


@router.get("/parks")
async def parks(request: Request, user: Annotated[User, page_user("parks")]):
    if user.role == "park":
        return RedirectResponse(f"/parks/{quote(user.org or '', safe='')}", status_code=303)
    items = await api(request, user).all("parks", "/parks", cap=500)
    return render(request, "parks.html", parks=items)


@router.get("/parks/{park_id}")
async def park(request: Request, park_id: str, user: Annotated[User, page_user("parks")]):
    a = api(request, user)
    park_id = seg(park_id, "园区")
    p = await a.get("parks", f"/parks/{park_id}")
    ents, incubations = await asyncio.gather(a.all("parks", f"/parks/{park_id}/enterprises", cap=2000),
                                             optional(a.all("parks", f"/parks/{park_id}/incubations", cap=2000)))
    bars = charts.bars([(TIER_LABELS[t], p.get("counts", {}).get(t, 0)) for t in TIER_ORDER])
    return render(request, "park.html", p=p, ents=ents, bars=bars, incubations=incubations,
                  may_record=user.role in INCUBATION_WRITERS, today=today().isoformat(), form_id=uuid.uuid4().hex)


# Who records a park's incubation (the parks service checks again: a park operator, its own park).
INCUBATION_WRITERS = ("econ", "park")


@router.post("/parks/{park_id}/incubations", dependencies=[CsrfChecked])
async def record_incubation(request: Request, park_id: str, user: Annotated[User, page_user("parks")],
                            uscc: Annotated[str, Form()] = "", entered_on: Annotated[str, Form()] = "",
                            note: Annotated[str, Form()] = "", form_id: Annotated[str, Form()] = ""):
    """An enterprise entering the park's incubation: only one the registry places in this park (the
    parks service refuses any other, with the reason shown here)."""
    if user.role not in INCUBATION_WRITERS:
        raise PortalError(403, f"您当前的角色（{ROLE_LABELS.get(user.role, user.role)}）不能登记入孵。")
    back = f"/parks/{seg(park_id, '园区')}"
    missing = [label for label, v in (("统一社会信用代码", uscc), ("入孵日期", entered_on)) if not v.strip()]
    if missing:
        flash(request, "error", f"入孵未登记：请填写{'、'.join(missing)}。")
        return RedirectResponse(back, status_code=303)
    body = {"uscc": uscc.strip().upper(), "entered_on": entered_on.strip()}
    if note.strip():
        body["note"] = note.strip()
    key = f"portal-{form_id}-incubation" if form_id else None
    try:
        i = await api(request, user).post("parks", f"{back}/incubations", json=body, idempotency_key=key)
    except ServiceError as e:
        if e.status == 401:
            raise
        flash(request, "error", f"入孵未登记（{body['uscc']}）：{e.said()}")
    else:
        flash(request, "ok", f"已登记入孵：{i.get('name') or i['uscc']}，入孵日期 {i['entered_on']}。")
    return RedirectResponse(back, status_code=303)
