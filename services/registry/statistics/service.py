"""Statistics use cases: tiers on a date, stock and new per period (and its workbook), the monthly
monitoring snapshot, progress against the yearly targets, and the listings the listing target
counts (projected from the finance office's events). They never commit."""
from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict

from sqlalchemy.orm import Session

from services.registry.screening.repository import param
from services.registry.screening.service import renewals_due
from services.registry.statistics import repository as repo
from services.registry.statistics import rules
from services.registry.statistics.schemas import Monitoring, NewStats, Targets, TierStats
from services.registry.tables import Listing
from services.registry.townships.rules import group_key as township_group
from shared import sheets
from shared.contracts.finance import EnterpriseListed
from shared.validators import uscc_error

GROUP_NAMES = {"township": "乡镇（街道）", "park": "园区", "industry": "行业"}
# Chinese first, as every bilingual text of the suite (the portal shows the part before " / ").
LISTING_NOTE = ("上市：区金融服务办上市培育登记的当年上市企业数 / listing: enterprises listed in the year, as the "
                "financial office's listing pipeline reports (srdi.finance.enterprise.listed.v1)")


def tier_stats(s: Session, on: dt.date) -> TierStats:
    """Counts by current tier and holders by title on a date."""
    counts, holders = repo.tier_counts(s, on)
    return TierStats(on=on, counts=counts, holders=holders)


def new_stats(s: Session, start: dt.date, end: dt.date, by: str | None = None) -> NewStats:
    """Stock on `end` and additions within [start, end] per title, overall and per group: stock and
    base from the maintained counts (counts.py), new and renewed from the recognitions in the period."""
    # by township: 良乡 and 良乡镇 are one row; text matching no unit keeps its own (see README)
    norm = (lambda k: township_group(k) or "") if by == "township" else (lambda k: k)
    stock = merge(repo.holders_by_group(s, end, by), norm)
    base = merge(repo.holders_by_group(s, start - dt.timedelta(days=1), by), norm)
    fresh = merge(repo.new_and_renewed(s, start, end, by), norm)
    keys = sorted({norm(k) for k in repo.group_keys(s, by)}) if by else []
    total = rules.period_table(*(rules.summed(x) for x in (stock, base, fresh)))
    out = {"from": start, "to": end, "base_on": start - dt.timedelta(days=1), "tiers": total,
           "text_zh": rules.reply_sentence(total, end, start), "by": by}
    if by:
        out["groups"] = [{"key": key or None, "tiers": rules.period_table(stock.get(key, {}), base.get(key, {}),
                                                                          fresh.get(key, {}))} for key in keys]
    return NewStats.model_validate(out)


def merge(by_key: dict[str, dict], norm) -> dict[str, dict]:
    """Per-group figures with the raw keys mapped by `norm` (township texts naming one unit), summed."""
    out: dict[str, dict] = defaultdict(dict)
    for key, tiers in by_key.items():
        mine = out[norm(key)]
        for tier, v in tiers.items():
            mine[tier] = rules.add(mine[tier], v) if tier in mine else v
    return out


def new_stats_xlsx(stats: NewStats) -> bytes:
    """The same table as a workbook with Chinese headers (one sheet; grouped rows below the total)."""
    frm, to = stats.from_.isoformat(), stats.to.isoformat()
    header = [GROUP_NAMES.get(stats.by or "", "范围"), "称号", f"存量（截至{to}）",
              f"期初存量（{stats.base_on.isoformat()}）", "较期初净增", "新增（首次认定）", "复核（再次认定）"]
    groups = [("全区", stats.tiers)] + [(g.key or "（未填）", g.tiers) for g in stats.groups or []]
    rows = [[key, rules.TIER_NAMES_ZH[tier], c.stock, c.base, c.net, c.new, c.renewed]
            for key, tiers in groups for tier, c in tiers.items()]
    return sheets.xlsx(sheets.Sheet("存量与新增", header, rows, widths=(16, 30, 20, 20, 12, 16, 16),
                                    heading=f"房山区专精特新企业存量与新增统计（{frm} 至 {to}）",
                                    footer=[stats.text_zh]))


def monitoring(s: Session, year: int, month: int, today: dt.date) -> Monitoring:
    """The monthly monitoring snapshot (月度监测): holders per title at the month's end (or today,
    within the current month), new titles in the month and the year to date, renewals coming due,
    and the service package's open and overdue requests, as of that day."""
    first = dt.date(year, month, 1)
    end = min(dt.date(year, month, calendar.monthrange(year, month)[1]), max(today, first))
    in_month = new_stats(s, first, end).tiers
    to_date = new_stats(s, dt.date(year, 1, 1), end).tiers
    tiers = {t: {"stock": in_month[t].stock, "new_in_month": in_month[t].new,
                 "renewed_in_month": in_month[t].renewed, "new_year_to_date": to_date[t].new}
             for t in rules.TITLED}
    due = renewals_due(s, end).items
    open_, overdue = repo.requests_open(s, end)
    return Monitoring.model_validate({
        "month": f"{year:04d}-{month:02d}", "as_of": end, "tiers": tiers, "current_tiers": tier_stats(s, end).counts,
        "renewals_due": len(due), "renewals_blocked": sum(1 for i in due if i.renewal_blocked),
        "service_requests": {"open": open_, "overdue": overdue}})


def target_progress(s: Session, year: int, today: dt.date) -> Targets:
    """The year's targets (a dated parameter) against new titles, the pool and the listings so far."""
    on = min(today, dt.date(year, 12, 31))
    p = param(s, dt.date(year, 12, 31), "targets.yearly")
    end = max(on, dt.date(year, 1, 1))
    stats = new_stats(s, dt.date(year, 1, 1), end)
    period = {t: c.model_dump() for t, c in stats.tiers.items()}
    return Targets.model_validate({
        "year": year, "on": stats.to, "basis": p.cite(),
        "targets": rules.target_progress(p.value, period, repo.listings(s, dt.date(year, 1, 1), end)),
        "note": LISTING_NOTE})


def on_listed(s: Session, event_id: str, listed: EnterpriseListed) -> None:
    """The finance office recorded a listing (srdi.finance.enterprise.listed.v1), counted by the
    listing target: keep one row per enterprise, its earliest listing date standing, so a
    redelivered or repeated event changes nothing. A malformed event raises (redelivered, then a
    dead letter)."""
    uscc = listed.uscc.strip().upper()
    if uscc_error(uscc):
        raise ValueError(f"enterprise.listed.v1 with a bad uscc: {uscc_error(uscc)}")
    board, on = listed.board[:20], listed.listed_on
    row = s.get(Listing, uscc)
    if row is None:
        s.add(Listing(uscc=uscc, board=board, listed_on=on, source_event_id=event_id[:36]))
    elif on < row.listed_on:  # a corrected, earlier date
        row.listed_on, row.board, row.source_event_id = on, board, event_id[:36]
