"""The financial office's programme work besides loans, as the finance service keeps it: matchmaking
events (政银企对接: the office records them; a bank reads only those it attended, with its own cases)
the listing pipeline (上市培育: the office records the stages an enterprise reaches) and the guidance
funds (引导基金: funds, their investments and the share of SRDI enterprises), and the product catalogue
(专精特新贷 / 保 / 险: the office adds products; every bank reads the whole catalogue). The finance
service decides every rule (stage order, known enterprises, who may read what); the portal forwards
the form and says its refusal beside the field."""
from __future__ import annotations

import asyncio
import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Request

from services.portal.labels import BANK_LABELS, BOARD_LABELS, LISTING_STAGE_LABELS, TIER_LABELS
from services.portal.names import names_of
from services.portal.pages.common import (
    CsrfChecked,
    api,
    attempt,
    back_to,
    page_user,
    render,
    seg,
    wan_to_yuan,
    year_of,
)
from services.portal.session import PortalError, User, flash
from shared.clock import today
from shared.validators import reason_zh, uscc_error

router = APIRouter()
STAGES = LISTING_STAGE_LABELS
PRODUCT_KINDS = {"loan": "专精特新贷（贷款）", "guarantee": "专精特新保（担保）", "insurance": "专精特新险（保险）"}
INSURANCE_TYPES = {"credit_guarantee": "信用保证保险", "first_batch": "新技术首批次保险"}


def _key(form) -> str | None:
    return f"portal-{form.get('form_id')}" if form.get("form_id") else None


# --- 政银企对接 ---------------------------------------------------------------------------------



async def _events(request: Request, user: User, status: int = 200, year: int | None = None, **ctx):
    """Every event the caller may read (of `year`, if given), newest first: all of the service's pages,
    not its first (a district holds a few dozen events a year)."""
    items = await api(request, user).all("finance", "/matchmaking-events", year=year, cap=5000)
    items = sorted(items, key=lambda m: (m["held_on"], m["id"]), reverse=True)
    await names_of(request).load(usccs=[u for m in items for u in m["enterprises"]]
                                 + [c["uscc"] for m in items for c in m["cases"]])
    ctx.setdefault("errors", {})
    ctx.setdefault("typed", {})
    return render(request, "matchmaking.html", status, events=items, banks=BANK_LABELS, form_id=uuid.uuid4().hex,
                  year=year, years=range(today().year, 2019, -1), **ctx)


@router.get("/matchmaking")
async def matchmaking(request: Request, user: Annotated[User, page_user("matchmaking")], year: str = ""):
    return await _events(request, user, year=year_of(year))


def _usccs(text: str) -> tuple[list[str], str | None]:
    """The enterprise codes typed (one a line, or separated by commas), and what is wrong with them."""
    usccs = [u.upper() for u in re.split(r"[\s,，、;；]+", text) if u]
    bad = [f"{u[:30]}（{reason_zh(why)}）" for u in usccs if (why := uscc_error(u))]
    return list(dict.fromkeys(usccs)), ("统一社会信用代码无效：" + "；".join(bad[:5]) if bad else None)


@router.post("/matchmaking/{event_id}/enterprises", dependencies=[CsrfChecked])
async def add_enterprises(request: Request, event_id: str, user: Annotated[User, page_user("matchmaking")]):
    """The financial office adds enterprises that attended (those already listed stay once)."""
    if user.role != "finance":
        raise PortalError(403, "只有区金融服务办可以增加参加企业。")
    form = await request.form()
    text = str(form.get("enterprises", "")).strip()
    usccs, bad = _usccs(text)
    error = bad or (None if usccs else "请填写至少一个统一社会信用代码。")
    event = seg(event_id, "对接活动")
    if error is None:
        done, error = await attempt(api(request, user).post(
            "finance", f"/matchmaking-events/{event}/enterprises", json={"enterprises": usccs},
            idempotency_key=_key(form)))
        if error is None:
            flash(request, "ok", f"已为“{done['title']}”增加参加企业，现共 {len(done['enterprises'])} 家。")
            return back_to(request, f"/matchmaking#event-{done['id']}", "/matchmaking")
    return await _events(request, user, 422, year=year_of(str(form.get("year", ""))),
                         add_errors={event_id: error}, add_typed={event_id: text})


