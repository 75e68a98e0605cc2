"""An enterprise's indicators (经营指标) year by year, as screening (达标 / 准达标) reads them: every
reader of the enterprise sees them; the lead bureau enters or corrects a year. The registry replaces a
year whole, so the form holds every recorded value of that year (a field emptied is no longer
recorded); amounts typed in 万元 are sent as whole 元 exactly, percentages and scores as decimal text.
What is wrong is said beside its field (422), the registry's refusal in words, what was typed kept."""
from __future__ import annotations

import asyncio
import re
from typing import Annotated

from fastapi import APIRouter, Request

from services.portal.backend import ServiceError
from services.portal.labels import ROLE_LABELS, actor_zh, beijing, wan_text
from services.portal.pages.common import CsrfChecked, api, back_to, decimal_units, page_user, render, seg, wan_to_yuan
from services.portal.session import PortalError, User, flash
from shared.clock import today

router = APIRouter()

# (field, label, kind, unit), in the registry's fields (services/registry/screening/schemas.py INDICATORS).
# kind: wan (万元 typed, whole 元 sent), pct (%, up to 4 decimals), count (whole number), score (up to 2
# decimals), flag (是 / 否 / 未填报).
GROUPS: list[tuple[str, list[tuple[str, str, str, str]]]] = [
    ("经营与融资", [
        ("revenue_yuan", "营业收入", "wan", "万元"),
        ("rd_spend_yuan", "研发费用", "wan", "万元"),
        ("main_business_share_pct", "主营业务收入占营业收入比重", "pct", "%"),
        ("niche_market_share_pct", "细分市场占有率", "pct", "%"),
        ("debt_ratio_pct", "资产负债率", "pct", "%"),
        ("equity_raised_yuan", "股权融资额", "wan", "万元"),
    ]),
    ("人员", [
        ("staff", "从业人员数", "count", "人"),
        ("rd_staff", "研发人员数", "count", "人"),
    ]),
    ("知识产权", [
        ("patents", "专利数", "count", "件"),
        ("invention_patents", "发明专利数", "count", "件"),
        ("ip_class1", "I 类知识产权数", "count", "件"),
        ("ip_class2", "II 类知识产权数", "count", "件"),
        ("ip_class1_high_value", "高价值 I 类知识产权数", "count", "件"),
        ("ip_class1_self_developed", "自主研发 I 类知识产权数", "count", "件"),
    ]),
    ("其他", [
        ("years_in_niche", "从事细分市场年限", "count", "年"),
        ("strategic_emerging", "属于战略性新兴产业", "flag", ""),
        ("high_tech_enterprise", "高新技术企业", "flag", ""),
        ("st_award", "获省部级以上科技奖励", "flag", ""),
        ("provincial_rd_institution", "设有省级以上研发机构", "flag", ""),
        ("srdi_score", "专精特新评分", "score", "分"),
        ("development_score", "发展评分", "score", "分"),
    ]),
]
FIELDS = {f: (label, kind, unit) for _, fields in GROUPS for f, label, kind, unit in fields}
KIND_HINT = {"wan": "以万元计，至多四位小数，如 3000 或 12.5", "pct": "以百分数计，至多四位小数，如 72.5",
             "count": "不小于 0 的整数", "score": "不超过 100 的非负数，至多两位小数，如 60"}
# The registry's checks across fields (研发人员数大于从业人员数 …): said beside the field they are about.
ACROSS = (("研发人员数", "rd_staff"), ("发明专利数", "invention_patents"), ("研发费用", "rd_spend_yuan"))
MIN_YEAR, MAX_YEAR = 2000, 2100
AMOUNT = re.compile(r"(?<![\d.,])\d{5,}(?![\d.,])")  # a whole-元 amount inside a registry's sentence


def label_of(field: str) -> str:
    label, _, unit = FIELDS[field]
    return f"{label}（{unit}）" if unit else label


def form_text(field: str, value) -> str:
    """A recorded value as the form holds it."""
    if value is None:
        return ""
    kind = FIELDS[field][1]
    if kind == "wan":
        return wan_text(value, sep=False)
    if kind == "flag":
        return "1" if value else "0"
    return str(value)


def shown(field: str, value) -> str:
    """A recorded value for reading (units in the row's label); — when not recorded."""
    if value is None:
        return "—"
    kind = FIELDS[field][1]
    if kind == "wan":
        return wan_text(value, sep=True)
    if kind == "flag":
        return "是" if value else "否"
    if kind == "count":
        return f"{int(value):,}"
    return str(value)


