"""The validity cycle's daily work for econ (a park reads its own enterprises'): titles coming due for
review (到期复核) with the annual updates they missed, and an enterprise's filings — its annual data
updates (年度数据更新) and major-change reports (重大变更报告) — recorded one at a time. The registry
decides every rule (the notice window, the deadline, who is blocked, when a report is late)."""
from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Request

from services.portal.names import names_of
from services.portal.pages.common import CsrfChecked, api, attempt_fields, back_to, day_of, page_user, render, seg
from services.portal.session import PortalError, User, flash
from shared.clock import today

router = APIRouter()
CHANGE_KINDS = {"rename": "更名", "merger": "合并", "restructuring": "重组", "relocation": "迁址",
                "overseas_branch": "设立境外分支机构"}


def _date(text: str, label: str, errors: dict, field: str, required: bool = True) -> str | None:
    """common.day_of, what is wrong (or missing, when `required`) put in `errors` under `field`."""
    day, bad = day_of(text, label)
    if bad or (day is None and required):
        errors[field] = bad or f"请填写{label}。"
    return day


@router.get("/renewals")
async def renewals(request: Request, user: Annotated[User, page_user("renewals")], on: str = ""):
    errors: dict[str, str] = {}
    day = _date(on, "查询日期", errors, "on", required=False)
    if errors:
        return render(request, "renewals.html", 422, due=None, on=on, errors=errors)
    due = await api(request, user).get("registry", "/renewals/due", on=day)
    await names_of(request).load(parks=any(i.get("park_id") for i in due["items"]))
    return render(request, "renewals.html", due=due, on=day or "", errors={})


async def _filings(request: Request, user: User, uscc: str, status: int = 200, **ctx):
    a = api(request, user)
    code = seg(uscc, "企业")
    enterprise, reports = await asyncio.gather(a.get("registry", f"/enterprises/{code}"),
                                               a.get("registry", f"/enterprises/{code}/change-reports"))
    return render(request, "filings.html", status, enterprise=enterprise, reports=reports["items"],
                  kinds=CHANGE_KINDS, form_id=uuid.uuid4().hex, this_year=today().year, **ctx)


@router.get("/enterprises/{uscc}/filings")
async def filings(request: Request, uscc: str, user: Annotated[User, page_user("renewals")]):
    return await _filings(request, user, uscc)


async def _record(request: Request, user: User, uscc: str, which: str, body: dict, errors: dict, typed: dict,
                  done: str):
    """POST one filing to the registry; its refusal beside the field it names, else above the form."""
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以登记年度数据更新和重大变更报告。")
    if not errors:
        path = f"/enterprises/{seg(uscc, '企业')}/{which}"
        form_id = typed.get("form_id")
        _, refused = await attempt_fields(api(request, user).post(
            "registry", path, json=body, idempotency_key=f"portal-{form_id}" if form_id else None), typed)
        errors |= refused
        if not refused:
            flash(request, "ok", done)
            return back_to(request, f"/enterprises/{uscc}/filings#{which}", "/renewals")
    return await _filings(request, user, uscc, 422, failed=which, errors=errors, typed=typed)


@router.post("/enterprises/{uscc}/annual-updates", dependencies=[CsrfChecked])
async def annual_update(request: Request, uscc: str, user: Annotated[User, page_user("renewals")]):
    typed = {k: str(v).strip() for k, v in (await request.form()).items()}
    errors: dict[str, str] = {}
    year = typed.get("year", "")
    if not (year.isascii() and year.isdigit() and len(year) == 4 and 2000 <= int(year) <= 2100):
        errors["year"] = "请填写四位数字的填报年度，如 2025。"
    submitted = _date(typed.get("submitted_on", ""), "提交日期", errors, "submitted_on")
    body = {"year": int(year) if "year" not in errors else None, "submitted_on": submitted}
    return await _record(request, user, uscc, "annual-updates", body, errors, typed,
                         f"已登记 {year} 年度数据更新（{submitted} 在国家平台提交）。")


@router.post("/enterprises/{uscc}/change-reports", dependencies=[CsrfChecked])
async def change_report(request: Request, uscc: str, user: Annotated[User, page_user("renewals")]):
    typed = {k: str(v).strip() for k, v in (await request.form()).items()}
    errors: dict[str, str] = {}
    if typed.get("kind") not in CHANGE_KINDS:
        errors["kind"] = "请选择变更类型。"
    changed = _date(typed.get("changed_on", ""), "变更日期", errors, "changed_on")
    reported = _date(typed.get("reported_on", ""), "报告日期", errors, "reported_on", required=False)
    body = {"kind": typed.get("kind"), "changed_on": changed, "reported_on": reported,
            "detail": typed.get("detail") or None}
    return await _record(request, user, uscc, "change-reports", {k: v for k, v in body.items() if v is not None},
                         errors, typed, f"已登记重大变更报告（{CHANGE_KINDS.get(typed.get('kind'), '')}）。")