@router.post("/matchmaking", dependencies=[CsrfChecked])
async def record_event(request: Request, user: Annotated[User, page_user("matchmaking")]):
    """The financial office records an event held: its banks and enterprises; what is wrong is said
    beside its field, the form kept, nothing recorded."""
    if user.role != "finance":
        raise PortalError(403, "只有区金融服务办可以登记政银企对接活动。")
    form = await request.form()
    banks = [str(b).strip().upper() for b in form.getlist("banks") if str(b).strip()]
    typed = {k: str(form.get(k, "")).strip() for k in ("title", "held_on", "venue", "enterprises")}
    typed["banks"] = banks
    usccs, bad = _usccs(typed["enterprises"])
    errors: dict[str, str] = {}
    if not typed["title"]:
        errors["title"] = "请填写活动名称。"
    if not typed["held_on"]:
        errors["held_on"] = "请填写举办日期。"
    if not banks:
        errors["banks"] = "请至少选择一家参加的银行或机构。"
    if bad:
        errors["enterprises"] = bad
    if not errors:
        body = {"title": typed["title"], "held_on": typed["held_on"], "venue": typed["venue"] or None,
                "banks": banks, "enterprises": usccs}
        event, refused = await attempt(api(request, user).post("finance", "/matchmaking-events", json=body,
                                                               idempotency_key=_key(form)))
        if refused:
            errors["form"] = refused
        else:
            flash(request, "ok", f"政银企对接活动已登记（编号 {event['id']}）。")
            return back_to(request, f"/matchmaking#event-{event['id']}", "/matchmaking")
    return await _events(request, user, 422, errors=errors, typed=typed)


# --- 上市培育 -----------------------------------------------------------------------------------

async def _listings(request: Request, user: User, status: int = 200, year: int | None = None, **ctx):
    """The pipelines, and one year's progress for the targets (stages reached, listed, still coached)."""
    year = year or today().year
    a = api(request, user)
    items, progress = await asyncio.gather(a.all("finance", "/listings", cap=500),
                                           a.get("finance", "/listings/progress", year=year))
    await names_of(request).load(usccs=[p["uscc"] for p in items] + progress["in_pipeline_usccs"]
                                 + [u for r in progress["reached"].values() for u in r["usccs"]])
    ctx.setdefault("errors", {})
    ctx.setdefault("typed", {})
    return render(request, "listings.html", status, pipelines=items, stages=STAGES, boards=BOARD_LABELS,
                  form_id=uuid.uuid4().hex, progress=progress, year=year, years=range(today().year, 2019, -1), **ctx)


@router.get("/listings")
async def listings(request: Request, user: Annotated[User, page_user("listings")], year: str = ""):
    return await _listings(request, user, year=year_of(year))


@router.post("/listings", dependencies=[CsrfChecked])
async def record_stage(request: Request, user: Annotated[User, page_user("listings")]):
    """The financial office records a stage an enterprise reached; the finance service checks the order,
    the dates and that it knows the enterprise, and its refusal is said beside the form."""
    if user.role != "finance":
        raise PortalError(403, "只有区金融服务办可以登记上市培育进展。")
    form = await request.form()
    typed = {k: str(form.get(k, "")).strip() for k in ("uscc", "stage", "on", "board", "sponsor", "note")}
    typed["uscc"] = typed["uscc"].upper()
    errors: dict[str, str] = {}
    if why := uscc_error(typed["uscc"]):
        errors["uscc"] = f"统一社会信用代码无效（{reason_zh(why)}）。"
    if typed["stage"] not in STAGES:
        errors["stage"] = "请选择达到的阶段。"
    if not typed["on"]:
        errors["on"] = "请填写达到该阶段的日期。"
    if typed["board"] and typed["board"] not in BOARD_LABELS:
        errors["board"] = "请选择上市板块。"
    if not errors:
        body = {k: typed[k] for k in ("stage", "on", "board", "sponsor", "note") if typed[k]}
        _, refused = await attempt(api(request, user).post("finance", f"/listings/{typed['uscc']}/stages", json=body,
                                                           idempotency_key=_key(form)))
        if refused:
            errors["form"] = refused
        else:
            flash(request, "ok", f"已登记：{STAGES[typed['stage']]}（{typed['on']}）。")
            return back_to(request, f"/listings#listing-{typed['uscc']}", "/listings")
    return await _listings(request, user, 422, errors=errors, typed=typed)


# --- 引导基金 -----------------------------------------------------------------------------------

async def _funds(request: Request, user: User, status: int = 200, **ctx):
    a = api(request, user)
    funds = (await a.get("finance", "/guidance-funds"))["items"]
    overall, details, shares = await asyncio.gather(
        a.get("finance", "/guidance-funds/srdi-share"),
        asyncio.gather(*(a.get("finance", f"/guidance-funds/{f['id']}") for f in funds)),
        asyncio.gather(*(a.get("finance", f"/guidance-funds/{f['id']}/srdi-share") for f in funds)))
    await names_of(request).load(usccs=[i["uscc"] for d in details for i in d["investments"]])
    ctx.setdefault("errors", {})
    ctx.setdefault("typed", {})
    return render(request, "guidance_funds.html", status, overall=overall, funds=list(zip(details, shares)),
                  tiers=TIER_LABELS, form_id=uuid.uuid4().hex, **ctx)


@router.get("/guidance-funds")
async def guidance_funds(request: Request, user: Annotated[User, page_user("guidance_funds")]):
    return await _funds(request, user)


