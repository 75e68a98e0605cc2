"""The leadership report (领导报告) for 区领导 and 区经信局领导: the reply-style sentences, titles per
year (stock, new, renewed, lapsed), targets against progress, awards by programme and year, service
requests by department, policy sessions, loans, subsidies and the guidance funds' SRDI share; as a
printable page (A4; the browser prints it to PDF) and as one XLSX workbook with charts.

Presentation only: every figure comes from a service (registry GET /report/series, awards GET
/awards/summary, finance GET /summary); the portal lays them out, names the codes and shows 万元."""
from __future__ import annotations

import asyncio
import datetime as dt
import io
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font

from services.portal import charts
from services.portal.labels import PROGRAM_LABELS, ROLE_LABELS, TIER_LABELS, TIER_ORDER
from services.portal.pages.common import api, optional, page_user, render
from services.portal.session import User
from shared.clock import today
from shared.sheets import safe_row

router = APIRouter()
TITLES = [t for t in TIER_ORDER if t != "sme"][::-1]  # from the broad base up: 创新型 … 单项冠军
TIER_FIGURES = {"stock": "存量", "new": "新增", "renewed": "复核", "lapsed": "失效"}
AWARD_FIGURES = {"approved": "批准", "paid": "拨付", "clawed_back": "追回（应收）", "recovered": "追回到账"}
REQUEST_FIGURES = {"total": "受理", "on_time": "按期办结", "late": "逾期办结", "open": "未办结", "open_overdue": "其中已逾期"}
MAX_YEARS = 20


def _asked(frm: str, to: str, on: str) -> tuple[dict, dict]:
    """The years and day typed, checked for the form: (values, errors by field). The services check
    again (a future day, too many years) and their refusal is shown beside the form."""
    now = today()
    errors: dict[str, str] = {}

    def year(text: str, field: str, default: int) -> int:
        text = (text or "").strip()
        if not text:
            return default
        if not (text.isascii() and text.isdigit() and len(text) == 4 and 2000 <= int(text) <= 2100):
            errors[field] = "年份须为 2000–2100 之间的四位数字。"
            return default
        return int(text)

    last = year(to, "to", now.year)
    first = year(frm, "from", max(2000, last - 2))
    day = min(now, dt.date(last, 12, 31))
    if (on or "").strip():
        try:
            day = dt.date.fromisoformat(on.strip())
        except ValueError:
            errors["on"] = "统计日期须为 YYYY-MM-DD 格式的日期，如 2023-09-30。"
    if not errors:
        if day > now:
            errors["on"] = "统计日期不能晚于今天。"
        elif last < first:
            errors["to"] = "截止年份不能早于起始年份。"
        elif last > day.year:
            errors["to"] = f"截止年份不能晚于统计日期所在的 {day.year} 年。"
        elif last - first + 1 > MAX_YEARS:
            errors["from"] = f"一次最多查看 {MAX_YEARS} 年。"
    return {"from": first, "to": last, "on": day}, errors


async def _gather(request: Request, user: User, v: dict) -> dict:
    a = api(request, user)
    years = {"from_year": v["from"], "to_year": v["to"]}
    series, awards, finance = await asyncio.gather(
        optional(a.get("registry", "/report/series", on=v["on"].isoformat(), **years)),
        optional(a.get("awards", "/awards/summary", **years)),
        optional(a.get("finance", "/summary", **years)))
    return {"series": series, "awards": awards, "finance": finance}


