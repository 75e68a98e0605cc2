"""Monthly monitoring use cases: record a month's operating data (entered or imported from a
workbook, all or nothing), and the key enterprises' month with trends and flags. They write
through the caller's session and never commit."""
from __future__ import annotations

import datetime as dt
from fractions import Fraction

from sqlalchemy.orm import Session

from services.registry.certifications import repository as certifications
from services.registry.enterprises import repository as enterprises
from services.registry.monitoring import repository as repo
from services.registry.monitoring import rules, workbook
from services.registry.monitoring.schemas import (
    ImportReport,
    MonitoringMonth,
    OperatingIn,
    OperatingList,
    OperatingPublic,
)
from services.registry.tables import OperatingMonth
from shared import audit, params, sheets
from shared.auth import Principal
from shared.db import insert
from shared.errors import Problem
from shared.tiers import TIER_ZH, at_least, tier_on

FIELDS = ("revenue_yuan", "rd_spend_yuan", "employees", "new_patents")
PARAM_ZH = {"monitoring.key_min_tier": "重点监测企业最低称号", "monitoring.revenue_drop_pct": "营收同比下降预警幅度",
            "monitoring.rd_ratio_min_pct": "研发费用占比下限", "monitoring.min_employees": "从业人数下限"}


def check_month(month: str, today: dt.date, loc: list | None = None) -> str:
    """A "YYYY-MM" from FIRST_MONTH to the current month, else a 422."""
    if rules.parse_month(month) is None:
        raise Problem(422, "bad-month", f"月份格式应为 YYYY-MM：{month}", f"A month is written YYYY-MM: {month}",
                      errors=[{"loc": loc or ["path", "month"], "msg": "YYYY-MM", "type": "value"}])
    if month > rules.month_of(today):
        raise Problem(422, "future-month", f"月份 {month} 不能晚于本月", f"The month {month} is in the future",
                      errors=[{"loc": loc or ["path", "month"], "msg": "not in the future", "type": "value"}])
    if month < rules.FIRST_MONTH:
        raise Problem(422, "month-too-early", f"月份 {month} 不能早于 {rules.FIRST_MONTH}",
                      f"The month {month} is before {rules.FIRST_MONTH}",
                      errors=[{"loc": loc or ["path", "month"], "msg": f"not before {rules.FIRST_MONTH}",
                               "type": "value"}])
    return month


def public(row: OperatingMonth) -> OperatingPublic:
    return OperatingPublic.model_validate(row)


def _values(row: OperatingMonth) -> dict:
    return {k: getattr(row, k) for k in FIELDS}


def put_month(s: Session, actor: str, uscc: str, month: str, body: OperatingIn,
              today: dt.date) -> tuple[OperatingPublic, bool]:
    """Record (or replace) a month. Returns (row, created)."""
    check_month(month, today)
    enterprises.get_or_404(s, uscc)
    row = s.get(OperatingMonth, (uscc, month))
    values = body.model_dump()
    before = _values(row) if row else None
    if row is None:  # a concurrent first PUT of the same month (PostgreSQL) is a 409, not a 500
        row = insert(s, OperatingMonth(uscc=uscc, month=month, updated_by=actor, **values),
                     Problem(409, "operating-month-raced", f"{month} 经营数据正由他人同时登记，请重试",
                             f"The {month} operating data were being recorded by another request; try again"))
    else:
        for k, v in values.items():
            setattr(row, k, v)
        row.updated_by = actor
    s.flush()
    audit.record(s, actor, "operating_month.put", "operating_month", f"{uscc}/{month}", before, values)
    return public(row), before is None


def list_months(s: Session, who: Principal, uscc: str) -> OperatingList:
    enterprises.readable_or_404(s, who, uscc)
    return OperatingList(uscc=uscc, items=[public(r) for r in repo.months_of(s, uscc)])


# -- the import -----------------------------------------------------------------------------------
def import_months(s: Session, actor: str, filename: str, content: bytes, dry_run: bool,
                  today: dt.date) -> ImportReport:
    """Every row checked (format, month, the enterprise known, a row repeated); a preview lists
    the bad rows, an import with any bad row is a 422 that records nothing."""
    parsed, problems = workbook.read(filename, content, today)
    total = len(parsed) + len(problems)
    for uscc in sorted({r["uscc"] for r in parsed} - repo.known(s, {r["uscc"] for r in parsed})):
        for r in parsed:
            if r["uscc"] == uscc:
                problems.append({"row": r["row"], "uscc": uscc, "month": r["month"],
                                 "reasons_zh": ["企业未在库中登记"], "reasons_en": ["the enterprise is not in the registry"]})
    bad_rows = {p["row"] for p in problems}
    good = [r for r in parsed if r["row"] not in bad_rows]
    held = repo.stored(s, [(r["uscc"], r["month"]) for r in good])
    items, counts = [], {"create": 0, "update": 0, "unchanged": 0}
    for r in good:
        row = held.get((r["uscc"], r["month"]))
        action = "create" if row is None else ("unchanged" if _values(row) == {k: r[k] for k in FIELDS} else "update")
        counts[action] += 1
        items.append({**r, "action": action})
    problems.sort(key=lambda p: p["row"])
    report = ImportReport.model_validate({"dry_run": dry_run, "rows": total, "created": counts["create"],
                                          "updated": counts["update"], "unchanged": counts["unchanged"],
                                          "items": items, "errors": problems})
    if dry_run:
        return report
    if problems:
        raise Problem(422, "bad-rows", f"{len(problems)} 行有错误，未导入任何数据",
                      f"{len(problems)} rows are wrong; nothing was imported",
                      errors=[{"loc": ["file", "row", p["row"]], "msg": "；".join(p["reasons_zh"]) + " / "
                               + "; ".join(p["reasons_en"]), "type": "row"} for p in problems],
                      rows=[p for p in report.model_dump(mode="json")["errors"]])
    for r in items:
        if r["action"] == "unchanged":
            continue
        put_month(s, actor, r["uscc"], r["month"], OperatingIn(**{k: r[k] for k in FIELDS}), today)
    return report


