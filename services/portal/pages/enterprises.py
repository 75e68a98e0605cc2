"""Enterprises: search and registration, and one enterprise's record and timeline across departments."""
from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from services.portal.labels import (AWARD_STATE_LABELS, CERT_SOURCE_LABELS, FIRST_LOAN_REASON_LABELS, LOAN_STATE_LABELS,
                                    PROGRAM_LABELS, REQUEST_CATEGORY_LABELS, REQUEST_STATE_LABELS, ROLE_LABELS,
                                    TIER_LABELS, TIER_ORDER, TIMELINE_KIND_LABELS, audit_action, field_label, yuan, zh_text)
from services.portal.names import bank_name, names_of
from services.portal.pages.common import CsrfChecked, api, attempt, optional, page_user, render, seg
from services.portal.pages.indicators import summary as indicator_summary
from services.portal.session import PortalError, User, flash
from shared.clock import SHANGHAI, today
from shared.validators import reason_zh, uscc_error

router = APIRouter()


@router.get("/enterprises")
async def enterprises(request: Request, user: Annotated[User, page_user("enterprises")], q: str = "",
                      tier: str = "", township: str = "", park_id: str = "", cursor: str = ""):
    return await enterprises_page(request, user, q, tier, township, park_id, cursor)


async def enterprises_page(request: Request, user: User, q: str = "", tier: str = "", township: str = "",
                           park_id: str = "", cursor: str = "", status: int = 200, **extra):
    """The search, and (econ) the form that registers an enterprise; `extra`: a refused form's error and input."""
    if tier and tier not in TIER_LABELS:
        tier = ""
    a = api(request, user)
    page, names, towns = await asyncio.gather(
        a.get("registry", "/enterprises", q=q.strip(), tier=tier, township=township.strip(),
              park_id=park_id.strip(), cursor=cursor, limit=50),
        names_of(request).load(parks=True), optional(a.get("registry", "/townships")))
    return render(request, "enterprises.html", status, page=page, q=q, tier=tier, township=township, park_id=park_id,
                  tiers=TIER_LABELS, parks=sorted(names.parks.items(), key=lambda p: p[1]),
                  townships=(towns or {}).get("items") or [], form_id=uuid.uuid4().hex, **extra)


@router.post("/enterprises", dependencies=[CsrfChecked])
async def register(request: Request, user: Annotated[User, page_user("enterprises")], uscc: Annotated[str, Form()] = "",
                   name: Annotated[str, Form()] = "", township: Annotated[str, Form()] = "",
                   park_id: Annotated[str, Form()] = "", industry_code: Annotated[str, Form()] = "",
                   form_id: Annotated[str, Form()] = ""):
    """登记企业 (econ): the registry checks the code and refuses one registered already; the refusal is
    said beside the form with what was typed."""
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以登记企业。")
    typed = {"uscc": uscc, "name": name, "township": township, "park_id": park_id, "industry_code": industry_code}
    code = uscc.strip().upper()
    error = (f"统一社会信用代码无效：{reason_zh(bad)}" if (bad := uscc_error(code)) else None) or (
        "请填写企业名称。" if not name.strip() else None)
    if error is None:
        body = {"uscc": code, "name": name.strip(), **{k: v.strip() for k, v in typed.items()
                                                      if k in ("township", "park_id", "industry_code") and v.strip()}}
        _, error = await attempt(api(request, user).post(
            "registry", "/enterprises", json=body, idempotency_key=f"portal-{form_id}-register" if form_id else None))
        if error is None:
            flash(request, "ok", f"已登记企业：{name.strip()}（{code}）。")
            return RedirectResponse(f"/enterprises/{seg(code, '企业')}", status_code=303)
    return await enterprises_page(request, user, status=422, register_error=error, typed=typed)


@router.get("/enterprises/{uscc}")
async def enterprise(request: Request, uscc: str, user: Annotated[User, page_user("enterprises")], on: str = ""):
    return await enterprise_page(request, user, uscc, on)


def day_or_none(text: str) -> str | None:
    """A YYYY-MM-DD the user picked, else None (today); the registry refuses a bad one anyway."""
    try:
        return dt.date.fromisoformat(text.strip()).isoformat() if text.strip() else None
    except ValueError:
        raise PortalError(422, f"日期格式不正确：{text.strip()[:20]}（应为 年-月-日，如 2024-01-01）。") from None


