"""Screening (达标 / 准达标) and dynamic management (动态管理) use cases: indicators, the cultivation
list, annual updates, major-change reports, the renewal due list. They write through the caller's
session and never commit."""
from __future__ import annotations

import datetime as dt

import orjson
from sqlalchemy.orm import Session

from services.registry.certifications import repository as certifications
from services.registry.enterprises import repository as enterprises
from services.registry.screening import criteria, rules, workbook
from services.registry.screening import repository as repo
from services.registry.screening.schemas import (
    AnnualUpdateIn,
    AnnualUpdatePublic,
    ChangeReportIn,
    ChangeReportList,
    ChangeReportPublic,
    Cited,
    IndicatorList,
    IndicatorPublic,
    IndicatorsIn,
    RenewalsDue,
    ScreeningList,
)
from services.registry.tables import AnnualUpdate, ChangeReport, Indicator
from shared import audit, params
from shared.auth import Principal
from shared.db import insert
from shared.errors import Problem
from shared.tiers import TIER_ZH, active_on, held_on, tier_on

STATUS_ORDER = {"met": 0, "near": 1, "not_met": 2}


# -- indicators ---------------------------------------------------------------------------------
def indicator_public(row: Indicator) -> IndicatorPublic:
    return IndicatorPublic.model_validate({"uscc": row.uscc, "year": row.year, **orjson.loads(row.facts),
                                           "updated_by": row.updated_by, "updated_at": row.updated_at})


def put_indicators(s: Session, actor: str, uscc: str, year: int, body: IndicatorsIn) -> tuple[IndicatorPublic, bool]:
    """Record (or replace) an enterprise's indicators for a year. Returns (row, created)."""
    enterprises.get_or_404(s, uscc)
    row = s.get(Indicator, (uscc, year))
    facts = body.facts()
    before = orjson.loads(row.facts) if row else None
    if row is None:  # a concurrent first PUT of the same year (PostgreSQL) is a 409, not a 500
        row = insert(s, Indicator(uscc=uscc, year=year, facts=orjson.dumps(facts).decode(), updated_by=actor),
                     Problem(409, "indicators-raced", f"{year} 年度指标正由他人同时登记，请重试",
                             f"The {year} indicators were being recorded by another request at the same "
                             "moment; try again"))
    else:
        row.facts, row.updated_by = orjson.dumps(facts).decode(), actor
    s.flush()
    audit.record(s, actor, "indicators.put", "indicator", f"{uscc}/{year}", before, facts)
    return indicator_public(row), before is None


def list_indicators(s: Session, who: Principal, uscc: str) -> IndicatorList:
    enterprises.readable_or_404(s, who, uscc)
    return IndicatorList(uscc=uscc, items=[indicator_public(r) for r in repo.indicators(s, uscc)])


# -- the cultivation list -------------------------------------------------------------------------
def rule_set(s: Session, tier: str, on: dt.date) -> tuple[dict, dict]:
    """The criteria for a tier in force on a date, and the near-miss settings (with citations)."""
    found = params.in_force(s, on, "screening.")
    p = found.get(f"screening.criteria.{tier}")
    if p is None:
        raise Problem(422, "no-criteria", f"{on} 没有生效的“{TIER_ZH[tier]}”认定条件",
                      f"No criteria for {tier} in force on {on}",
                      errors=[{"loc": ["query", "tier"], "msg": "no criteria in force", "type": "value"}])
    return p.value, {"criteria": p.cite(), "max_failures": found["screening.near_miss.max_failures"],
                     "max_relative_gap": found["screening.near_miss.max_relative_gap"]}