def parse(typed: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """The form as the registry's body, and what is wrong, per field. An empty field is not sent."""
    body, errors = {}, {}
    for field, (label, kind, _) in FIELDS.items():
        text = typed.get(field, "").strip()
        if not text:
            continue
        if kind == "flag":
            if text in ("1", "0"):
                body[field] = text == "1"
            else:
                errors[field] = f"请选择“是”“否”或“未填报”：{label}。"
            continue
        if kind in ("pct", "score"):
            text = text.rstrip("%％").strip()
        value = None
        if kind == "wan":
            value = wan_to_yuan(text)
        elif kind == "count":
            plain = text.replace(",", "").replace("，", "")
            value = int(plain) if plain.isascii() and plain.isdigit() and len(plain) <= 12 else None
        else:
            places = 4 if kind == "pct" else 2
            if decimal_units(text, places) is not None:
                value = text.replace(",", "").replace("，", "")
        if value is None:
            errors[field] = f"{label}应为{KIND_HINT[kind]}：{text[:30]}"
        else:
            body[field] = value
    return body, errors


def refusal_fields(e: ServiceError) -> dict[str, str]:
    """A registry's 422 put beside the fields it names (a check across fields beside the one it is
    about); anything else beside the form."""
    out: dict[str, str] = {}
    if e.status == 422:
        for field, said in e.fields.items():
            if field in FIELDS:
                said = said or e.said()
                if FIELDS[field][1] == "wan":  # the registry's bound is in 元; the field is typed in 万元
                    said = AMOUNT.sub(lambda m: f"{wan_text(m.group(0), sep=True)} 万元", said)
                out[field] = said
            elif field == "" and said:
                about = next((f for words, f in ACROSS if said.startswith(words)), "form")
                out[about] = said
    return out or {"form": e.said()}


def year_error(text: str) -> str:
    t = text.strip()
    if not (t.isascii() and t.isdigit() and len(t) == 4 and MIN_YEAR <= int(t) <= MAX_YEAR):
        return f"年度应为 {MIN_YEAR} 至 {MAX_YEAR} 之间的年份，如 {today().year - 1}：{t[:20] or '（空）'}"
    return ""


def years_table(items: list[dict]) -> dict:
    """Rows of fields, a column per recorded year (newest first), each value for reading."""
    years = sorted(items, key=lambda x: x["year"], reverse=True)
    return {"years": [{"year": y["year"], "by": actor_zh(y.get("updated_by")), "at": beijing(y.get("updated_at"))}
                      for y in years],
            "groups": [(name, [(label_of(f), [shown(f, y.get(f)) for y in years]) for f, *_ in fields])
                       for name, fields in GROUPS]}


def summary(items: list[dict] | None) -> list[dict] | None:
    """The enterprise page's 经营指标 section: the key figures of each recorded year, newest first."""
    if items is None:
        return None
    return [{"year": y["year"], "revenue": shown("revenue_yuan", y.get("revenue_yuan")),
             "rd_spend": shown("rd_spend_yuan", y.get("rd_spend_yuan")), "staff": shown("staff", y.get("staff")),
             "rd_staff": shown("rd_staff", y.get("rd_staff")), "by": actor_zh(y.get("updated_by")),
             "at": beijing(y.get("updated_at"))}
            for y in sorted(items, key=lambda x: x["year"], reverse=True)]


async def _page(request: Request, user: User, uscc: str, year: str, status: int = 200, typed: dict | None = None,
                errors: dict | None = None, seen: str | None = None):
    a = api(request, user)
    path = seg(uscc, "企业")
    ent, listed = await asyncio.gather(a.get("registry", f"/enterprises/{path}"),
                                       a.get("registry", f"/enterprises/{path}/indicators"))
    errors = dict(errors or {})
    year = (year or str(today().year - 1)).strip()
    if err := year_error(year):
        errors.setdefault("year", err)
        status = max(status, 422)
    recorded = {y["year"]: y for y in listed["items"]}
    current = recorded.get(int(year)) if not errors.get("year") else None
    if typed is None:
        typed = {f: form_text(f, (current or {}).get(f)) for f in FIELDS}
    return render(request, "indicators.html", status, e=ent, table=years_table(listed["items"]), year=year,
                  current=current, groups=GROUPS, labels={f: label_of(f) for f in FIELDS}, kinds=KIND_HINT,
                  fields=FIELDS, typed=typed, errors=errors, may_edit=user.role == "econ" and not errors.get("year"),
                  seen=(current or {}).get("updated_at") or "" if seen is None else seen,
                  updated={"by": actor_zh(current.get("updated_by")), "at": beijing(current.get("updated_at"))}
                  if current else None)


@router.get("/enterprises/{uscc}/indicators")
async def indicators(request: Request, uscc: str, user: Annotated[User, page_user("enterprises")], year: str = ""):
    return await _page(request, user, uscc, year)


@router.post("/enterprises/{uscc}/indicators/{year}", dependencies=[CsrfChecked])
async def save(request: Request, uscc: str, year: str, user: Annotated[User, page_user("enterprises")]):
    """The lead bureau records or corrects the year (the registry replaces it whole)."""
    if user.role != "econ":
        raise PortalError(403, f"您当前的角色（{ROLE_LABELS.get(user.role, user.role)}）不能填报经营指标，"
                               "请由区经信局办理。")
    if err := year_error(year):
        raise PortalError(422, err)
    form = await request.form()
    typed = {f: str(form.get(f, "")) for f in FIELDS}
    seen = str(form.get("seen", ""))
    body, errors = parse(typed)
    status = 422
    a = api(request, user)
    path = seg(uscc, "企业")
    if not errors:  # the year as it was when the form was opened: never replace another's newer entry unseen
        try:
            listed = await a.get("registry", f"/enterprises/{path}/indicators")
        except ServiceError as e:
            if e.status == 401:
                raise
            errors["form"] = e.said()
        else:
            now = next((y for y in listed["items"] if y["year"] == int(year)), None)
            if ((now or {}).get("updated_at") or "") != seen:
                errors["form"] = (f"{year} 年度指标已于 {beijing(now.get('updated_at'))} 由 {actor_zh(now.get('updated_by'))}"
                                  "填报，与打开本页时不同：请核对上方表格中的现值后再保存（您填写的内容已保留）。"
                                  if now else f"{year} 年度指标已被删除，请核对后再保存。")
                seen = (now or {}).get("updated_at") or ""
    if not errors:
        try:
            await a.call("registry", "PUT", f"/enterprises/{path}/indicators/{int(year)}", json=body)
        except ServiceError as e:
            if e.status == 401:
                raise
            errors = refusal_fields(e)
            status = e.status if 400 <= e.status < 500 else 422
        else:
            flash(request, "ok", f"{year} 年度经营指标已{'更正' if seen else '登记'}。")
            return back_to(request, f"/enterprises/{path}/indicators?year={int(year)}", "/enterprises")
    return await _page(request, user, uscc, year, status, typed=typed, errors=errors, seen=seen)
