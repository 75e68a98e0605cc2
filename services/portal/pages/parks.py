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
from services.portal.pages.common import (
    CsrfChecked,
    api,
    attempt,
    attempt_fields,
    back_to,
    decimal_units,
    optional,
    page_user,
    render,
    seg,
)
from services.portal.session import PortalError, User, flash
from shared.clock import today

router = APIRouter()


FIELDS = {"name": "园区名称", "operator_org": "运营主体", "area_mu": "占地面积（亩）", "township": "所在乡镇（街道）"}


def park_body(form: dict) -> tuple[dict, dict[str, str]]:
    """A park's entry as typed: the service's body (area in 亩 sent as a decimal string, exactly) and
    what is wrong, field by field."""
    typed = {k: str(form.get(k, "")).strip() for k in FIELDS}
    errors = {}
    if not typed["name"]:
        errors["name"] = "请填写园区名称。"
    area = typed["area_mu"].replace(",", "")
    if area and decimal_units(area, 2) is None:
        errors["area_mu"] = "占地面积应为不小于 0 的数，最多两位小数，如 1300 或 85.5。"
    return {**typed, "area_mu": area}, errors


async def _parks(request: Request, user: User, status: int = 200, **ctx):
    a = api(request, user)
    items, towns = await asyncio.gather(a.all("parks", "/parks", cap=500), a.get("registry", "/townships"))
    return render(request, "parks.html", status, parks=items, townships=towns["items"], fields=FIELDS,
                  form_id=uuid.uuid4().hex, **ctx)


@router.get("/parks")
async def parks(request: Request, user: Annotated[User, page_user("parks")]):
    if user.role == "park":
        return RedirectResponse(f"/parks/{quote(user.org or '', safe='')}", status_code=303)
    return await _parks(request, user)


@router.post("/parks", dependencies=[CsrfChecked])
async def register_park(request: Request, user: Annotated[User, page_user("parks")]):
    """econ registers a park; what is wrong beside its field (the parks service's refusal too: a name
    taken), nothing recorded."""
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以登记园区。")
    form = await request.form()
    typed, errors = park_body(form)
    if not errors:
        body = {k: v for k, v in typed.items() if v}
        made, errors = await attempt_fields(api(request, user).post(
            "parks", "/parks", json=body, idempotency_key=f"portal-{form.get('form_id')}" if form.get("form_id") else None),
            FIELDS)
        if not errors:
            flash(request, "ok", f"已登记园区：{made['name']}。")
            return back_to(request, f"/parks/{quote(made['id'], safe='')}", "/parks")
    return await _parks(request, user, 422, errors=errors, typed=typed)


@router.post("/parks/{park_id}/entry", dependencies=[CsrfChecked])
async def edit_park(request: Request, park_id: str, user: Annotated[User, page_user("parks")]):
    """econ, or the park itself, corrects the park's entry: only the fields that differ are sent (an
    emptied optional field cleared); what is wrong beside its field."""
    if user.role not in ("econ", "park"):
        raise PortalError(403, f"您当前的角色（{ROLE_LABELS.get(user.role, user.role)}）不能修改园区信息。")
    a = api(request, user)
    pid = seg(park_id, "园区")
    current = await a.get("parks", f"/parks/{pid}")
    typed, errors = park_body(await request.form())
    if not errors:
        was = {k: "" if current.get(k) is None else str(current[k]) for k in FIELDS}
        if was["area_mu"] and typed["area_mu"] and decimal_units(was["area_mu"], 2) == decimal_units(typed["area_mu"], 2):
            typed["area_mu"] = was["area_mu"]  # 1300 and 1300.0 are the same area
        body = {k: (v or None) for k, v in typed.items() if v != was[k]}
        if not body:
            flash(request, "ok", "园区信息没有修改。")
            return back_to(request, f"/parks/{pid}#entry", "/parks")
        _, errors = await attempt_fields(a.patch("parks", f"/parks/{pid}", json=body), FIELDS)
        if not errors:
            flash(request, "ok", f"已修改园区信息：{typed['name']}。")
            return back_to(request, f"/parks/{pid}#entry", "/parks")
    return await park_page(request, user, park_id, 422, entry_errors=errors, entry=typed)