def screening(s: Session, who: Principal, tier: str, on: dt.date, year: int) -> ScreeningList:
    """Every enterprise below `tier` on `on` (whose next tier it is) that the caller may read,
    classified on the indicators of `year` (and the years before it) against the criteria in
    force on `on`."""
    rules_, near = rule_set(s, tier, on)
    max_failures = int(near["max_failures"].value)
    max_gap = criteria.num(near["max_relative_gap"].value)
    firms = {e.uscc: e for e in s.scalars(enterprises.readable(who))}
    certs = certifications.by_enterprise(s)
    years = repo.indicator_facts(s, year - 2, year)
    items, totals = [], {"met": 0, "near": 0, "not_met": 0}
    for uscc in sorted(firms):
        current = tier_on(certs[uscc], on)
        if criteria.NEXT_TIER.get(current) != tier:
            continue
        facts = criteria.derive_facts(years[uscc], year, held_on(certs[uscc], on))
        status, gaps = criteria.classify(rules_, facts, max_failures, max_gap)
        totals[status] += 1
        e = firms[uscc]
        items.append({"uscc": uscc, "name": e.name, "township": e.township, "park_id": e.park_id,
                      "current_tier": current, "status": status, "status_zh": criteria.STATUS_ZH[status],
                      "has_indicators": year in years[uscc], "failing": [g.as_dict() for g in gaps]})
    items.sort(key=lambda i: (STATUS_ORDER[i["status"]], len(i["failing"]), i["uscc"]))
    return ScreeningList.model_validate({
        "tier": tier, "on": on, "indicator_year": year, "rule_set": rules_.get("rule_set"),
        "basis": {"criteria": near["criteria"], "max_failures": near["max_failures"].cite(),
                  "max_relative_gap": near["max_relative_gap"].cite()},
        "totals": totals, "items": items})


# -- annual updates and major changes ----------------------------------------------------------------
def record_annual_update(s: Session, actor: str, uscc: str, body: AnnualUpdateIn) -> tuple[AnnualUpdatePublic, bool]:
    enterprises.get_or_404(s, uscc)
    row = s.get(AnnualUpdate, (uscc, body.year))
    if row is not None:
        return AnnualUpdatePublic.model_validate(row), False
    # a concurrent request recording the same year (PostgreSQL) meets the unique key: a 409, not a 500
    row = insert(s, AnnualUpdate(uscc=uscc, year=body.year, submitted_on=body.submitted_on, recorded_by=actor),
                 Problem(409, "annual-update-exists", f"{body.year} 年度更新已登记",
                         f"The {body.year} update is already recorded"))
    out = AnnualUpdatePublic.model_validate(row)
    audit.record(s, actor, "annual_update.record", "annual_update", f"{uscc}/{body.year}", None,
                 out.model_dump(mode="json"))
    return out, True


class _Taken(Exception):
    """A concurrent import recorded the same enterprise and year meanwhile."""


def import_annual_updates(s: Session, actor: str, filename: str, content: bytes, today: dt.date) -> dict:
    """Record the annual updates of a workbook (screening/workbook.py: its columns and rows). A row
    is created, unchanged (recorded already with the same date, or repeated in the file), or
    rejected with its reasons: a bad cell, a future date, an enterprise not in the registry, or a
    year already recorded with another date (the first filing recorded stands)."""
    checked = [(n, *workbook.check(cells, today)) for n, cells in workbook.read(filename, content)]
    usccs = sorted({u.uscc for _, u, _ in checked if u})
    known, recorded = repo.known(s, usccs), repo.annual_updates_filed(s, usccs)
    counts, rejected = {"created": 0, "unchanged": 0}, []
    for number, u, errors in checked:
        if u is not None:
            outcome, errors = _import_one(s, actor, u, known, recorded)
            if outcome:
                counts[outcome] += 1
                continue
        rejected.append({"row": number, "errors": errors})
    report = {"rows": len(checked), **counts, "rejected": rejected}
    audit.record(s, actor, "annual_update.import", "annual_update", filename[:200] or "-", None,
                 {**report, "rejected": len(rejected)})
    return report


