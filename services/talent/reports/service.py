"""Report use cases: quotas per year and tier, nominations per category and state, and the XLSX
workbook of both with the quotas per enterprise. Aggregates and USCCs only: no personal data."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.talent import rules
from services.talent.reports import repository as repo
from services.talent.reports.schemas import NominationReport, QuotaReport
from services.talent.tables import QuotaEntitlement
from shared import sheets
from shared.auth import Principal
from shared.tiers import TIER_ZH as TIERS_ZH

TIER_ZH = {**TIERS_ZH, "cancelled": "（认定已撤销）"}


def grant_tier(ents: list[QuotaEntitlement]) -> str | None:
    """The tier a year's grant rests on: its largest active entitlement (the earliest of equal
    ones), else its largest entitlement at all (cancelled, quotas kept in use)."""
    active = [e for e in ents if e.state == "active"]
    best = max(active or ents, key=lambda e: e.count, default=None)
    return best.tier if best else None


def _tier_zh(tier: str | None) -> str | None:
    return TIER_ZH.get(tier, tier)


def _quota_rows(grants, ents, today: dt.date) -> list[dict]:
    return rules.quota_report([(g.year, grant_tier(ents[g.id]), g.granted, g.used) for g in grants], today)


def quota_report(s: Session, who: Principal, today: dt.date, year: int | None = None) -> QuotaReport:
    rows = _quota_rows(*repo.grants(s, who, year), today)
    return QuotaReport(on=today, items=rows, by_year=rules.quota_totals(rows))


def nomination_report(s: Session, who: Principal, year: int | None = None) -> NominationReport:
    return NominationReport(items=rules.nomination_report(repo.nomination_states(s, who, year)),
                            states=list(rules.STATES), categories=list(rules.CATEGORIES))


def report_xlsx(s: Session, who: Principal, today: dt.date, year: int | None = None) -> bytes:
    """Three sheets, Chinese headers, no personal data: quotas per year and tier, quotas per
    enterprise and year, nominations per category and state."""
    grants, ents = repo.grants(s, who, year)
    by_tier = [[r["year"], _tier_zh(r["tier"]), r["tier"], r["enterprises"], r["granted"], r["used"],
                r["available"], r["lapsed"]] for r in _quota_rows(grants, ents, today)]
    detail = [[g.uscc, g.year, g.granted, g.used, rules.available(g.granted, g.used, g.year, today),
               "是" if rules.lapsed(g.year, today) else "否", _tier_zh(grant_tier(ents[g.id]))]
              for g in grants]
    noms = [[r.year, r.category, *[r.by_state[st] for st in rules.STATES], r.total]
            for r in nomination_report(s, who, year).items]
    return sheets.xlsx(
        sheets.Sheet("落户指标统计", ["年度", "层级", "层级代码", "企业数", "授予", "已使用", "可用", "已失效"],
                     by_tier),
        sheets.Sheet("落户指标明细", ["统一社会信用代码", "年度", "授予", "已使用", "可用", "是否失效", "依据层级"],
                     detail),
        sheets.Sheet("人才提名统计", ["年度", "人才类别", *[rules.STATE_ZH[st] for st in rules.STATES], "合计"], noms))
