"""The district's intermediaries and associations (中介机构、商协会): the shared directory, econ's form
to register one, and the services they gave enterprises (a park records and reads its own park's).
The parks service keeps the directory and scopes the records."""
from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Request

from services.portal.names import names_of
from services.portal.pages.common import CsrfChecked, api, attempt, back_to, optional, page_user, render
from services.portal.session import PortalError, User, flash
from shared.validators import reason_zh, uscc_error

router = APIRouter()
KINDS = {"intermediary": "中介机构", "association": "商协会"}
CATEGORIES = {"declaration": "申报辅导", "finance": "融资服务", "ip": "知识产权", "legal": "法律服务", "talent": "人才服务",
              "technology": "技术服务", "training": "培训", "market": "市场开拓", "other": "其他"}


async def _list(request: Request, user: User, status: int = 200, **ctx):
    page = await api(request, user).get("parks", "/intermediaries", limit=200)
    return render(request, "intermediaries.html", status, items=page["items"], kinds=KINDS,
                  form_id=uuid.uuid4().hex, **ctx)


@router.get("/intermediaries")
async def intermediaries(request: Request, user: Annotated[User, page_user("intermediaries")]):
    return await _list(request, user)


@router.post("/intermediaries", dependencies=[CsrfChecked])
async def register(request: Request, user: Annotated[User, page_user("intermediaries")]):
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以登记中介机构。")
    form = {k: str(v) for k, v in (await request.form()).items()}
    error = "请填写名称。" if not form.get("name", "").strip() else None
    code = form.get("uscc", "").strip().upper()
    if error is None and code and (bad := uscc_error(code)):
        error = f"统一社会信用代码无效：{reason_zh(bad)}"
    if error is None:
        body = {"name": form["name"].strip(), "kind": form.get("kind") if form.get("kind") in KINDS else "intermediary",
                **({"uscc": code} if code else {}),
                **({"contact": form["contact"].strip()} if form.get("contact", "").strip() else {})}
        m, error = await attempt(api(request, user).post(
            "parks", "/intermediaries", json=body,
            idempotency_key=f"portal-{form.get('form_id')}" if form.get("form_id") else None))
        if error is None:
            flash(request, "ok", f"已登记：{m['name']}。")
            return back_to(request, f"/intermediaries/{m['id']}", "/intermediaries")
    return await _list(request, user, 422, error=error, typed=form)


async def _detail(request: Request, user: User, mid: int, status: int = 200, **ctx):
    a = api(request, user)
    m = await a.get("parks", f"/intermediaries/{mid}")
    records, introduced = await asyncio.gather(
        optional(a.get("parks", f"/intermediaries/{mid}/services", limit=200), {"items": []}),
        optional(a.all("parks", f"/intermediaries/{mid}/introduced", cap=1000), []))
    await names_of(request).load(usccs=[r["uscc"] for r in (records or {}).get("items", [])], parks=True)
    return render(request, "intermediary.html", status, m=m, records=(records or {}).get("items", []), kinds=KINDS,
                  categories=CATEGORIES, introduced=introduced, form_id=uuid.uuid4().hex, **ctx)


@router.get("/intermediaries/{mid}")
async def intermediary(request: Request, mid: int, user: Annotated[User, page_user("intermediaries")]):
    return await _detail(request, user, mid)


@router.post("/intermediaries/{mid}/services", dependencies=[CsrfChecked])
async def record_service(request: Request, mid: int, user: Annotated[User, page_user("intermediaries")]):
    """A service the intermediary gave an enterprise (a park: its own park's); refusals beside the form."""
    if user.role not in ("econ", "park"):
        raise PortalError(403, "只有区经信局和园区可以登记服务记录。")
    form = {k: str(v) for k, v in (await request.form()).items()}
    code = form.get("uscc", "").strip().upper()
    missing = [label for k, label in (("uscc", "企业信用代码"), ("served_on", "服务日期"), ("category", "服务类别"))
               if not form.get(k, "").strip()]
    error = f"请填写{'、'.join(missing)}。" if missing else None
    if error is None:
        body = {"uscc": code, "served_on": form["served_on"], "category": form["category"],
                **{k: form[k].strip() for k in ("description", "outcome") if form.get(k, "").strip()}}
        _, error = await attempt(api(request, user).post(
            "parks", f"/intermediaries/{mid}/services", json=body,
            idempotency_key=f"portal-{form.get('form_id')}" if form.get("form_id") else None))
        if error is None:
            flash(request, "ok", "服务记录已登记。")
            return back_to(request, f"/intermediaries/{mid}#records", "/intermediaries")
    return await _detail(request, user, mid, 422, error=error, typed=form)


@router.post("/intermediaries/{mid}", dependencies=[CsrfChecked])
async def change(request: Request, mid: int, user: Annotated[User, page_user("intermediaries")]):
    """Econ corrects a directory entry (parks PATCH: only what differs is sent, an emptied optional
    field is cleared); refusals beside the form, nothing changed."""
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以修改中介机构名录。")
    form = {k: str(v) for k, v in (await request.form()).items()}
    a = api(request, user)
    m = await a.get("parks", f"/intermediaries/{mid}")
    typed = {"name": form.get("name", "").strip(), "kind": form.get("kind", "").strip(),
             "uscc": form.get("uscc", "").strip().upper(), "contact": form.get("contact", "").strip()}
    error = "请填写名称。" if not typed["name"] else None
    if error is None and typed["kind"] not in KINDS:
        error = "请选择类别（中介机构或商协会）。"
    if error is None and typed["uscc"] and (bad := uscc_error(typed["uscc"])):
        error = f"统一社会信用代码无效：{reason_zh(bad)}"
    if error is None:
        body = {k: (v or None) for k, v in typed.items() if v != (m.get(k) or "")}
        if not body:
            flash(request, "ok", "没有修改。")
            return back_to(request, f"/intermediaries/{mid}", "/intermediaries")
        _, error = await attempt(a.patch("parks", f"/intermediaries/{mid}", json=body))
        if error is None:
            flash(request, "ok", f"已修改中介机构信息：{typed['name']}。")
            return back_to(request, f"/intermediaries/{mid}", "/intermediaries")
    return await _detail(request, user, mid, 422, edit_error=error, edit=typed)