# -- the key enterprises' month ----------------------------------------------------------------------
def _param(found: dict, key: str, on: dt.date) -> params.Param:
    p = found.get(key)
    if p is None:
        raise Problem(422, "no-parameter", f"{on} 没有生效的政策参数“{PARAM_ZH[key]}”", f"No parameter {key} in force on {on}")
    return p


def month_report(s: Session, who: Principal, month: str, today: dt.date) -> MonitoringMonth:
    check_month(month, today)
    on = min(rules.last_day(month), today)
    found = params.in_force(s, on, "monitoring.")
    key_tier, drop, rd_min, min_emp = (_param(found, k, on) for k in (
        "monitoring.key_min_tier", "monitoring.revenue_drop_pct", "monitoring.rd_ratio_min_pct",
        "monitoring.min_employees"))
    criteria = params.in_force(s, on, "screening.criteria.")
    firms = repo.readable_firms(s, who)
    certs = certifications.by_enterprise(s, [e.uscc for e in firms])
    # an enterprise that moved out or closed by the month's end is no longer monitored
    firms = [e for e in firms if e.status == "active" or (e.status_on is not None and e.status_on > on)]
    key = [(e, tier_on(certs[e.uscc], on)) for e in firms]
    key = [(e, t) for e, t in key if at_least(t, key_tier.value)]
    data = repo.figures(s, [e.uscc for e, _ in key], rules.shift(month, -12), month)
    items, totals = [], {"key": len(key), "reported": 0, "missing": 0, "flagged": 0}
    for e, tier in key:
        rule_set = criteria.get(f"screening.criteria.{tier}")
        rule_set = rule_set.value if rule_set else None
        rd = rules.threshold_in(rule_set, "rd_ratio_pct")
        staff = rules.threshold_in(rule_set, "staff")
        t = rules.Thresholds(Fraction(str(drop.value)), rd if rd is not None else Fraction(str(rd_min.value)),
                             int(staff) if staff is not None else int(min_emp.value),
                             "criteria" if rd is not None else "parameter", "criteria" if staff is not None else "parameter")
        months = data.get(e.uscc, {})
        cur = months.get(month)
        tr = rules.trends(months, month)
        flags = rules.flags(months, month, t)
        totals["reported" if cur else "missing"] += 1
        totals["flagged"] += bool(flags)
        items.append({
            "uscc": e.uscc, "name": e.name, "park_id": e.park_id, "tier": tier,
            "status": "reported" if cur else "missing",
            "data": {k: getattr(cur, k) for k in FIELDS} if cur else None,
            "trend": {**tr, "revenue_mom_pct": rules.show(tr["revenue_mom_pct"]),
                      "revenue_yoy_pct": rules.show(tr["revenue_yoy_pct"]),
                      "ytd_rd_ratio_pct": rules.show(tr["ytd_rd_ratio_pct"])},
            "thresholds": {"revenue_drop_pct": rules.show(t.revenue_drop_pct),
                           "rd_ratio_min_pct": rules.show(t.rd_ratio_min_pct), "rd_ratio_source": t.rd_ratio_source,
                           "min_employees": t.min_employees, "employees_source": t.employees_source},
            "flags": [f.as_dict() for f in flags]})
    items.sort(key=lambda i: (not i["flags"], i["status"] != "missing", i["uscc"]))
    return MonitoringMonth.model_validate({
        "month": month, "on": on, "key_min_tier": key_tier.value, "totals": totals,
        "basis": {p.key: p.cite() for p in (key_tier, drop, rd_min, min_emp)}, "items": items})


def month_xlsx(report: MonitoringMonth) -> bytes:
    rows = []
    for i in report.items:
        d, tr = i.data, i.trend
        rows.append([i.name, i.uscc, TIER_ZH.get(i.tier, i.tier), "已报送" if d else "未报送",
                     d.revenue_yuan if d else None, d.rd_spend_yuan if d else None, d.employees if d else None,
                     d.new_patents if d else None, tr.revenue_mom_pct, tr.revenue_yoy_pct, tr.ytd_revenue_yuan,
                     tr.ytd_rd_ratio_pct, "；".join(f.zh for f in i.flags)])
    return sheets.xlsx(sheets.Sheet(
        name=f"{report.month} 重点企业监测", heading=f"{report.month} 重点企业月度动态监测",
        header=["企业名称", "统一社会信用代码", "称号", "报送", "营业收入（元）", "研发费用（元）", "从业人数", "新增专利",
                "营收环比（%）", "营收同比（%）", "年初至今营收（元）", "年初至今研发占比（%）", "预警"],
        rows=rows, widths=[30, 22, 24, 8, 16, 16, 10, 10, 12, 12, 18, 18, 50]))