@router.post("/parks/{park_id}/incubations/{incubation_id}/graduation", dependencies=[CsrfChecked])
async def graduate(request: Request, park_id: str, incubation_id: str, user: Annotated[User, page_user("parks")],
                   graduated_on: Annotated[str, Form()] = ""):
    """An incubated enterprise leaves the incubator (出孵); the parks service checks the date."""
    if user.role not in INCUBATION_WRITERS:
        raise PortalError(403, f"您当前的角色（{ROLE_LABELS.get(user.role, user.role)}）不能登记出孵。")
    pid = seg(park_id, "园区")
    error = "请填写出孵日期。" if not graduated_on.strip() else None
    if error is None:
        _, error = await attempt(api(request, user).post(
            "parks", f"/parks/{pid}/incubations/{seg(incubation_id, '入孵记录')}/graduation",
            json={"graduated_on": graduated_on.strip()}))
    if error:
        return await park_page(request, user, park_id, 422, graduation_errors={incubation_id: error},
                               graduation_typed={incubation_id: graduated_on})
    flash(request, "ok", f"已登记出孵，出孵日期 {graduated_on.strip()}。")
    return back_to(request, f"/parks/{pid}#inc", "/parks")


@router.get("/parks/{park_id}")
async def park(request: Request, park_id: str, user: Annotated[User, page_user("parks")]):
    return await park_page(request, user, park_id)


async def park_page(request: Request, user: User, park_id: str, status: int = 200, **extra):
    """The park, its enterprises by tier, incubation, its designations and today's featured-park
    assessment (考核, explained per dimension); `extra`: a refused form's error and input."""
    a = api(request, user)
    park_id = seg(park_id, "园区")
    p = await a.get("parks", f"/parks/{park_id}")
    ents, incubations, designations, assessment, summary, towns = await asyncio.gather(
        a.all("parks", f"/parks/{park_id}/enterprises", cap=2000),
        optional(a.all("parks", f"/parks/{park_id}/incubations", cap=2000)),
        optional(a.get("parks", f"/parks/{park_id}/designations")),
        optional(a.get("parks", f"/parks/{park_id}/assessment", on=today().isoformat())),
        optional(a.get("parks", f"/parks/{park_id}/incubations/summary", year=today().year)),
        a.get("registry", "/townships"))
    bars = charts.bars([(TIER_LABELS[t], p.get("counts", {}).get(t, 0)) for t in TIER_ORDER])
    return render(request, "park.html", status, p=p, ents=ents, bars=bars, incubations=incubations,
                  designations=(designations or {}).get("items"), assessment=assessment,
                  may_record=user.role in INCUBATION_WRITERS, today=today().isoformat(), form_id=uuid.uuid4().hex,
                  summary=summary, townships=towns["items"], fields=FIELDS, may_edit=user.role in ("econ", "park"),
                  **extra)


@router.post("/parks/{park_id}/designate", dependencies=[CsrfChecked])
async def designate(request: Request, park_id: str, user: Annotated[User, page_user("parks")],
                    designated_on: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
                    form_id: Annotated[str, Form()] = ""):
    """认定专精特新特色园区 (econ): the parks service assesses the park on that date and stores it; a park
    that does not pass needs a reason (its refusal is said beside the form)."""
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以认定特色园区。")
    typed = {"designated_on": designated_on, "reason": reason}
    error = "请填写认定日期。" if not designated_on.strip() else None
    if error is None:
        body = {"designation": "srdi_featured", "designated_on": designated_on.strip(),
                **({"reason": reason.strip()} if reason.strip() else {})}
        _, error = await attempt(api(request, user).post(
            "parks", f"/parks/{seg(park_id, '园区')}/designations", json=body,
            idempotency_key=f"portal-{form_id}-designate" if form_id else None))
    if error:
        return await park_page(request, user, park_id, 422, designate_error=error, typed=typed)
    flash(request, "ok", "已认定为专精特新特色园区（考核结果随认定保存）。")
    return back_to(request, f"/parks/{seg(park_id, '园区')}#designations", "/parks")


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