def _layout(data: dict) -> dict:
    """Rows and charts for the page and the workbook: names for codes, nothing computed."""
    out: dict = {"years": [], "tier_rows": [], "targets": [], "requests": [], "sessions": [], "award_rows": [],
                 "finance": [], "sentences": []}
    series = data["series"]
    if series:
        out["sentences"] = [series["text_zh"]] + [y["text_zh"] for y in reversed(series["years"])
                                                  if y["text_zh"] != series["text_zh"]]
        out["years"] = [y["year"] for y in series["years"]]
        for t in TITLES:
            out["tier_rows"].append((TIER_LABELS.get(t, t), [(y["year"], y["tiers"].get(t, {})) for y in series["years"]]))
        for y in series["years"]:
            for g in y["targets"]:
                out["targets"].append((y["year"], g["zh"], g["target"], g["actual"], g["met"], g["shortfall"]))
            for q in y["requests"]:
                out["requests"].append((y["year"], ROLE_LABELS.get(q["department"], q["department"]),
                                        [q[k] for k in REQUEST_FIGURES]))
            out["sessions"].append((y["year"], y["sessions"]["sessions"], y["sessions"]["enterprises"],
                                    y["sessions"]["attendees"]))
        last = series["years"][-1]
        out["stock_chart"] = charts.bars([(TIER_LABELS.get(t, t), last["tiers"].get(t, {}).get("stock", 0))
                                          for t in TITLES[::-1]])
        out["stock_on"] = last["on"]
    if data["awards"]:
        for p in data["awards"]["programs"]:
            name = PROGRAM_LABELS.get(p["program"], p["program_zh"])
            for y in p["years"]:
                out["award_rows"].append((name, y["year"], y))
        out["award_chart"] = charts.paired(
            [(PROGRAM_LABELS.get(p["program"], p["program_zh"]), p["total"]["approved_yuan"] // 10000,
              p["total"]["paid_yuan"] // 10000) for p in data["awards"]["programs"]], ("批准", "拨付"))
    if data["finance"]:
        out["finance"] = data["finance"]["years"]
    return out


@router.get("/report")
async def report(request: Request, user: Annotated[User, page_user("report")]):
    q = request.query_params
    typed = {"from": q.get("from", ""), "to": q.get("to", ""), "on": q.get("on", "")}
    v, errors = _asked(typed["from"], typed["to"], typed["on"])
    if errors:
        return render(request, "report.html", 422, typed=typed, errors=errors, v=v, r=None)
    data = await _gather(request, user, v)
    xlsx = f"/report.xlsx?from={v['from']}&to={v['to']}&on={v['on'].isoformat()}"
    return render(request, "report.html", typed=typed, errors={}, v=v, r=_layout(data), data=data, xlsx=xlsx,
                  tier_figures=TIER_FIGURES, award_figures=AWARD_FIGURES, request_figures=REQUEST_FIGURES)


def _sheet(wb: Workbook, title: str, header: list, rows: list, heading: str | None = None):
    ws = wb.create_sheet(title)
    if heading:
        ws.append([heading])
        ws["A1"].font = Font(bold=True, size=13)
    ws.append(header)
    for c in ws[ws.max_row]:
        c.font = Font(bold=True)
    for row in rows:
        ws.append(safe_row(row))
    for i in range(1, len(header) + 1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = 14 if i > 1 else 30
    return ws


def workbook(v: dict, data: dict) -> bytes:
    """One workbook, a sheet per part, openpyxl charts on the series (amounts in whole 元)."""
    r = _layout(data)
    wb = Workbook()
    ws = wb.active
    ws.title = "摘要"
    ws.append([f"房山区专精特新企业梯度培育情况报告（{v['from']}–{v['to']} 年，统计日 {v['on'].isoformat()}）"])
    ws["A1"].font = Font(bold=True, size=14)
    for s in r["sentences"] or ["（无权查看企业库统计）"]:
        ws.append(safe_row([s]))
    ws.column_dimensions["A"].width = 120
    if r["tier_rows"]:
        stock = _sheet(wb, "称号存量", ["称号"] + [f"{y} 年" for y in r["years"]],
                       [[name] + [c.get("stock", 0) for _, c in cells] for name, cells in r["tier_rows"]])
        chart = LineChart()
        chart.title, chart.y_axis.title, chart.x_axis.title = "各称号存量（家）", "家", "年份"
        data_ref = Reference(stock, min_col=1, max_col=len(r["years"]) + 1, min_row=2, max_row=stock.max_row)
        chart.add_data(data_ref, titles_from_data=True, from_rows=True)
        chart.set_categories(Reference(stock, min_col=2, max_col=len(r["years"]) + 1, min_row=1, max_row=1))
        stock.add_chart(chart, f"A{stock.max_row + 3}")
        _sheet(wb, "称号逐年", ["称号", "年份"] + list(TIER_FIGURES.values()),
                        [[name, y] + [c.get(k, 0) for k in TIER_FIGURES] for name, cells in r["tier_rows"]
                         for y, c in cells])
        new_rows = [[name] + [c.get("new", 0) for _, c in cells] for name, cells in r["tier_rows"]]
        start = stock.max_row + 20
        stock.cell(row=start, column=1, value="各称号新增（家）")
        for i, row in enumerate(new_rows, 1):
            for j, val in enumerate(row, 1):
                stock.cell(row=start + i, column=j, value=val)
        bar = BarChart()
        bar.title, bar.type = "各称号逐年新增（家）", "col"
        bar.add_data(Reference(stock, min_col=1, max_col=len(r["years"]) + 1, min_row=start + 1,
                               max_row=start + len(new_rows)), titles_from_data=True, from_rows=True)
        bar.set_categories(Reference(stock, min_col=2, max_col=len(r["years"]) + 1, min_row=1, max_row=1))
        stock.add_chart(bar, f"H{start}")
        _sheet(wb, "目标进度", ["年份", "目标", "年度目标", "实际", "是否完成", "差额"],
               [[y, zh, t, a if a is not None else "未知", {True: "完成", False: "未完成"}.get(m, "—"),
                 s if s is not None else "—"] for y, zh, t, a, m, s in r["targets"]])
        req = _sheet(wb, "服务诉求", ["年份", "承办部门"] + list(REQUEST_FIGURES.values()),
                     [[y, dept] + vals for y, dept, vals in r["requests"]])
        if r["requests"]:
            chart = BarChart()
            chart.title, chart.type = "诉求办理（件）", "col"
            chart.add_data(Reference(req, min_col=4, max_col=5, min_row=1, max_row=req.max_row), titles_from_data=True)
            req.add_chart(chart, f"A{req.max_row + 3}")
        sess = _sheet(wb, "政策宣讲", ["年份", "场次", "参会企业（家次）", "参会人数"], [list(x) for x in r["sessions"]])
        chart = BarChart()
        chart.title, chart.type = "政策宣讲场次", "col"
        chart.add_data(Reference(sess, min_col=2, max_col=2, min_row=1, max_row=sess.max_row), titles_from_data=True)
        chart.set_categories(Reference(sess, min_col=1, min_row=2, max_row=sess.max_row))
        sess.add_chart(chart, "F2")
    if data["awards"]:
        progs = data["awards"]["programs"]
        aw = _sheet(wb, "奖励兑现", ["项目"] + [f"{label}（元）" for label in AWARD_FIGURES.values()],
                    [[PROGRAM_LABELS.get(p["program"], p["program_zh"])] + [p["total"][f"{k}_yuan"] for k in AWARD_FIGURES]
                     for p in progs], heading=f"{v['from']}–{v['to']} 年合计（按台账记账年份）")
        if progs:
            chart = BarChart()
            chart.title, chart.type, chart.y_axis.title = "各项目奖励（元）", "bar", "元"
            chart.add_data(Reference(aw, min_col=2, max_col=3, min_row=2, max_row=aw.max_row), titles_from_data=True)
            chart.set_categories(Reference(aw, min_col=1, min_row=3, max_row=aw.max_row))
            aw.add_chart(chart, f"A{aw.max_row + 3}")
        _sheet(wb, "奖励逐年", ["项目", "年份"] + [f"{label}{u}" for label in AWARD_FIGURES.values()
                                                  for u in ("（笔）", "（元）")],
               [[name, y] + [f[f"{k}_{u}"] for k in AWARD_FIGURES for u in ("count", "yuan")]
                for name, y, f in r["award_rows"]])
    if data["finance"]:
        fin = _sheet(wb, "金融服务", ["年份", "贷款申请（笔）", "申请金额（元）", "放款（笔）", "放款金额（元）", "首贷贴息（元）",
                                    "风险补偿（元）", "引导基金投资（元）", "被投企业", "其中专精特新", "专精特新占比（%）",
                                    "占比下限（%）"],
                     [[y["year"], y["loans_applied"], y["applied_yuan"], y["loans_drawn"], y["drawn_yuan"],
                       y["subsidy_yuan"], y["compensation_yuan"], y["invested_yuan"], y["fund_enterprises"],
                       y["fund_srdi_enterprises"], f"{y['fund_share_bp'] / 100:.2f}", f"{y['fund_floor_bp'] / 100:.2f}"]
                      for y in data["finance"]["years"]])
        chart = BarChart()
        chart.title, chart.type = "贷款放款与贴息（元）", "col"
        chart.add_data(Reference(fin, min_col=5, max_col=6, min_row=1, max_row=fin.max_row), titles_from_data=True)
        chart.set_categories(Reference(fin, min_col=1, min_row=2, max_row=fin.max_row))
        fin.add_chart(chart, f"A{fin.max_row + 3}")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@router.get("/report.xlsx")
async def report_xlsx(request: Request, user: Annotated[User, page_user("report")]):
    q = request.query_params
    v, errors = _asked(q.get("from", ""), q.get("to", ""), q.get("on", ""))
    if errors:  # a download has no form beside it: the page says what is wrong, beside its fields
        typed = {k: q.get(k, "") for k in ("from", "to", "on")}
        return render(request, "report.html", 422, typed=typed, errors=errors, v=v, r=None)
    body = await asyncio.to_thread(workbook, v, await _gather(request, user, v))
    name = f"srdi-report-{v['from']}-{v['to']}-{v['on'].isoformat()}.xlsx"
    return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})