async def enterprise_page(request: Request, user: User, uscc: str, on: str = "", status: int = 200, **extra):
    """One enterprise as the registry has it on a date (today by default), its timeline up to that
    date, and (econ, today) the forms that correct it. `extra`: a refused form's error and input."""
    a = api(request, user)
    day = day_or_none(on)
    ent = await a.get("registry", f"/enterprises/{seg(uscc, '企业')}", on=day)
    uscc = ent.get("uscc") or uscc  # the registry's spelling of the code, from here on
    path = seg(uscc, "企业")
    may_correct = user.role == "econ" and day is None
    names = names_of(request)
    awards, totals, quotas, listing, loans, requests, registry_tl, towns, parks, figures, _ = await asyncio.gather(
        optional(a.all("awards", "/awards", uscc=uscc, cap=500)),
        optional(a.get("awards", f"/enterprises/{path}/awards")),
        optional(a.all("talent", "/quotas", uscc=uscc, cap=100)),
        optional(a.get("finance", f"/service-list/{path}"), missing=False),
        optional(a.all("finance", "/loans", uscc=uscc, cap=200)),  # a bank's reply holds its own cases only
        optional(a.all("registry", "/service-requests", uscc=uscc, cap=200)),
        optional(a.get("registry", f"/enterprises/{path}/timeline", on=day)),
        optional(a.get("registry", "/townships")) if may_correct else none(),
        optional(a.all("parks", "/parks", cap=500)) if may_correct else none(),
        optional(a.get("registry", f"/enterprises/{path}/indicators")),
        names.load(parks=bool(ent.get("park_id"))))
    award_details = []
    if awards:
        award_details = await asyncio.gather(*(optional(a.get("awards", f"/awards/{x['id']}")) for x in awards[:50]))
    award_details = [d for d in award_details if d]
    if registry_tl and registry_tl.get("entries") is not None:
        items = registry_timeline(registry_tl, award_details, loans or [], requests or [], bool(awards is not None),
                                  requests is not None, day)
    else:  # a registry without the timeline API: today's record assembled here
        items = timeline(ent, award_details, quotas or [], listing or None, loans or [], requests or [])
    return render(request, "enterprise.html", status, e=ent, awards=awards, totals=totals, quotas=quotas,
                  listing=listing, loans=loans, requests=requests, timeline=items, on=day or "",
                  today=today().isoformat(), may_correct=may_correct, townships=(towns or {}).get("items") or [],
                  parks=parks or [], form_id=uuid.uuid4().hex, tier_order=TIER_ORDER,
                  request_categories=REQUEST_CATEGORY_LABELS,
                  indicators=indicator_summary(figures["items"] if figures else None), **extra)


async def none():
    return None


def registry_timeline(tl: dict, awards: list[dict], loans: list[dict], requests: list[dict], read_awards: bool,
                      read_requests: bool, day: str | None) -> list[dict]:
    """The registry's timeline (titles, quotas, list entries, visits, corrections: up to the date),
    with each department's own detail where the role reads it: every state change of an award with
    its voucher, the loan cases, the service requests with their resolution."""
    items = []
    for x in tl["entries"]:
        kind, d = x["kind"], x.get("detail") or {}
        if kind == "award" and read_awards or kind.startswith("service_request.") and read_requests:
            continue  # the department's own fuller record, below
        text, label = x["summary_zh"], TIMELINE_KIND_LABELS.get(kind, "其他")
        if kind == "award":
            text = (f"{PROGRAM_LABELS.get(d.get('program'), '奖励')} {yuan(d.get('amount_yuan'))}："
                    f"{AWARD_STATE_LABELS.get(d.get('state'), '—')}")
        elif kind.startswith("service_request."):
            what = f"服务包诉求 {d.get('id')}（{REQUEST_CATEGORY_LABELS.get(d.get('category'), '其他')}）"
            if kind.endswith("opened"):
                text = f"{what}提出：{text.split('：', 1)[-1]}"
            elif kind.endswith("accepted"):  # the detail's state is today's: a request accepted, then resolved
                text = f"{what}已受理（{ROLE_LABELS.get(d.get('department'), '承办部门')}）"
            else:
                text = what + REQUEST_STATE_LABELS.get(d.get("state"), "已办结")
        elif kind.startswith("service_list."):  # the detail is finance's latest record: its tier is
            # today's, not the tier the enterprise joined with, so it is not said on the day it joined
            text = "列入专精特新企业金融服务名单" if kind.endswith("joined") else "移出金融服务名单"
        elif kind == "correction":
            action = str(d.get("action") or "")
            fields = "、".join(field_label(f) for f in d.get("fields") or [] if f not in ("uscc", "reason"))
            if action.endswith(".register"):  # the registry's first record of it, not a correction
                text, label = "登记入企业库", "企业登记"
            else:
                text = f"记录更正（{audit_action(action)}）" + (f"：{fields}" if fields else "")
        items.append({"on": x["on"], "kind": label, "text": text})
    own = timeline({}, awards, [], None, loans, requests)
    items += [i for i in own if not day or i["on"] <= day]
    return newest_first(items)


def local_date(at: str | None) -> str:
    """A UTC timestamp's date in Beijing (dates are Asia/Shanghai in the suite)."""
    try:
        return dt.datetime.fromisoformat((at or "").replace("Z", "+00:00")).astimezone(SHANGHAI).date().isoformat()
    except ValueError:
        return (at or "")[:10]


