"""The lead bureau's statistics work (issue 17): the cultivation list (培育筛选: 达标 / 准达标 for a
title, with each enterprise's gaps), stock and new titles per township or park on a chosen day (and
its workbook), the year's targets against progress with a bar chart, and the tier pyramid at
several year-ends.

Presentation only: the registry screens, counts and sets the targets (GET /screening, /stats/new,
/stats/tiers, /targets/{year}); the portal checks what was typed, names the codes and lays out."""
from __future__ import annotations

import asyncio
import datetime as dt
import io
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.styles import Font

from services.portal import charts
from services.portal.labels import TIER_LABELS, TIER_ORDER
from services.portal.names import names_of
from services.portal.pages.common import api, attempt, optional, page_user, render
from services.portal.session import User
from shared.clock import today
from shared.sheets import safe_row

router = APIRouter()
TITLES = [t for t in TIER_ORDER if t != "sme"][::-1]  # from the broad base up: 创新型 … 单项冠军
SCREEN_TIERS = ("innovative", "municipal_srdi", "national_little_giant")  # the registry's screening targets
STATUS_LABELS = {"met": "达标", "near": "准达标", "not_met": "不达标"}
GROUPS = {"township": "乡镇（街道）", "park": "园区"}
SHOWN = 500  # rows of one screening list on the page
PYRAMID_YEARS = 4  # year-ends on the pyramid over time, besides the chosen day
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(text: str, errors: dict, field: str = "on") -> dt.date:
    """A day as typed (default today): not after today, not before 2000; else why, beside `field`."""
    text = (text or "").strip()
    if not text:
        return today()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        errors[field] = f"日期须为 YYYY-MM-DD 格式，如 2023-09-30（您输入的是：{text[:30]}）。"
        return today()
    if day > today():
        errors[field] = f"日期不能晚于今天（{today().isoformat()}）。"
    elif day.year < 2000:
        errors[field] = "日期不能早于 2000 年。"
    return day


def _year(text: str, errors: dict, field: str = "year") -> int:
    text = (text or "").strip()
    if not text:
        return today().year
    if not (text.isascii() and text.isdigit() and len(text) == 4 and 2000 <= int(text) <= 2100):
        errors[field] = f"年份须为 2000–2100 之间的四位数字（您输入的是：{text[:30]}）。"
        return today().year
    return int(text)