def _import_one(s: Session, actor: str, u: workbook.Update, known: set[str],
                recorded: dict[str, dict[int, dt.date]]) -> tuple[str | None, list[str]]:
    """("created" | "unchanged", []) or (None, the reasons)."""
    if u.uscc not in known:
        return None, [f"企业 {u.uscc} 不在企业库中 / enterprise {u.uscc} is not in the registry"]
    if u.year not in recorded[u.uscc]:
        row = AnnualUpdate(uscc=u.uscc, year=u.year, submitted_on=u.submitted_on, recorded_by=actor)
        try:
            insert(s, row, _Taken())
        except _Taken:  # a concurrent import or entry took it: compare with what it recorded
            recorded[u.uscc][u.year] = s.get(AnnualUpdate, (u.uscc, u.year)).submitted_on
        else:
            recorded[u.uscc][u.year] = u.submitted_on
            audit.record(s, actor, "annual_update.record", "annual_update", f"{u.uscc}/{u.year}", None,
                         AnnualUpdatePublic.model_validate(row).model_dump(mode="json"))
            return "created", []
    have = recorded[u.uscc][u.year]
    if have == u.submitted_on:
        return "unchanged", []
    return None, [(f"{u.year} 年度更新已登记，提交日期为 {have}，与本行 {u.submitted_on} 不同 / the {u.year} update is "
                   f"already recorded as filed on {have}, not {u.submitted_on}")]


def report_change(s: Session, actor: str, uscc: str, body: ChangeReportIn, today: dt.date) -> ChangeReportPublic:
    enterprises.get_or_404(s, uscc)
    reported = body.reported_on or today
    p = repo.param(s, body.changed_on, "change_report.months")
    due = rules.change_due(body.changed_on, int(p.value))
    row = ChangeReport(uscc=uscc, kind=body.kind, changed_on=body.changed_on, reported_on=reported, due_on=due,
                       late=reported > due, detail=body.detail, recorded_by=actor)
    s.add(row)
    s.flush()
    out = ChangeReportPublic.model_validate(row)
    audit.record(s, actor, "change_report.record", "change_report", str(row.id), None,
                 out.model_dump(mode="json", exclude_unset=True))
    out.basis = Cited.model_validate(p.cite())
    return out


def list_changes(s: Session, who: Principal, uscc: str) -> ChangeReportList:
    enterprises.readable_or_404(s, who, uscc)
    return ChangeReportList(uscc=uscc, items=[ChangeReportPublic.model_validate(r) for r in repo.change_reports(s, uscc)])


# -- renewals (复核) ------------------------------------------------------------------------------
def renewals_due(s: Session, on: dt.date, who: Principal | None = None) -> RenewalsDue:
    """Titles whose last valid day falls within the notice window, not yet renewed, with the annual
    updates they missed (a missed one blocks the renewal). `who`: only the enterprises it may read."""
    notice = repo.param(s, on, "renewal.notice_months")
    deadline = repo.param(s, on, "annual_update.deadline")
    rows = repo.expiring(s, who, on, rules.add_months(on, int(notice.value)))
    usccs = {c.uscc for c, _ in rows}
    later = {(c.uscc, c.tier, c.recognized_on) for cs in certifications.by_enterprise(s, list(usccs)).values()
             for c in cs}
    filed = repo.annual_updates_filed(s, usccs)
    items = []
    for c, e in rows:
        if not active_on(c, on) or any(
                u == c.uscc and tier == c.tier and rec > c.recognized_on for u, tier, rec in later):
            continue  # not live on the date, or already renewed
        missed = rules.missed_updates(rules.annual_deadlines(c.recognized_on, c.expires_on, on, deadline.value),
                                      filed[c.uscc])
        items.append({"uscc": c.uscc, "name": e.name, "park_id": e.park_id, "certification_id": c.id,
                      "tier": c.tier, "recognized_on": c.recognized_on, "expires_on": c.expires_on,
                      "days_left": (c.expires_on - on).days, "annual_updates_missed": missed,
                      "renewal_blocked": bool(missed)})
    return RenewalsDue.model_validate({
        "on": on, "basis": {"notice_months": notice.cite(), "annual_update_deadline": deadline.cite()},
        "items": items})