@router.post("/guidance-funds", dependencies=[CsrfChecked])
async def record_fund(request: Request, user: Annotated[User, page_user("guidance_funds")]):
    """The financial office records a guidance fund (a name the service already has is refused, 409)."""
    if user.role != "finance":
        raise PortalError(403, "只有区金融服务办可以登记引导基金。")
    form = await request.form()
    typed = {k: str(form.get(k, "")).strip() for k in ("name", "manager")}
    errors: dict[str, str] = {}
    if not typed["name"]:
        errors["name"] = "请填写基金名称。"
    if not errors:
        fund, refused = await attempt(api(request, user).post(
            "finance", "/guidance-funds", json={k: v for k, v in typed.items() if v}, idempotency_key=_key(form)))
        if refused:
            errors["fund-form"] = refused
        else:
            flash(request, "ok", f"引导基金已登记：{fund['name']}。")
            return back_to(request, f"/guidance-funds#fund-{fund['id']}", "/guidance-funds")
    return await _funds(request, user, 422, errors=errors, typed=typed)


@router.post("/guidance-funds/investments", dependencies=[CsrfChecked])
async def record_investment(request: Request, user: Annotated[User, page_user("guidance_funds")]):
    """The financial office records a fund's investment in an enterprise (万元 sent as whole 元); the
    finance service reads the enterprise's tier on that date and refuses one it does not know."""
    if user.role != "finance":
        raise PortalError(403, "只有区金融服务办可以登记基金投资。")
    form = await request.form()
    typed = {k: str(form.get(k, "")).strip() for k in ("fund_id", "uscc", "invested_on", "amount_wan")}
    typed["uscc"] = typed["uscc"].upper()
    errors: dict[str, str] = {}
    if not typed["fund_id"].isdigit():
        errors["fund_id"] = "请选择基金。"
    if why := uscc_error(typed["uscc"]):
        errors["inv_uscc"] = f"统一社会信用代码无效（{reason_zh(why)}）。"
    if not typed["invested_on"]:
        errors["invested_on"] = "请填写投资日期。"
    yuan = wan_to_yuan(typed["amount_wan"])
    if not yuan:
        errors["amount_wan"] = "请填写投资金额（万元），如 1000。"
    if not errors:
        body = {"uscc": typed["uscc"], "invested_on": typed["invested_on"], "amount_yuan": yuan}
        _, refused = await attempt(api(request, user).post(
            "finance", f"/guidance-funds/{typed['fund_id']}/investments", json=body, idempotency_key=_key(form)))
        if refused:
            errors["investment-form"] = refused
        else:
            flash(request, "ok", "基金投资已登记。")
            return back_to(request, f"/guidance-funds#fund-{typed['fund_id']}", "/guidance-funds")
    return await _funds(request, user, 422, errors=errors, typed=typed)


# --- 金融产品 -----------------------------------------------------------------------------------

async def _products(request: Request, user: User, status: int = 200, **ctx):
    items = await api(request, user).all("finance", "/products", cap=500)
    ctx.setdefault("errors", {})
    ctx.setdefault("typed", {})
    return render(request, "financial_products.html", status, products=items, kinds=PRODUCT_KINDS,
                  insurance_types=INSURANCE_TYPES, banks=BANK_LABELS, form_id=uuid.uuid4().hex, **ctx)


@router.get("/financial-products")
async def financial_products(request: Request, user: Annotated[User, page_user("financial_products")]):
    return await _products(request, user)


@router.post("/financial-products", dependencies=[CsrfChecked])
async def record_product(request: Request, user: Annotated[User, page_user("financial_products")]):
    """The financial office adds a product to the catalogue; the finance service refuses a name the
    provider already has (409) and an insurance type on a loan or guarantee (422)."""
    if user.role != "finance":
        raise PortalError(403, "只有区金融服务办可以登记金融产品。")
    form = await request.form()
    typed = {k: str(form.get(k, "")).strip() for k in ("kind", "name", "provider_org", "insurance_type",
                                                        "description")}
    errors: dict[str, str] = {}
    if typed["kind"] not in PRODUCT_KINDS:
        errors["kind"] = "请选择产品类别。"
    if not typed["name"]:
        errors["name"] = "请填写产品名称。"
    if typed["provider_org"] not in BANK_LABELS:
        errors["provider_org"] = "请选择提供机构。"
    if typed["kind"] == "insurance" and typed["insurance_type"] not in INSURANCE_TYPES:
        errors["insurance_type"] = "保险产品请选择险种。"
    if not errors:
        body = {k: v for k, v in typed.items() if v}
        product, refused = await attempt(api(request, user).post("finance", "/products", json=body,
                                                                 idempotency_key=_key(form)))
        if refused:
            errors["form"] = refused
        else:
            flash(request, "ok", f"金融产品已登记：{product['name']}。")
            return back_to(request, f"/financial-products#product-{product['id']}", "/financial-products")
    return await _products(request, user, 422, errors=errors, typed=typed)
