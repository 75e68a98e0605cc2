"""The treasury's budgets (预算): each programme's allocation for a year, what approvals reserved,
what was paid and taken back, what is left; the treasury sets an allocation here; the year's ledger
and disbursement list download as the awards service exports them. The awards service keeps the
figures and refuses an allocation below what is committed."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from services.portal.labels import PROGRAM_LABELS
from services.portal.names import names_of
from services.portal.pages.common import (
    CsrfChecked,
    api,
    attempt,
    back_to,
    page_user,
    render,
    uscc_filter,
    wan_to_yuan,
    year_of,
)
from services.portal.session import PortalError, User, flash
from shared.clock import today
from shared.schemas import MAX_YUAN

router = APIRouter()
# The figures of a programme's year, in the order the treasury reads them (any other *_yuan the
# awards service answers is shown after these, by its own name).
FIGURES = {"allocated_yuan": "预算", "reserved_yuan": "已预留（已批准未拨付）", "disbursed_yuan": "已拨付",
           "clawed_back_yuan": "已追回（应收）", "recovered_yuan": "已收回", "receivable_yuan": "应收未收",
           "written_off_yuan": "已核销", "carried_over_yuan": "上年结转待批", "remaining_yuan": "剩余"}
EXPORTS = {"ledger": ("/ledger/export", "台账"), "disbursements": ("/disbursements/{year}/export", "拨付清单")}
# The ledger's entry kinds in the words of the awards service's own export (exports.service.KINDS_ZH).
LEDGER_KINDS = {"awarded": "奖励核定", "top_up": "晋级补差", "reserved": "预算预留", "released": "预算释放",
                "disbursed": "拨付", "reversed": "冲销（未付驳回）", "clawed_back": "追回", "recovered": "追回到账",
                "written_off": "追回核销"}




async def _page(request: Request, user: User, year: int, status: int = 200, **ctx):
    budgets = await api(request, user).get("awards", f"/budgets/{year}")
    shown = [k for k in FIGURES if any(k in i for i in budgets["items"])]
    extra = sorted({k for i in budgets["items"] for k in i if k.endswith("_yuan") and k not in FIGURES})
    missing = [p for p in PROGRAM_LABELS if p not in {i["program"] for i in budgets["items"]}]
    return render(request, "budgets.html", status, year=year, budgets=budgets, figures=FIGURES, shown=shown + extra,
                  missing=missing, programs=PROGRAM_LABELS, exports=EXPORTS, **ctx)


@router.get("/budgets")
async def budgets(request: Request, user: Annotated[User, page_user("budgets")], year: str = ""):
    y = year_of(year) if year else today().year
    if y is None:  # said beside the year field, not a blank page
        return await _page(request, user, today().year, 422, year_error="年度须为 2000–2100 之间的四位数字。", typed_year=year)
    return await _page(request, user, y)


@router.post("/budgets/{year}/{program}", dependencies=[CsrfChecked])
async def set_budget(request: Request, year: int, program: str, user: Annotated[User, page_user("budgets")],
                     allocated_wan: Annotated[str, Form()] = ""):
    """The treasury sets a programme's allocation, typed in 万元 (up to four decimals: whole 元)."""
    if user.role != "treasury":
        raise PortalError(403, "只有区财政局可以设定预算。")
    if program not in PROGRAM_LABELS or year_of(str(year)) is None:
        raise PortalError(404, "没有这个预算项目。")
    yuan = wan_to_yuan(allocated_wan)
    if yuan is None:
        return await _page(request, user, year, 422, failed={program: "请填写金额（万元），如 500 或 12.5。"},
                           typed={program: allocated_wan})
    if yuan > MAX_YUAN:  # said in the form's unit (the service would say it in 元)
        return await _page(request, user, year, 422, typed={program: allocated_wan},
                           failed={program: f"金额不得超过 {MAX_YUAN // 10_000:,} 万元。"})
    _, refused = await attempt(api(request, user).call("awards", "PUT", f"/budgets/{year}/{program}",
                                                        json={"allocated_yuan": yuan}))
    if refused:
        return await _page(request, user, year, 422, failed={program: refused}, typed={program: allocated_wan})
    flash(request, "ok", f"{year} 年“{PROGRAM_LABELS[program]}”预算已设为 {allocated_wan.strip()} 万元。")
    return back_to(request, f"/budgets?year={year}#budget-{program}", "/budgets")


@router.get("/budgets/{year}/ledger")
async def ledger(request: Request, year: int, user: Annotated[User, page_user("budgets")], uscc: str = "",
                 cursor: str = ""):
    """The year's immutable ledger on screen, a page at a time: each entry's kind, award, programme,
    enterprise and payee by name, amount, voucher and who booked it; filtered by enterprise."""
    if year_of(str(year)) is None:
        raise PortalError(404, "没有这个年度的台账。")
    code, bad = uscc_filter(uscc)
    page = {"items": []} if bad else await api(request, user).get("awards", "/ledger", year=year, uscc=code or None,
                                                                    cursor=cursor or None, limit=100)
    await names_of(request).load(usccs=[e["uscc"] for e in page["items"]]
                                 + [e["payee"] for e in page["items"] if e["payee_type"] == "enterprise"],
                                 parks=any(e["payee_type"] == "park" for e in page["items"]))
    return render(request, "ledger.html", 422 if bad else 200, year=year, page=page, uscc=uscc, uscc_error=bad,
                  kinds=LEDGER_KINDS, programs=PROGRAM_LABELS, cursor=cursor)


@router.get("/budgets/{year}/{export}.{fmt}")
async def download(request: Request, year: int, export: str, fmt: str,
                   user: Annotated[User, page_user("budgets")]):
    """The year's ledger or disbursement list, as the awards service exports it (XLSX or CSV)."""
    if export not in EXPORTS or fmt not in ("xlsx", "csv") or year_of(str(year)) is None:
        raise PortalError(404, "没有这个导出文件。")
    path = EXPORTS[export][0].format(year=year)
    r = await api(request, user).download("awards", path, year=year if export == "ledger" else None, format=fmt)
    headers = {k: v for k, v in r.headers.items() if k.lower() in ("content-type", "content-disposition")}
    return Response(r.content, headers=headers)