def timeline(ent: dict, awards: list[dict], quotas: list[dict], listing: dict | None,
             loans: list[dict] = (), requests: list[dict] = ()) -> list[dict]:
    """Every dated fact the services hold on the enterprise, newest first (display only)."""
    items = []
    for c in ent.get("certifications", []):
        label = TIER_LABELS.get(c["tier"], c["tier"])
        source = CERT_SOURCE_LABELS.get(c.get("source") or "", "")
        items.append({"on": c["recognized_on"], "kind": "认定",
                      "text": f"认定为{label}" + (f"（{c['batch']}）" if c.get("batch") else "") + (f"，{source}" if source else "")})
        if c.get("state_on", c.get("state")) == "expired":
            items.append({"on": c["expires_on"], "kind": "到期", "text": f"{label}有效期届满（最后有效日）"})
        if c.get("revoked_on"):
            why = f"：{c['revoke_reason']}" if c.get("revoke_reason") else ""
            items.append({"on": c["revoked_on"], "kind": "撤销", "text": f"{label}被撤销{why}"})
    for aw in awards:
        what = f"{PROGRAM_LABELS.get(aw['program'], aw['program'])} {yuan(aw['amount_yuan'])}"
        for h in aw.get("history", []):
            text = f"{what}：{AWARD_STATE_LABELS.get(h['to_state'], h['to_state'])}"
            if h.get("voucher"):
                text += f"（凭证号 {h['voucher']}）"
            if h.get("reason") and h["to_state"] in ("rejected", "clawed_back"):
                text += f"，原因：{zh_text(h['reason'])}"
            items.append({"on": local_date(h.get("at")), "at": h.get("at") or "", "kind": "奖励", "text": text})
    for qg in quotas:
        items.append({"on": f"{qg['year']}-01-01", "kind": "落户指标",
                      "text": f"{qg['year']} 年落户指标 {qg['granted']} 个，已使用 {qg['used']} 个"
                              + ("（已过期）" if qg.get("lapsed") else "")})
    if listing:
        if listing.get("since"):
            items.append({"on": listing["since"], "kind": "金融服务名单", "text": "列入专精特新企业金融服务名单"})
        if listing.get("removed_on"):
            items.append({"on": listing["removed_on"], "kind": "金融服务名单", "text": "移出金融服务名单"})
    for ln in loans:
        case = f"贷款案件 {ln['id']}（{bank_name(ln['bank'])}）"
        items.append({"on": ln["applied_on"], "kind": "贷款", "text": f"{case}申请 {yuan(ln['applied_yuan'])}"})
        if ln.get("decided_on"):
            done = "未获批" if ln["state"] == "declined" else "获批"
            items.append({"on": ln["decided_on"], "kind": "贷款", "text": f"{case}{done}"})
        if ln.get("drawn_on"):
            # First loan or not is finance's decision across every bank's cases (the earliest drawn).
            first = "，首贷" if ln.get("first_loan") else (
                "，" + FIRST_LOAN_REASON_LABELS[ln["first_loan_reason"]]
                if ln.get("first_loan_reason") in FIRST_LOAN_REASON_LABELS else "")
            items.append({"on": ln["drawn_on"], "kind": "贷款", "text": f"{case}放款 {yuan(ln.get('drawn_yuan'))}"
                          + (f"，到期日 {ln['due_on']}" if ln.get("due_on") else "") + first})
        if ln.get("closed_on") and ln["state"] != "declined":
            items.append({"on": ln["closed_on"], "kind": "贷款",
                          "text": f"{case}{LOAN_STATE_LABELS.get(ln['state'], ln['state'])}"})
    for rq in requests:
        what = f"服务包诉求 {rq['id']}（{REQUEST_CATEGORY_LABELS.get(rq['category'], rq['category'])}）"
        department = ROLE_LABELS.get(rq['department'], rq['department'])
        items.append({"on": rq["opened_on"], "kind": "服务包",
                      "text": f"{what}提出：{rq['summary']}；承办：{department}，"
                              f"办理时限 {rq['due_on']}" + ("，已逾期" if rq.get("overdue") else "")})
        if rq.get("accepted_on"):  # 受理: between 提出 and 办结, on the same day too
            items.append({"on": rq["accepted_on"], "step": 1, "kind": "服务包", "text": f"{what}已受理（{department}）"})
        if rq.get("closed_on"):
            text = f"{what}{REQUEST_STATE_LABELS.get(rq['state'], rq['state'])}"
            items.append({"on": rq["closed_on"], "step": 2, "kind": "服务包",
                          "text": text + (f"：{rq['resolution']}" if rq.get("resolution") else "")})
    return newest_first(items)


def newest_first(items: list[dict]) -> list[dict]:
    """Newest first; within a day, the later step first (办结 above 受理 above 提出)."""
    return sorted(items, key=lambda i: (i["on"], i.get("at", ""), i.get("step", 0)), reverse=True)