# -- 培育筛选 -------------------------------------------------------------------------------------------
def _figure(indicator: str | None, v) -> str:
    """A criterion's value, threshold or gap in words: 元 as 万元, percentages with %, yes or no."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "是" if v else "否"
    try:
        n = Decimal(str(v))  # exact: a threshold in 元 is never rounded through a float
    except InvalidOperation:
        return str(v)
    if indicator and indicator.endswith("_yuan"):
        if abs(n) < 10_000:
            return f"{n:,.0f} 元"
        return f"{n / 10_000:,.2f}".rstrip("0").rstrip(".") + " 万元"
    text = f"{n:,.2f}".rstrip("0").rstrip(".")
    return text + ("%" if indicator and indicator.endswith("_pct") else "")


@router.get("/screening", name="screening")
async def screening(request: Request, user: Annotated[User, page_user("screening")], tier: str = "municipal_srdi",
                    on: str = "", year: str = "", township: str = "", status: str = ""):
    a = api(request, user)
    errors: dict[str, str] = {}
    typed = {"tier": tier, "on": on, "year": year, "township": township, "status": status}
    if tier not in SCREEN_TIERS:
        errors["tier"] = "请从列表中选择要筛选的称号。"
    day = _day(on, errors)
    ind_year = _year(year, errors) if year.strip() else None
    if status not in ("", *STATUS_LABELS):
        errors["status"] = "请从列表中选择状态。"
    towns = (await optional(a.get("registry", "/townships"), {"items": []}) or {"items": []})["items"]
    if township.strip() and towns and township.strip() not in {t["name"] for t in towns}:
        errors["township"] = f"房山区没有名为“{township.strip()[:30]}”的乡镇（街道），请从列表中选择。"
    ctx = {"typed": typed, "errors": errors, "townships": towns, "tiers": SCREEN_TIERS, "statuses": STATUS_LABELS,
           "result": None, "rows": [], "refusal": None, "figure": _figure}
    if errors:
        return render(request, "screening.html", 422, **ctx)
    result, refusal = await attempt(a.get("registry", "/screening", tier=tier, on=day.isoformat(), year=ind_year))
    if refusal:
        return render(request, "screening.html", 422, **ctx | {"refusal": refusal})
    wanted = (status,) if status else ("met", "near")
    rows = [i for i in result["items"] if i["status"] in wanted and (not township.strip()
                                                                     or i.get("township") == township.strip())]
    await names_of(request).load(parks=any(r.get("park_id") for r in rows[:SHOWN]))
    return render(request, "screening.html",
                  **ctx | {"result": result, "rows": rows[:SHOWN], "more": len(rows) - SHOWN})


# -- 分乡镇、分园区统计 ----------------------------------------------------------------------------------
async def _by_group(request: Request, user: User, day: dt.date, by: str) -> tuple[dict | None, str | None]:
    """The registry's stock on `day` and new titles since 1 January of its year, per township or park,
    with each group named (a park by its name, a township as the registry's list names it)."""
    stats, refusal = await attempt(api(request, user).get("registry", "/stats/new", year=day.year,
                                                          to=day.isoformat(), by=by))
    if refusal:
        return None, refusal
    names = await names_of(request).load(parks=by == "park")
    rows = []
    for g in stats.get("groups") or []:
        key = g.get("key")
        label = "（未填）" if key is None else (names.park(key) if by == "park" else key)
        rows.append((label, g["tiers"]))
    stats["rows"] = rows
    return stats, None


async def _pyramids(request: Request, user: User, day: dt.date) -> list[dict]:
    """The tier pyramid at the last year-ends before `day`'s year and on `day` (the registry's counts)."""
    days = [dt.date(y, 12, 31) for y in range(day.year - PYRAMID_YEARS, day.year) if y >= 2000] + [day]
    a = api(request, user)
    answers = await asyncio.gather(*(optional(a.get("registry", "/stats/tiers", on=d.isoformat())) for d in days))
    out = []
    for d, s in zip(days, answers):
        if s is None:
            continue
        rows = [(TIER_LABELS[t], s["counts"].get(t, 0)) for t in TIER_ORDER]
        out.append({"on": d, "label": f"{d.year} 年末" if (d.month, d.day) == (12, 31) else d.isoformat(),
                    "chart": charts.pyramid(rows, row_h=26, bar_w=260), "counts": s["counts"]})
    return out


def _asked(on: str, by: str) -> tuple[dt.date, dict]:
    """The day and grouping as typed, checked (the page and its download alike), and the page's context."""
    errors: dict[str, str] = {}
    day = _day(on, errors)
    if by not in GROUPS:
        errors["by"] = "分组方式只能选择乡镇（街道）或园区。"
    return day, {"typed": {"on": on, "by": by}, "errors": errors, "groups": GROUPS, "titles": TITLES, "stats": None,
                 "refusal": None, "pyramids": [], "day": day}


@router.get("/statistics", name="statistics")
async def statistics(request: Request, user: Annotated[User, page_user("statistics")], on: str = "",
                     by: str = "township"):
    day, ctx = _asked(on, by)
    errors = ctx["errors"]
    if errors:
        return render(request, "statistics.html", 422, **ctx)
    (stats, refusal), pyramids = await asyncio.gather(_by_group(request, user, day, by), _pyramids(request, user, day))
    if refusal:
        return render(request, "statistics.html", 422, **ctx | {"refusal": refusal})
    return render(request, "statistics.html", **ctx | {
        "stats": stats, "pyramids": pyramids, "pyramid_order": TIER_ORDER,
        "xlsx": f"/statistics.xlsx?on={day.isoformat()}&by={by}"})


def workbook(stats: dict, by: str) -> bytes:
    """One sheet: 全区 then each township or park by name; per title the stock on the day and the new."""
    wb = Workbook()
    ws = wb.active
    ws.title = "按乡镇" if by == "township" else "按园区"
    ws.append([f"房山区专精特新企业分{GROUPS[by]}统计（截至 {stats['to']}，新增自 {stats['from']} 起）"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([GROUPS[by]] + [f"{TIER_LABELS[t]}{w}" for t in TITLES for w in ("存量", "新增")])
    for c in ws[2]:
        c.font = Font(bold=True)

    def cells(tiers: dict) -> list[int]:
        return [tiers.get(t, {}).get(k, 0) for t in TITLES for k in ("stock", "new")]
    ws.append(safe_row(["全区", *cells(stats["tiers"])]))
    for label, tiers in stats["rows"]:
        ws.append(safe_row([label, *cells(tiers)]))
    if stats.get("text_zh"):
        ws.append([])
        ws.append([stats["text_zh"]])
    ws.column_dimensions["A"].width = 30
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@router.get("/statistics.xlsx")
async def statistics_xlsx(request: Request, user: Annotated[User, page_user("statistics")], on: str = "",
                          by: str = "township"):
    day, ctx = _asked(on, by)
    errors = ctx["errors"]
    if errors:  # a download has no form beside it: the page says what is wrong, beside its field
        return render(request, "statistics.html", 422, **ctx)
    stats, refusal = await _by_group(request, user, day, by)
    if refusal:
        return render(request, "statistics.html", 422, **ctx | {"refusal": refusal})
    body = await asyncio.to_thread(workbook, stats, by)
    name = f"srdi-{by}-{day.isoformat()}.xlsx"
    return Response(body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


# -- 目标与进度 ----------------------------------------------------------------------------------------
@router.get("/targets", name="targets")
async def targets(request: Request, user: Annotated[User, page_user("targets")], year: str = ""):
    errors: dict[str, str] = {}
    y = _year(year, errors)
    if not errors and y > today().year:
        errors["year"] = f"{y} 年尚未开始，请选择 {today().year} 年或以前的年份。"
    ctx = {"typed": {"year": year}, "errors": errors, "year": y, "result": None, "refusal": None, "chart": None}
    if errors:
        return render(request, "targets.html", 422, **ctx)
    result, refusal = await attempt(api(request, user).get("registry", f"/targets/{y}"))
    if refusal:
        return render(request, "targets.html", 422, **ctx | {"refusal": refusal})
    rows = [(t["zh"], t["target"], t["actual"] or 0) for t in result["targets"]]
    chart = charts.paired(rows, ("年度目标", "已完成")) if rows else None
    return render(request, "targets.html", **ctx | {"result": result, "chart": chart})
