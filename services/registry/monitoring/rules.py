"""Monthly monitoring's pure rules (no I/O): month arithmetic, trends and the flags of a key
enterprise's month. Money in whole 元; ratios and changes as Fractions, shown rounded."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from fractions import Fraction

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Figures:
    """One month's operating data."""

    revenue_yuan: int
    rd_spend_yuan: int
    employees: int
    new_patents: int


@dataclass(frozen=True)
class Thresholds:
    """What the flags compare with: the revenue drop (percent, year on year), the R&D ratio floor
    (percent, year to date) and the employee floor, each with where it came from."""

    revenue_drop_pct: Fraction
    rd_ratio_min_pct: Fraction
    min_employees: int
    rd_ratio_source: str = "parameter"   # "criteria" (the tier's rule set) or "parameter"
    employees_source: str = "parameter"


@dataclass(frozen=True)
class Flag:
    code: str
    zh: str
    en: str

    def as_dict(self) -> dict:
        return {"code": self.code, "zh": self.zh, "en": self.en}


FIRST_MONTH = "2000-01"  # operating data is not recorded for months before it


def parse_month(text: str) -> tuple[int, int] | None:
    m = MONTH_RE.match(text or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def shift(month: str, months: int) -> str:
    y, m = parse_month(month)
    n = y * 12 + (m - 1) + months
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def last_day(month: str) -> dt.date:
    return dt.date.fromisoformat(shift(month, 1) + "-01") - dt.timedelta(days=1)


def ytd_months(month: str) -> list[str]:
    y, m = parse_month(month)
    return [f"{y:04d}-{i:02d}" for i in range(1, m + 1)]


def change_pct(now: int | None, before: int | None) -> Fraction | None:
    """(now − before) / before in percent; None without both figures or with a zero base."""
    if now is None or not before:
        return None
    return Fraction(now - before, before) * 100


def show(x: Fraction | None, places: int = 2) -> float | None:
    return None if x is None else round(float(x), places)


def threshold_in(rule_set: dict | None, indicator: str) -> Fraction | None:
    """A lower bound (gte / gt) on `indicator` among a rule set's criteria that must all hold (top
    level and inside "all"; an alternative inside "any" is no floor of its own). None: no such
    criterion."""
    def walk(criteria):
        for c in criteria:
            if "all" in c:
                found = walk(c["all"])
                if found is not None:
                    return found
            elif c.get("indicator") == indicator and c.get("op") in ("gte", "gt"):
                return Fraction(str(c["value"]))
        return None

    return walk((rule_set or {}).get("criteria") or [])


def trends(months: dict[str, Figures], month: str) -> dict:
    """Month on month and year on year changes of revenue, and the year to date: revenue, R&D
    spend and their ratio (over the months recorded)."""
    cur, prev, last_year = months.get(month), months.get(shift(month, -1)), months.get(shift(month, -12))
    ytd = [months[m] for m in ytd_months(month) if m in months]
    ytd_rev = sum(f.revenue_yuan for f in ytd) if ytd else None
    ytd_rd = sum(f.rd_spend_yuan for f in ytd) if ytd else None

    def rev(f):
        return None if f is None else f.revenue_yuan
    return {
        "revenue_mom_pct": change_pct(rev(cur), rev(prev)),
        "revenue_yoy_pct": change_pct(rev(cur), rev(last_year)),
        "employees_mom": None if cur is None or prev is None else cur.employees - prev.employees,
        "ytd_months": len(ytd),
        "ytd_revenue_yuan": ytd_rev,
        "ytd_rd_spend_yuan": ytd_rd,
        "ytd_rd_ratio_pct": Fraction(ytd_rd, ytd_rev) * 100 if ytd_rev else None,
    }


def flags(months: dict[str, Figures], month: str, t: Thresholds) -> list[Flag]:
    """The reasons a key enterprise falls behind in `month` (empty: none)."""
    out: list[Flag] = []
    cur = months.get(month)
    tr = trends(months, month)
    if cur is None:
        out.append(Flag("missing", f"{month} 未报送经营数据", f"No operating data for {month}"))
    yoy = tr["revenue_yoy_pct"]
    if yoy is not None and -yoy > t.revenue_drop_pct:
        out.append(Flag("revenue_down_yoy", f"营业收入同比下降 {show(-yoy, 1)}%，超过 {show(t.revenue_drop_pct, 1)}%",
                        f"Revenue down {show(-yoy, 1)}% year on year, more than {show(t.revenue_drop_pct, 1)}%"))
    ratio = tr["ytd_rd_ratio_pct"]
    if ratio is not None and ratio < t.rd_ratio_min_pct:
        out.append(Flag("rd_ratio_low", f"年初至今研发费用占营业收入 {show(ratio)}%，低于 {show(t.rd_ratio_min_pct)}%",
                        f"Year-to-date R&D spend is {show(ratio)}% of revenue, below {show(t.rd_ratio_min_pct)}%"))
    if cur is not None and cur.employees < t.min_employees:
        out.append(Flag("employees_below", f"从业人数 {cur.employees} 人，低于 {t.min_employees} 人",
                        f"{cur.employees} employees, below {t.min_employees}"))
    return out


FLAG_ZH = {"missing": "未报送", "revenue_down_yoy": "营收同比下滑", "rd_ratio_low": "研发占比偏低",
           "employees_below": "从业人数不足"}
