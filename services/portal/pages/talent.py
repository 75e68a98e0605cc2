"""Household-registration quotas and talent nominations."""
from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from services.portal.backend import ServiceError
from services.portal.labels import NOMINATION_ACTIONS, NOMINATION_CATEGORIES, NOMINATION_NEXT
from services.portal.names import names_of
from services.portal.pages.common import CsrfChecked, api, page_user, render
from services.portal.session import PortalError, User, flash
from shared.clock import today

router = APIRouter()


# The actions each role may take on a nomination in each state (the talent service decides): the
# office moves it on; an enterprise's liaison only withdraws its own (and nominates, below).
def nomination_actions(role: str) -> dict[str, list[str]]:
    if role == "talent":
        return NOMINATION_NEXT
    if role == "enterprise":
        return {state: ["withdraw"] for state in NOMINATION_NEXT}
    return {}


def talent_url(year: str = "") -> str:
    y = year.strip()
    return f"/talent?year={y}" if y.isascii() and y.isdigit() else "/talent"


@router.get("/talent")
async def talent(request: Request, user: Annotated[User, page_user("talent")], year: str = "", state: str = ""):
    a = api(request, user)
    y = int(year) if year.isascii() and year.isdigit() and len(year) <= 9 else None  # not "²": isdigit() but not int()
    quotas, noms = await asyncio.gather(a.all("talent", "/quotas", year=y, cap=1000),
                                        a.all("talent", "/nominations", year=y, state=state or None, cap=1000))
    await names_of(request).load(usccs=[q.get("uscc") for q in quotas] + [n.get("uscc") for n in noms]
                                 + [o.get("uscc") for n in noms for o in n.get("same_person") or []])
    return render(request, "talent.html", quotas=quotas, noms=noms, year=year, state=state,
                  actions=NOMINATION_ACTIONS, next_actions=nomination_actions(user.role), form_id=uuid.uuid4().hex,
                  categories=NOMINATION_CATEGORIES, this_year=today().year,
                  open_quota_years=sorted({q["year"] for q in quotas if q.get("available") and not q.get("lapsed")}))


@router.post("/talent/nominations", dependencies=[CsrfChecked])
async def nominate(request: Request, user: Annotated[User, page_user("talent")],
                   year: Annotated[str, Form()] = "", category: Annotated[str, Form()] = "",
                   name: Annotated[str, Form()] = "", id_number: Annotated[str, Form()] = "",
                   education: Annotated[str, Form()] = "", post: Annotated[str, Form()] = "",
                   form_id: Annotated[str, Form()] = ""):
    """An enterprise's liaison nominates a person on its own quota; the answer shows the ID masked.
    The resident ID number goes to the talent service only: never into a flash, a log or the session."""
    if user.role != "enterprise":
        raise PortalError(403, "只有企业联络员可以提交本企业的人才推荐。")
    missing = [label for label, v in (("年度", year), ("人才类别", category), ("姓名", name),
                                      ("身份证号码", id_number), ("学历", education), ("岗位", post)) if not v.strip()]
    if missing:
        flash(request, "error", f"人才推荐未提交：请填写{'、'.join(missing)}。")
        return RedirectResponse(talent_url(year), status_code=303)
    y = year.strip()
    body = {"uscc": user.org, "year": int(y) if y.isascii() and y.isdigit() and len(y) <= 9 else y,
            "category": category.strip(),
            "person": {"name": name.strip(), "id_number": id_number.strip().upper(), "education": education.strip(),
                       "post": post.strip()}}
    key = f"portal-{form_id}-nominate" if form_id else None
    try:
        n = await api(request, user).post("talent", "/nominations", json=body, idempotency_key=key)
    except ServiceError as e:
        if e.status == 401:
            raise
        flash(request, "error", f"人才推荐未提交：{e.said()}")
    else:
        person = n.get("person") or {}
        flash(request, "ok", f"已提交人才推荐 {n['id']}：{person.get('name', '')}"
                             f"（身份证号 {person.get('id_number_masked', '已隐去')}），{n['year']} 年度，等待人才办审核。")
    return RedirectResponse(talent_url(year), status_code=303)


@router.post("/talent/nominations/{nomination_id}/{action}", dependencies=[CsrfChecked])
async def nomination_action(request: Request, nomination_id: int, action: str,
                            user: Annotated[User, page_user("talent")], reason: Annotated[str, Form()] = "",
                            form_id: Annotated[str, Form()] = "", year: Annotated[str, Form()] = ""):
    if action not in NOMINATION_ACTIONS:
        raise PortalError(404, "不支持的操作。")
    body = {"reason": reason.strip()} if reason.strip() else {}
    key = f"portal-{form_id}-{nomination_id}-{action}" if form_id else None
    try:
        await api(request, user).post("talent", f"/nominations/{nomination_id}/{action}", json=body,
                                      idempotency_key=key)
    except ServiceError as e:
        if e.status == 401:
            raise
        flash(request, "error", f"推荐 {nomination_id} {NOMINATION_ACTIONS[action]}未成功：{e.said()}")
    else:
        flash(request, "ok", f"推荐 {nomination_id} 已{NOMINATION_ACTIONS[action]}。")
    return RedirectResponse(talent_url(year), status_code=303)
