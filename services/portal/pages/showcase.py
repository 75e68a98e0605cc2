"""The showcase of new technologies and products (新技术新产品目录) of the outreach service: search it
(Chinese partial words, by category and maturity), econ adds an entry for a district enterprise,
and records a buyer's interest (an enterprise or a department) in one. Outreach keeps the catalogue
and checks every call; the portal shows suppliers and buyers by name and forwards."""
from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Request

from services.portal.names import names_of
from services.portal.pages.common import CsrfChecked, api, attempt, back_to, page_user, render
from services.portal.session import PortalError, User, flash
from shared.validators import reason_zh, uscc_error

router = APIRouter()
KINDS = {"product": "产品", "technology": "技术"}
MATURITY = {"research": "研发", "pilot": "中试", "mass_production": "量产", "deployed": "已应用"}
LIST_MAX = 20  # certifications and references: at most 20 each (outreach's limit)


def _key(form: dict) -> str | None:
    return f"portal-{form.get('form_id')}" if form.get("form_id") else None


def _uscc(text: str, errors: dict, key: str, required: bool) -> str:
    code = (text or "").strip().upper()
    if not code:
        if required:
            errors[key] = "请填写统一社会信用代码。"
    elif bad := uscc_error(code):
        errors[key] = f"统一社会信用代码无效（{reason_zh(bad)}）：{code[:30]}"
    return code


def _lines(text: str) -> list[str]:
    return [x.strip() for x in (text or "").replace("；", "\n").replace("、", "\n").splitlines() if x.strip()]


async def _list(request: Request, user: User, status: int = 200, **ctx):
    q = request.query_params
    query = {"q": q.get("q", "").strip()[:100], "category": q.get("category", "").strip()[:100],
             "maturity": q.get("maturity", "") if q.get("maturity", "") in MATURITY else ""}
    found = await api(request, user).get("outreach", "/products", limit=200, **query)
    items = found["items"]
    await names_of(request).load(usccs=[p["uscc"] for p in items])
    return render(request, "showcase.html", status, items=items, query=query, kinds=KINDS, maturity=MATURITY,
                  more=bool(found.get("next_cursor")), form_id=uuid.uuid4().hex, **ctx)


@router.get("/showcase")
async def showcase(request: Request, user: Annotated[User, page_user("showcase")]):
    return await _list(request, user)


@router.post("/showcase", dependencies=[CsrfChecked])
async def add(request: Request, user: Annotated[User, page_user("showcase")]):
    """Econ adds an entry; each missing or wrong field is said beside it, what was typed kept."""
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以登记新技术新产品。")
    form = {k: str(v) for k, v in (await request.form()).items()}
    errors: dict[str, str] = {}
    uscc = _uscc(form.get("uscc", ""), errors, "uscc", required=True)
    for key, label in (("name", "名称"), ("category", "类别")):
        if not form.get(key, "").strip():
            errors[key] = f"请填写{label}。"
    if form.get("maturity") not in MATURITY:
        errors["maturity"] = "请选择成熟度。"
    certs, refs = _lines(form.get("certifications", "")), _lines(form.get("references", ""))
    for key, got in (("certifications", certs), ("references", refs)):
        if len(got) > LIST_MAX:
            errors[key] = f"至多 {LIST_MAX} 项（每行一项），现有 {len(got)} 项。"
    if not errors:
        body = {"uscc": uscc, "name": form["name"].strip(), "category": form["category"].strip(),
                "kind": form.get("kind") if form.get("kind") in KINDS else "product", "maturity": form["maturity"],
                "certifications": certs, "references": refs,
                **({"description": form["description"].strip()} if form.get("description", "").strip() else {})}
        p, refused = await attempt(api(request, user).post("outreach", "/products", json=body,
                                                           idempotency_key=_key(form)))
        if refused is None:
            flash(request, "ok", f"已登记：{p['name']}（编号 {p['id']}）。")
            return back_to(request, f"/showcase/{p['id']}", "/showcase")
        errors["form"] = refused
    return await _list(request, user, 422, errors=errors, typed=form)


async def _detail(request: Request, user: User, pid: int, status: int = 200, **ctx):
    p = await api(request, user).get("outreach", f"/products/{pid}")
    await names_of(request).load(usccs=[p["uscc"], *(i["buyer_uscc"] for i in p["interests"])])
    return render(request, "product.html", status, p=p, kinds=KINDS, maturity=MATURITY, form_id=uuid.uuid4().hex,
                  **ctx)


@router.get("/showcase/{pid}")
async def product(request: Request, pid: int, user: Annotated[User, page_user("showcase")]):
    return await _detail(request, user, pid)


@router.post("/showcase/{pid}/interests", dependencies=[CsrfChecked])
async def interest(request: Request, pid: int, user: Annotated[User, page_user("showcase")]):
    """A buyer's interest: an enterprise (by USCC) or a department, one of the two."""
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以登记采购意向。")
    form = {k: str(v) for k, v in (await request.form()).items()}
    errors: dict[str, str] = {}
    buyer = _uscc(form.get("buyer_uscc", ""), errors, "buyer_uscc", required=False)
    department = form.get("buyer_department", "").strip()
    if not buyer and not department and not errors:
        errors["buyer_uscc"] = "请填写采购企业的统一社会信用代码或采购部门（二者填一）。"
    if not errors:
        body = {**({"buyer_uscc": buyer} if buyer else {}), **({"buyer_department": department} if department else {}),
                **({"note": form["note"].strip()} if form.get("note", "").strip() else {})}
        _, refused = await attempt(api(request, user).post("outreach", f"/products/{pid}/interests", json=body,
                                                           idempotency_key=_key(form)))
        if refused is None:
            flash(request, "ok", "已登记采购意向。")
            return back_to(request, f"/showcase/{pid}#interests", "/showcase")
        errors["form"] = refused
    return await _detail(request, user, pid, 422, errors=errors, typed=form)
