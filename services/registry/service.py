"""Registry use cases. They write through the caller's session and never commit."""
from __future__ import annotations

import datetime as dt
import functools

from collections import defaultdict
from dataclasses import dataclass

import orjson

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from services.registry import events, rules
from services.registry.models import (AnnualUpdate, Certification, ChangeReport, Enterprise, HotlineQuestion,
                                      ImportJob, Indicator, Listing, PolicySession, ServiceRequest, SessionAttendance,
                                      Visit)
from services.registry.schemas import (AnnualUpdateIn, AttendanceIn, CertificationIn, ChangeReportIn, EnterpriseIn,
                                       HotlineAnswerIn, HotlineQuestionIn, IndicatorsIn, PolicySessionIn,
                                       RequestMoveIn, RevokeIn, ServiceRequestIn, VisitIn)
from shared import audit, params
from shared.contracts.finance import EnterpriseListed
from shared.db import for_update
from shared.errors import Problem, not_found
from shared.sheets import safe_row
from shared.tiers import LADDER, Tier, rank


def as_rule(c: Certification) -> rules.Cert:
    return rules.Cert(c.id, c.tier, c.recognized_on, c.expires_on, c.revoked_on)


def cert_dict(c: Certification) -> dict:
    return {"id": c.id, "tier": c.tier, "state": c.state, "recognized_on": c.recognized_on.isoformat(),
            "expires_on": c.expires_on.isoformat(), "batch": c.batch, "source": c.source,
            "revoked_on": c.revoked_on and c.revoked_on.isoformat(), "revoke_reason": c.revoke_reason,
            "for_cause": c.for_cause}


def enterprise_dict(e: Enterprise, certs: list[Certification], on: dt.date) -> dict:
    return {"uscc": e.uscc, "name": e.name, "township": e.township, "industry_code": e.industry_code,
            "founded_on": e.founded_on and e.founded_on.isoformat(), "park_id": e.park_id,
            "relocated_on": e.relocated_on and e.relocated_on.isoformat(),
            "relocated_from_code": e.relocated_from_code, "relocated_from": e.relocated_from,
            "introducer": e.introducer,
            "current_tier": rules.tier_on([as_rule(c) for c in certs], on),
            "certifications": [cert_dict(c) | {"state_on": rules.state_on(as_rule(c), on)} for c in certs]}


def refresh_doc(s: Session, e: Enterprise, certs: list[Certification] | None = None) -> None:
    """Rewrite the stored read document after a change (in the change's own transaction).
    `certs`: the enterprise's certifications when the caller already holds them all (bulk import)."""
    if certs is None:
        s.flush()
        certs = certifications_of(s, e.uscc)
    else:  # already flushed by the caller (every certification has its id)
        certs = sorted(certs, key=lambda c: (c.recognized_on, c.id))
    doc = enterprise_dict(e, certs, dt.date.min)
    del doc["current_tier"]  # depends on the day it is read: computed then, with each state_on
    for c in doc["certifications"]:
        del c["state_on"]
    e.doc = orjson.dumps(doc).decode()


@functools.lru_cache(maxsize=4096)
def render_doc(doc: str | bytes, on: dt.date) -> bytes:
    """The stored document with the current tier on a date, as JSON bytes. Cached by the document's
    text and the date (the hot read path: an unchanged document on the same day renders the same)."""
    data = orjson.loads(doc)
    certs = [rules.Cert(c["id"], c["tier"], dt.date.fromisoformat(c["recognized_on"]),
                        dt.date.fromisoformat(c["expires_on"]),
                        dt.date.fromisoformat(c["revoked_on"]) if c["revoked_on"] else None)
             for c in data["certifications"]]
    data["current_tier"] = rules.tier_on(certs, on)
    for c, rule in zip(data["certifications"], certs):
        c["state_on"] = rules.state_on(rule, on)
    return orjson.dumps(data)


def certifications_of(s: Session, uscc: str) -> list[Certification]:
    return list(s.scalars(select(Certification).where(Certification.uscc == uscc)
                          .order_by(Certification.recognized_on, Certification.id)))


def find_enterprises(s: Session, stmt, tier: str | None, limit: int, on: dt.date) -> list[dict]:
    """Up to limit + 1 enterprise documents from a keyset-ordered query (the extra one says a next
    page exists). The tier filter needs the tier on a date, computed from certifications, so the
    query is read in chunks until enough match."""
    items: list[dict] = []
    chunk = limit + 1 if not tier else 500
    while len(items) <= limit:
        rows = list(s.scalars(stmt.limit(chunk)))
        for e in rows:
            doc = enterprise_dict(e, certifications_of(s, e.uscc), on)
            if not tier or doc["current_tier"] == tier:
                items.append(doc)
        if len(rows) < chunk:
            break
        stmt = stmt.where(Enterprise.uscc > rows[-1].uscc)
    return items


def create_enterprise(s: Session, actor: str, body: EnterpriseIn, *, known_new: bool = False) -> Enterprise:
    """Register an enterprise. `known_new`: the caller has just looked it up (bulk import); the
    caller then writes its document with refresh_doc once its certifications are added."""
    if not known_new and s.get(Enterprise, body.uscc) is not None:
        raise Problem(409, "enterprise-exists", f"企业已登记：{body.uscc}",
                      f"An enterprise with USCC {body.uscc} is already registered", uscc=body.uscc)
    e = Enterprise(**body.model_dump(), version=1)
    s.add(e)
    if not known_new:
        refresh_doc(s, e)
    events.registered(s, e)
    audit.record(s, actor, "enterprise.register", "enterprise", e.uscc, None, body.model_dump(mode="json"))
    return e


def validity_years(s: Session, tier: str, on: dt.date, cache: dict | None = None) -> int:
    if cache is not None and (tier, on) in cache:
        return cache[(tier, on)]
    p = params.in_force(s, on, "certification.validity_years.").get(f"certification.validity_years.{tier}")
    years = int(p.value) if p else 3
    if cache is not None:
        cache[(tier, on)] = years
    return years


def add_certification(s: Session, actor: str, uscc: str, body: CertificationIn) -> tuple[Certification, bool]:
    """Record a certification; publish a promotion when the tier rises. Returns (cert, created)."""
    e = s.scalars(for_update(s, select(Enterprise).where(Enterprise.uscc == uscc))).first()
    if e is None:
        raise not_found("企业", "Enterprise", uscc)
    existing = certifications_of(s, uscc)
    added = new_certification(s, e, existing, body)
    if added is None:
        return next(c for c in existing if (c.tier, c.recognized_on) == (body.tier, body.recognized_on)), False
    s.flush()
    announce(s, actor, e, added)
    refresh_doc(s, e, existing)
    return added.cert, True


@dataclass
class Added:
    """A certification added but not yet announced (its id comes with the flush)."""

    cert: Certification
    change: rules.Change | None
    first_time: bool


def new_certification(s: Session, e: Enterprise, existing: list[Certification], body: CertificationIn,
                      years_cache: dict | None = None) -> Added | None:
    """Add a certification to a locked enterprise whose certifications are `existing` (appended
    to); None when the same tier and date is already recorded. The caller flushes, then calls
    announce(), then refresh_doc (once per enterprise in a bulk import)."""
    for c in existing:
        if (c.tier, c.recognized_on) == (body.tier, body.recognized_on):
            return None
    check_not_banned(s, e.uscc, existing, body.tier, body.recognized_on)
    expires = body.expires_on or rules.expiry(
        body.recognized_on, validity_years(s, body.tier, body.recognized_on, years_cache))
    cert = Certification(uscc=e.uscc, tier=body.tier, recognized_on=body.recognized_on, expires_on=expires,
                         batch=body.batch, source=body.source, state="active")
    s.add(cert)
    olds = [as_rule(c) for c in existing]
    existing.append(cert)
    new = rules.Cert(0, cert.tier, cert.recognized_on, cert.expires_on)
    return Added(cert, rules.change_on_add(olds, new), rules.first_time_at(olds, cert.tier))


def announce(s: Session, actor: str, e: Enterprise, added: Added, certs: list[Certification] | None = None) -> None:
    """After the flush that gave the certification its id: the event carrying the new record (a
    promotion when the tier rises, else certification.added) and the audit row. `certs`: all the
    enterprise's certifications, flushed, when the caller holds them (bulk import)."""
    e.version += 1
    if added.change:
        events.promoted(s, e, added.change, added.cert, added.first_time, certs)
    else:
        events.certification_added(s, e, added.cert, certs)
    audit.record(s, actor, "certification.add", "certification", str(added.cert.id), None, cert_dict(added.cert))


def check_not_banned(s: Session, uscc: str, existing: list[Certification], tier: str, on: dt.date) -> None:
    """No new title within the re-application ban after a revocation for cause (409)."""
    if not any(c.for_cause and c.revoked_on for c in existing):
        return
    p = params.in_force(s, on, "certification.reapply_ban_years").get("certification.reapply_ban_years")
    years = int(p.value) if p else 3
    ban = rules.reapply_ban(existing_revocations(existing), on, years)
    if ban:
        raise Problem(409, "reapplication-banned",
                      f"该企业于 {ban[0]} 因故被撤销认定，{ban[1]} 前不得再次认定",
                      f"The enterprise's title was revoked for cause on {ban[0]}; no new title before {ban[1]}",
                      revoked_on=ban[0].isoformat(), banned_until=ban[1].isoformat(),
                      basis=p.cite() if p else None)


def existing_revocations(existing: list[Certification]) -> list[dt.date]:
    return [c.revoked_on for c in existing if c.for_cause and c.revoked_on]


def revoke(s: Session, actor: str, cert_id: int, body: RevokeIn, today: dt.date) -> Certification:
    cert = s.get(Certification, cert_id)
    if cert is None:
        raise not_found("认定", "Certification", str(cert_id))
    if cert.state == "revoked":
        raise Problem(409, "already-revoked", f"该认定已于 {cert.revoked_on} 撤销",
                      f"The certification was already revoked on {cert.revoked_on}")
    on = body.revoked_on or today
    if on < cert.recognized_on:
        raise Problem(422, "revoked-before-recognized", "撤销日期早于认定日期",
                      "revoked_on is before the recognition date",
                      errors=[{"loc": ["body", "revoked_on"], "msg": "before recognized_on", "type": "value"}])
    e = s.get(Enterprise, cert.uscc)
    before_state = cert_dict(cert)
    others = certifications_of(s, cert.uscc)
    before = [as_rule(c) for c in others]
    cert.state, cert.revoked_on, cert.revoke_reason, cert.for_cause = "revoked", on, body.reason, body.for_cause
    s.flush()
    after = [as_rule(c) for c in others]
    e.version += 1
    events.revoked(s, e, cert)
    change = rules.change_between(before, after, on)
    if change:
        events.demoted(s, e, change, cert, "revoked")
    refresh_doc(s, e)
    audit.record(s, actor, "certification.revoke", "certification", str(cert.id), before_state, cert_dict(cert))
    return cert


def expire_due(s: Session, today: dt.date, actor: str = "system:expiry") -> int:
    """Mark certifications past their last valid day expired, publishing demotions. Idempotent."""
    due = list(s.scalars(select(Certification).where(Certification.state == "active",
                                                     Certification.expires_on < today)
                         .order_by(Certification.expires_on, Certification.id)))
    for cert in due:
        certs = [as_rule(c) for c in certifications_of(s, cert.uscc)]
        cert.state = "expired"
        e = s.get(Enterprise, cert.uscc)
        change = rules.change_on_expiry(certs, as_rule(cert))
        e.version += 1  # the record changed (the state); its dates already said the title ended
        if change:  # the sweep only announces: every department's tier lapsed with the dates
            events.demoted(s, e, change, cert, "expired")
        refresh_doc(s, e)
        audit.record(s, actor, "certification.expire", "certification", str(cert.id),
                     {"state": "active"}, {"state": "expired"})
    return len(due)


def announce_records(s: Session, actor: str) -> int:
    """Re-announce every enterprise's record at its current version (consumers keep it only where
    theirs is missing or older, so a repeat changes nothing)."""
    certs: dict[str, list[Certification]] = defaultdict(list)
    for c in s.scalars(select(Certification).order_by(Certification.recognized_on, Certification.id)):
        certs[c.uscc].append(c)
    n = 0
    for e in s.scalars(select(Enterprise).order_by(Enterprise.uscc)):
        events.recorded(s, e, certs[e.uscc])
        n += 1
    audit.record(s, actor, "enterprise.announce_records", "enterprise", "*", None, {"announced": n})
    return n


def tier_stats(s: Session, on: dt.date) -> dict:
    """Counts by current tier and holders by title on a date, aggregated in the database (the same
    rule as rules.tier_on: recognised ≤ date ≤ last valid day, not revoked on or before the date;
    tests/… compare the two). 100,000 enterprises: see docs/benchmarks.md."""
    active = and_(Certification.recognized_on <= on, Certification.expires_on >= on,
                  or_(Certification.revoked_on.is_(None), Certification.revoked_on > on))
    rank_of = case({t.value: i for i, t in enumerate(LADDER)}, value=Certification.tier, else_=0)
    best = select(func.max(rank_of).label("rank")).where(active).group_by(Certification.uscc).subquery()
    counts = {t.value: 0 for t in LADDER}
    for rank_, n in s.execute(select(best.c.rank, func.count()).group_by(best.c.rank)):
        counts[LADDER[rank_].value] = n
    total = s.scalar(select(func.count()).select_from(Enterprise))
    counts["sme"] = total - sum(n for tier, n in counts.items() if tier != "sme")
    holders = {t.value: 0 for t in LADDER if t != Tier.sme}
    for tier, n in s.execute(select(Certification.tier, func.count(func.distinct(Certification.uscc)))
                             .where(active).group_by(Certification.tier)):
        holders[tier] = n
    return {"on": on.isoformat(), "counts": counts, "holders": holders}


# -- indicators and screening ----------------------------------------------------------------
def put_indicators(s: Session, actor: str, uscc: str, year: int, body: IndicatorsIn) -> tuple[dict, bool]:
    """Record (or replace) an enterprise's indicators for a year. Returns (row, created)."""
    if s.get(Enterprise, uscc) is None:
        raise not_found("企业", "Enterprise", uscc)
    row = s.get(Indicator, (uscc, year))
    facts = body.facts()
    before = orjson.loads(row.facts) if row else None
    if row is None:
        row = Indicator(uscc=uscc, year=year, facts=orjson.dumps(facts).decode(), updated_by=actor)
        s.add(row)
    else:
        row.facts, row.updated_by = orjson.dumps(facts).decode(), actor
    s.flush()
    audit.record(s, actor, "indicators.put", "indicator", f"{uscc}/{year}", before, facts)
    return indicator_dict(row), before is None


def indicator_dict(row: Indicator) -> dict:
    return {"uscc": row.uscc, "year": row.year, **orjson.loads(row.facts), "updated_by": row.updated_by,
            "updated_at": row.updated_at and row.updated_at.isoformat() + "Z"}


def rule_set(s: Session, tier: str, on: dt.date) -> tuple[dict, dict]:
    """The criteria for a tier in force on a date, and the near-miss settings (with citations)."""
    found = params.in_force(s, on, "screening.")
    p = found.get(f"screening.criteria.{tier}")
    if p is None:
        raise Problem(422, "no-criteria", f"{on} 没有 {tier} 的认定条件", f"No criteria for {tier} in force on {on}",
                      errors=[{"loc": ["query", "tier"], "msg": "no criteria in force", "type": "value"}])
    return p.value, {"criteria": p.cite(), "max_failures": found["screening.near_miss.max_failures"],
                     "max_relative_gap": found["screening.near_miss.max_relative_gap"]}


def screening(s: Session, tier: str, on: dt.date, year: int, park_id: str | None = None) -> dict:
    """Every enterprise below `tier` on `on` (whose next tier it is), classified on the indicators
    of `year` (and the years before it) against the criteria in force on `on`."""
    criteria, near = rule_set(s, tier, on)
    max_failures = int(near["max_failures"].value)
    max_gap = rules.num(near["max_relative_gap"].value)
    stmt = select(Enterprise)
    if park_id is not None:
        stmt = stmt.where(Enterprise.park_id == park_id)
    firms = {e.uscc: e for e in s.scalars(stmt)}
    certs: dict[str, list[rules.Cert]] = defaultdict(list)
    for c in s.scalars(select(Certification)):
        certs[c.uscc].append(as_rule(c))
    years: dict[str, dict[int, dict]] = defaultdict(dict)
    for row in s.scalars(select(Indicator).where(Indicator.year.between(year - 2, year))):
        years[row.uscc][row.year] = orjson.loads(row.facts)
    items, totals = [], {"met": 0, "near": 0, "not_met": 0}
    for uscc in sorted(firms):
        current = rules.tier_on(certs[uscc], on)
        if rules.NEXT_TIER.get(current) != tier:
            continue
        facts = rules.derive_facts(years[uscc], year, rules.held_on(certs[uscc], on))
        status, gaps = rules.classify(criteria, facts, max_failures, max_gap)
        totals[status] += 1
        e = firms[uscc]
        items.append({"uscc": uscc, "name": e.name, "township": e.township, "park_id": e.park_id,
                      "current_tier": current, "status": status, "status_zh": rules.STATUS_ZH[status],
                      "has_indicators": year in years[uscc], "failing": [g.as_dict() for g in gaps]})
    order = {"met": 0, "near": 1, "not_met": 2}
    items.sort(key=lambda i: (order[i["status"]], len(i["failing"]), i["uscc"]))
    return {"tier": tier, "on": on.isoformat(), "indicator_year": year, "rule_set": criteria.get("rule_set"),
            "basis": {"criteria": near["criteria"], "max_failures": near["max_failures"].cite(),
                      "max_relative_gap": near["max_relative_gap"].cite()},
            "totals": totals, "items": items}


# -- dynamic management and targets ------------------------------------------------------------
def _param(s: Session, on: dt.date, key: str) -> params.Param:
    p = params.in_force(s, on, key).get(key)
    if p is None:
        raise Problem(422, "no-parameter", f"{on} 没有生效的参数 {key}", f"No parameter {key} in force on {on}")
    return p


def _enterprise(s: Session, uscc: str) -> Enterprise:
    e = s.get(Enterprise, uscc)
    if e is None:
        raise not_found("企业", "Enterprise", uscc)
    return e


def record_annual_update(s: Session, actor: str, uscc: str, body: AnnualUpdateIn) -> tuple[dict, bool]:
    _enterprise(s, uscc)
    row = s.get(AnnualUpdate, (uscc, body.year))
    if row is not None:
        return annual_update_dict(row), False
    row = AnnualUpdate(uscc=uscc, year=body.year, submitted_on=body.submitted_on, recorded_by=actor)
    s.add(row)
    s.flush()
    audit.record(s, actor, "annual_update.record", "annual_update", f"{uscc}/{body.year}", None, annual_update_dict(row))
    return annual_update_dict(row), True


def annual_update_dict(row: AnnualUpdate) -> dict:
    return {"uscc": row.uscc, "year": row.year, "submitted_on": row.submitted_on.isoformat()}


def report_change(s: Session, actor: str, uscc: str, body: ChangeReportIn, today: dt.date) -> dict:
    _enterprise(s, uscc)
    reported = body.reported_on or today
    p = _param(s, body.changed_on, "change_report.months")
    due = rules.change_due(body.changed_on, int(p.value))
    row = ChangeReport(uscc=uscc, kind=body.kind, changed_on=body.changed_on, reported_on=reported, due_on=due,
                       late=reported > due, detail=body.detail, recorded_by=actor)
    s.add(row)
    s.flush()
    out = change_dict(row) | {"basis": p.cite()}
    audit.record(s, actor, "change_report.record", "change_report", str(row.id), None, change_dict(row))
    return out


def change_dict(row: ChangeReport) -> dict:
    return {"id": row.id, "uscc": row.uscc, "kind": row.kind, "changed_on": row.changed_on.isoformat(),
            "reported_on": row.reported_on.isoformat(), "due_on": row.due_on.isoformat(), "late": row.late,
            "detail": row.detail}


def renewals_due(s: Session, on: dt.date, park_id: str | None = None) -> dict:
    """Titles whose last valid day falls within the notice window, not yet renewed, with the annual
    updates they missed (a missed one blocks the renewal)."""
    notice = _param(s, on, "renewal.notice_months")
    deadline = _param(s, on, "annual_update.deadline")
    stmt = (select(Certification, Enterprise).join(Enterprise, Enterprise.uscc == Certification.uscc)
            .where(Certification.state != "revoked", Certification.expires_on >= on,
                   Certification.expires_on <= rules.add_months(on, int(notice.value)),
                   Certification.tier != "potential")
            .order_by(Certification.expires_on, Certification.id))
    if park_id is not None:
        stmt = stmt.where(Enterprise.park_id == park_id)
    rows = list(s.execute(stmt))
    usccs = {c.uscc for c, _ in rows}
    later = {(c.uscc, c.tier, c.recognized_on) for c in s.scalars(select(Certification).where(Certification.uscc.in_(usccs)))}
    filed: dict[str, dict[int, dt.date]] = defaultdict(dict)
    for u in s.scalars(select(AnnualUpdate).where(AnnualUpdate.uscc.in_(usccs))):
        filed[u.uscc][u.year] = u.submitted_on
    items = []
    for c, e in rows:
        if not rules.active_on(as_rule(c), on) or any(
                u == c.uscc and tier == c.tier and rec > c.recognized_on for u, tier, rec in later):
            continue  # not live on the date, or already renewed
        missed = rules.missed_updates(rules.annual_deadlines(c.recognized_on, c.expires_on, on, deadline.value),
                                      filed[c.uscc])
        items.append({"uscc": c.uscc, "name": e.name, "park_id": e.park_id, "certification_id": c.id,
                      "tier": c.tier, "recognized_on": c.recognized_on.isoformat(),
                      "expires_on": c.expires_on.isoformat(), "days_left": (c.expires_on - on).days,
                      "annual_updates_missed": missed, "renewal_blocked": bool(missed)})
    return {"on": on.isoformat(), "basis": {"notice_months": notice.cite(), "annual_update_deadline": deadline.cite()},
            "items": items}


def target_progress(s: Session, year: int, today: dt.date) -> dict:
    on = min(today, dt.date(year, 12, 31))
    p = _param(s, dt.date(year, 12, 31), "targets.yearly")
    end = max(on, dt.date(year, 1, 1))
    stats = new_stats(s, dt.date(year, 1, 1), end)
    listings = s.scalar(select(func.count()).select_from(Listing).where(
        Listing.listed_on >= dt.date(year, 1, 1), Listing.listed_on <= end))
    return {"year": year, "on": stats["to"], "basis": p.cite(),
            "targets": rules.target_progress(p.value, stats["tiers"], listings),
            "note": "listing: enterprises listed in the year, as the financial office's listing pipeline reports "
                    "(srdi.finance.enterprise.listed.v1) / 上市：区金融服务办上市培育登记的当年上市企业数"}


def on_listed(s: Session, event_id: str, listed: EnterpriseListed) -> None:
    """The finance office recorded a listing (srdi.finance.enterprise.listed.v1): keep one row per
    enterprise, its earliest listing date standing, so a redelivered or repeated event changes
    nothing. A malformed event raises (redelivered, then a dead letter)."""
    from shared.validators import uscc_error

    uscc = listed.uscc.strip().upper()
    if uscc_error(uscc):
        raise ValueError(f"enterprise.listed.v1 with a bad uscc: {uscc_error(uscc)}")
    board, on = listed.board[:20], listed.listed_on
    row = s.get(Listing, uscc)
    if row is None:
        s.add(Listing(uscc=uscc, board=board, listed_on=on, source_event_id=event_id[:36]))
    elif on < row.listed_on:  # a corrected, earlier date
        row.listed_on, row.board, row.source_event_id = on, board, event_id[:36]


# -- service package (服务包) -------------------------------------------------------------------
def open_request(s: Session, actor: str, body: ServiceRequestIn, today: dt.date) -> dict:
    _enterprise(s, body.uscc)
    opened = body.opened_on or today
    routing = _param(s, opened, "service_package.routing")
    days = _param(s, opened, "service_package.deadline_days")
    row = ServiceRequest(uscc=body.uscc, category=body.category, summary=body.summary,
                         department=routing.value.get(body.category, "econ"), state="open", opened_on=opened,
                         due_on=opened + dt.timedelta(days=int(days.value)))
    s.add(row)
    s.flush()
    audit.record(s, actor, "service_request.open", "service_request", str(row.id), None, request_dict(row, today))
    return request_dict(row, today) | {"basis": {"routing": routing.cite(), "deadline_days": days.cite()}}


def move_request(s: Session, who, request_id: int, body: RequestMoveIn, today: dt.date) -> dict:
    """The owning department (a park: for its own enterprises) or the lead bureau moves a request."""
    row = s.scalars(for_update(s, select(ServiceRequest).where(ServiceRequest.id == request_id))).first()
    if row is None or not _request_visible(s, who, row):
        raise not_found("诉求", "Service request", str(request_id))
    if who.role != "econ" and who.role != row.department:
        raise Problem(403, "not-owner", f"该诉求由 {row.department} 办理", f"The request is owned by {row.department}")
    if not rules.can_move(row.state, body.state):
        raise Problem(409, "bad-transition", f"诉求状态 {row.state} 不能变为 {body.state}",
                      f"A request in state {row.state} cannot become {body.state}", state=row.state)
    before = request_dict(row, today)
    row.state = body.state
    if body.state in rules.CLOSED:
        row.closed_on, row.resolution = today, body.note
    s.flush()
    audit.record(s, who.actor, f"service_request.{body.state}", "service_request", str(row.id), before,
                 request_dict(row, today))
    return request_dict(row, today)


def _request_visible(s: Session, who, row: ServiceRequest) -> bool:
    if who.role != "park":
        return True
    e = s.get(Enterprise, row.uscc)
    return e is not None and e.park_id == who.org


def request_dict(row: ServiceRequest, on: dt.date) -> dict:
    return {"id": row.id, "uscc": row.uscc, "category": row.category, "summary": row.summary,
            "department": row.department, "state": row.state, "opened_on": row.opened_on.isoformat(),
            "due_on": row.due_on.isoformat(), "closed_on": row.closed_on and row.closed_on.isoformat(),
            "resolution": row.resolution, "overdue": rules.overdue(row.state, row.due_on, on)}


def record_visit(s: Session, actor: str, body: VisitIn) -> dict:
    _enterprise(s, body.uscc)
    row = Visit(uscc=body.uscc, visited_on=body.visited_on, visitors=body.visitors, findings=body.findings,
                recorded_by=actor)
    s.add(row)
    s.flush()
    audit.record(s, actor, "visit.record", "visit", str(row.id), None, visit_dict(row))
    return visit_dict(row)


def visit_dict(row: Visit) -> dict:
    return {"id": row.id, "uscc": row.uscc, "visited_on": row.visited_on.isoformat(), "visitors": row.visitors,
            "findings": row.findings}


# -- hotline questions (热线咨询) ----------------------------------------------------------------
def record_question(s: Session, actor: str, body: HotlineQuestionIn, today: dt.date) -> dict:
    """Record a hotline question, routed to the department owning its category (the same dated
    routing as requests). The caller's phone is kept for the call-back, never written to the audit
    log or an event in the clear."""
    if body.uscc is not None:
        _enterprise(s, body.uscc)
    asked = body.asked_on or today
    if asked > today:
        raise Problem(422, "future-date", "asked_on 晚于今天", "asked_on is in the future",
                      errors=[{"loc": ["body", "asked_on"], "msg": "in the future", "type": "value"}])
    routing = _param(s, asked, "service_package.routing")
    row = HotlineQuestion(uscc=body.uscc, caller_name=body.caller_name, caller_phone=body.caller_phone,
                          category=body.category, department=routing.value.get(body.category, "econ"),
                          question=body.question, asked_on=asked, recorded_by=actor)
    s.add(row)
    s.flush()
    audit.record(s, actor, "hotline.ask", "hotline_question", str(row.id), None, question_dict(row, reveal=False))
    # Masked even to econ: a POST's answer is kept with its Idempotency-Key; econ reads it whole by GET.
    return question_dict(row, reveal=False) | {"basis": {"routing": routing.cite()}}


def answer_question(s: Session, who, question_id: int, body: HotlineAnswerIn, today: dt.date) -> dict:
    """The department owning the question (a park: for its own enterprises' questions) or the lead
    bureau answers it, once (409 when answered)."""
    row = question_for(s, who, question_id, lock=True)
    if who.role != "econ" and who.role != row.department:
        raise Problem(403, "not-owner", f"该咨询由 {row.department} 答复", f"The question is owned by {row.department}")
    reveal = who.role == "econ"
    if row.answered_on is not None:
        raise Problem(409, "already-answered", f"该咨询已于 {row.answered_on} 答复",
                      f"The question was already answered on {row.answered_on}", existing=question_dict(row, reveal))
    on = body.answered_on or today
    if on < row.asked_on or on > today:
        raise Problem(422, "bad-answer-date", "答复日期须在咨询日期与今天之间",
                      "answered_on must be between asked_on and today",
                      errors=[{"loc": ["body", "answered_on"], "msg": "before asked_on or in the future", "type": "value"}])
    before = question_dict(row, reveal=False)
    row.answer, row.answered_on = body.answer, on
    row.answered_by, row.answer_recorded_by = body.answered_by or who.actor, who.actor
    s.flush()
    audit.record(s, who.actor, "hotline.answer", "hotline_question", str(row.id), before, question_dict(row, reveal=False))
    return question_dict(row, reveal=False)  # a POST's answer: masked, as above


def questions_readable(who):
    """The one "readable by this caller" statement for hotline questions: a park sees its own
    enterprises' questions only (not anonymous ones); every other reader sees all."""
    stmt = select(HotlineQuestion)
    if who.role == "park":
        stmt = stmt.join(Enterprise, Enterprise.uscc == HotlineQuestion.uscc).where(Enterprise.park_id == who.org)
    return stmt


def question_for(s: Session, who, question_id: int, lock: bool = False) -> HotlineQuestion:
    stmt = questions_readable(who).where(HotlineQuestion.id == question_id)
    row = s.scalars(for_update(s, stmt) if lock else stmt).first()
    if row is None:
        raise not_found("热线咨询", "Hotline question", str(question_id))
    return row


def question_dict(row: HotlineQuestion, reveal: bool) -> dict:
    """`reveal`: the lead bureau sees the caller's name and phone; everyone else (and the audit
    log) sees them masked."""
    return {"id": row.id, "uscc": row.uscc, "category": row.category, "department": row.department,
            "question": row.question, "asked_on": row.asked_on.isoformat(),
            "caller_name": row.caller_name if reveal else rules.mask_name(row.caller_name),
            "caller_phone": row.caller_phone if reveal else rules.mask_phone(row.caller_phone),
            "answered": row.answered_on is not None, "answer": row.answer, "answered_by": row.answered_by,
            "answered_on": row.answered_on and row.answered_on.isoformat()}


# -- policy sessions (政策宣讲会) -----------------------------------------------------------------
def create_session(s: Session, actor: str, body: PolicySessionIn) -> dict:
    row = PolicySession(title=body.title, township=body.township, held_on=body.held_on, topic=body.topic,
                        venue=body.venue, recorded_by=actor)
    s.add(row)
    s.flush()
    audit.record(s, actor, "policy_session.record", "policy_session", str(row.id), None, session_dict(row))
    return session_dict(row, enterprises=0, attendees=0)


def put_attendance(s: Session, actor: str, session_id: int, uscc: str, body: AttendanceIn) -> tuple[dict, bool]:
    """Record (or replace) an enterprise's attendance at a session: one row per (session,
    enterprise), so recording it again replaces the count. Returns (row, created)."""
    if s.get(PolicySession, session_id) is None:
        raise not_found("宣讲会", "Policy session", str(session_id))
    _enterprise(s, uscc)
    row = s.get(SessionAttendance, (session_id, uscc))
    before = attendance_dict(row) if row else None
    if row is None:
        row = SessionAttendance(session_id=session_id, uscc=uscc, attendees=body.attendees, recorded_by=actor)
        s.add(row)
    else:
        row.attendees, row.recorded_by = body.attendees, actor
    s.flush()
    audit.record(s, actor, "policy_session.attendance", "session_attendance", f"{session_id}/{uscc}", before,
                 attendance_dict(row))
    return attendance_dict(row), before is None


def attendance_dict(row: SessionAttendance, name: str | None = None) -> dict:
    out = {"session_id": row.session_id, "uscc": row.uscc, "attendees": row.attendees}
    return out | {"name": name} if name is not None else out


def session_dict(row: PolicySession, **counts) -> dict:
    return {"id": row.id, "title": row.title, "township": row.township, "held_on": row.held_on.isoformat(),
            "topic": row.topic, "venue": row.venue, **counts}


def session_counts(s: Session, ids: list[int]) -> dict[int, tuple[int, int]]:
    """(enterprises, attendees) per session."""
    out = {i: (0, 0) for i in ids}
    for sid, n, people in s.execute(select(SessionAttendance.session_id, func.count(), func.sum(SessionAttendance.attendees))
                                    .where(SessionAttendance.session_id.in_(ids))
                                    .group_by(SessionAttendance.session_id)):
        out[sid] = (n, int(people or 0))
    return out


def session_detail(s: Session, session_id: int) -> dict:
    row = s.get(PolicySession, session_id)
    if row is None:
        raise not_found("宣讲会", "Policy session", str(session_id))
    items = [attendance_dict(a, name) for a, name in s.execute(
        select(SessionAttendance, Enterprise.name).join(Enterprise, Enterprise.uscc == SessionAttendance.uscc)
        .where(SessionAttendance.session_id == session_id).order_by(SessionAttendance.uscc))]
    return session_dict(row, enterprises=len(items), attendees=sum(i["attendees"] for i in items)) | {"attendance": items}


def session_summary(s: Session, year: int, township: str | None = None) -> dict:
    """Per township, for the sessions held in a year: sessions, distinct enterprises attending, attendees."""
    stmt = select(PolicySession.id, PolicySession.township).where(
        PolicySession.held_on >= dt.date(year, 1, 1), PolicySession.held_on <= dt.date(year, 12, 31))
    if township:
        stmt = stmt.where(PolicySession.township == township)
    sessions = [(i, t) for i, t in s.execute(stmt)]
    attendance = [(a, u, n) for a, u, n in s.execute(
        select(SessionAttendance.session_id, SessionAttendance.uscc, SessionAttendance.attendees)
        .where(SessionAttendance.session_id.in_(select(stmt.subquery().c.id))))]
    return {"year": year, **rules.session_summary(sessions, attendance)}


GROUPS = {"township": Enterprise.township, "park": Enterprise.park_id, "industry": Enterprise.industry_code}


def new_stats(s: Session, start: dt.date, end: dt.date, by: str | None = None) -> dict:
    """Stock on `end` and additions within [start, end] per title, overall and per group."""
    group_of: dict[str, str | None] = {}
    by_enterprise: dict[str, list[rules.Cert]] = {}
    column = GROUPS[by] if by else Enterprise.uscc
    for uscc, key in s.execute(select(Enterprise.uscc, column)):
        by_enterprise[uscc] = []
        group_of[uscc] = key
    for c in s.execute(select(Certification.id, Certification.uscc, Certification.tier,
                              Certification.recognized_on, Certification.expires_on, Certification.revoked_on)):
        by_enterprise[c.uscc].append(rules.Cert(c.id, c.tier, c.recognized_on, c.expires_on, c.revoked_on))
    total = rules.period_counts(by_enterprise, start, end)
    out = {"from": start.isoformat(), "to": end.isoformat(),
           "base_on": (start - dt.timedelta(days=1)).isoformat(),
           "tiers": total, "text_zh": rules.reply_sentence(total, end, start), "by": by}
    if by:
        groups: dict = defaultdict(dict)
        for uscc, certs in by_enterprise.items():
            groups[group_of[uscc] or ""][uscc] = certs
        out["groups"] = [{"key": key or None, "tiers": rules.period_counts(members, start, end)}
                         for key, members in sorted(groups.items())]
    return out


def monitoring(s: Session, year: int, month: int, today: dt.date) -> dict:
    """The monthly monitoring snapshot (月度监测): holders per title at the month's end (or today,
    within the current month), new titles in the month and the year to date, renewals coming due,
    and the service package's open and overdue requests, as of that day."""
    import calendar

    first = dt.date(year, month, 1)
    end = min(dt.date(year, month, calendar.monthrange(year, month)[1]), max(today, first))
    in_month = new_stats(s, first, end)["tiers"]
    to_date = new_stats(s, dt.date(year, 1, 1), end)["tiers"]
    tiers = {t: {"stock": in_month[t]["stock"], "new_in_month": in_month[t]["new"],
                 "renewed_in_month": in_month[t]["renewed"], "new_year_to_date": to_date[t]["new"]}
             for t in rules.TITLED}
    due = renewals_due(s, end)["items"]
    open_q = select(func.count()).select_from(ServiceRequest).where(
        ServiceRequest.opened_on <= end, or_(ServiceRequest.closed_on.is_(None), ServiceRequest.closed_on > end))
    return {"month": f"{year:04d}-{month:02d}", "as_of": end.isoformat(), "tiers": tiers,
            "current_tiers": tier_stats(s, end)["counts"],
            "renewals_due": len(due), "renewals_blocked": sum(1 for i in due if i["renewal_blocked"]),
            "service_requests": {"open": s.scalar(open_q),
                                 "overdue": s.scalar(open_q.where(ServiceRequest.due_on < end))}}


def new_stats_xlsx(stats: dict) -> bytes:
    """The same table as a workbook with Chinese headers (one sheet; grouped rows below the total)."""
    import io

    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "存量与新增"
    sheet.append([f"房山区专精特新企业存量与新增统计（{stats['from']} 至 {stats['to']}）"])
    sheet["A1"].font = Font(bold=True)
    group_name = {"township": "乡镇（街道）", "park": "园区", "industry": "行业"}.get(stats["by"] or "", "范围")
    header = [group_name, "称号", f"存量（截至{stats['to']}）", f"期初存量（{stats['base_on']}）",
              "较期初净增", "新增（首次认定）", "复核（再次认定）"]
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)

    def rows(key, tiers):
        for tier, c in tiers.items():
            # The group key is a township, park or industry as stored: safe_row keeps it text and writable.
            sheet.append(safe_row([key, rules.TIER_NAMES_ZH[tier], c["stock"], c["base"], c["net"], c["new"], c["renewed"]]))

    rows("全区", stats["tiers"])
    for g in stats.get("groups") or []:
        rows(g["key"] or "（未填）", g["tiers"])
    sheet.append([])
    sheet.append(safe_row([stats["text_zh"]]))
    for col, width in zip("ABCDEFG", (16, 30, 20, 20, 12, 16, 16)):
        sheet.column_dimensions[col].width = width
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


# -- recognition-list import -----------------------------------------------------------------
LIST_COLUMNS = ("序号", "企业名称", "统一社会信用代码", "所属区", "认定类型", "批次", "认定日期")
REQUIRED_COLUMNS = tuple(c for c in LIST_COLUMNS if c != "序号")
HEADER_SEARCH_ROWS = 10  # title rows, merged group headers and notes above the header row


def read_list_file(filename: str, content: bytes):
    """Yield (row number, {column: value}) from a CSV (UTF-8 with or without BOM, or GB18030) or
    XLSX. The header is the first row naming every column (title rows above it are passed over);
    blank rows and repeated header rows are ignored. The row number is 序号, else the position."""
    if not content.strip():
        raise Problem(422, "empty-file", "文件为空", "The file is empty")
    if filename.lower().endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
        yield from _table(_xlsx_rows(content))
        return
    import csv
    import io

    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")  # lists saved by Excel on a Chinese Windows
        except UnicodeDecodeError as e:
            raise Problem(422, "unreadable-file", "文件编码无法识别（需 UTF-8 或 GB18030）",
                          "The file is neither UTF-8 nor GB18030 text") from e
    if "\x00" in text:
        raise Problem(422, "unreadable-file", "文件不是文本表格（含 NUL 字符）",
                      "The file is not a text table (it contains NUL characters)")
    try:
        yield from _table(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        raise Problem(422, "unreadable-file", f"CSV 格式错误：{e}", f"Malformed CSV: {e}") from e


def _xlsx_rows(content: bytes):
    import io
    import zipfile

    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as e:
        raise Problem(422, "unreadable-file", "无法读取该 XLSX 文件", f"The XLSX file cannot be read: {e}") from e
    except Exception as e:  # noqa: BLE001 - any unreadable workbook is the caller's input problem
        raise Problem(422, "unreadable-file", "无法读取该 XLSX 文件", f"The XLSX file cannot be read: {e}") from e
    try:
        for values in book.active.iter_rows(values_only=True):
            yield [_cell(v) for v in values]
    finally:
        book.close()


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime | dt.date):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _header_name(v) -> str:
    return "".join(str(v or "").lstrip("\ufeff").split())  # spaces and line breaks inside a cell


def _table(rows):
    header: list[str] | None = None
    best: list[str] = []
    looked = 0
    position = 0
    for values in rows:
        if not any(str(v or "").strip() for v in values):
            continue  # a blank line
        if header is None:
            names = [_header_name(v) for v in values]
            if all(c in names for c in REQUIRED_COLUMNS):
                header = names
                continue
            if sum(c in names for c in REQUIRED_COLUMNS) > sum(c in best for c in REQUIRED_COLUMNS):
                best = names
            looked += 1
            if looked >= HEADER_SEARCH_ROWS:
                break
            continue
        if [_header_name(v) for v in values[:len(header)]] == header:
            continue  # the header repeated (lists pasted together)
        position += 1
        cells = {k: v for k, v in zip(header, values) if k}
        yield _row_number(cells, position), cells
    if header is None:
        _bad_columns(best)


def _bad_columns(best: list[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in best]
    found = [c for c in best if c]
    raise Problem(422, "bad-columns",
                  f"找不到表头：前 {HEADER_SEARCH_ROWS} 行中没有一行包含全部必需列；缺少列：{'、'.join(missing)}",
                  f"No header row: none of the first {HEADER_SEARCH_ROWS} rows names every required column; "
                  f"missing: {', '.join(missing)}",
                  errors=[{"loc": ["file", c], "msg": "missing column", "type": "missing"} for c in missing],
                  required=list(REQUIRED_COLUMNS), found=found)


def _row_number(cells: dict, position: int) -> int:
    try:
        return int(float(str(cells.get("序号")).strip()))
    except (TypeError, ValueError, OverflowError):
        return position


def plan_import(rows) -> tuple[dict, list[rules.ListRow]]:
    """Check every row: (the report so far, the valid rows in the order they are applied)."""
    from shared.clock import today
    from shared.validators import uscc_error

    report = {"rows": 0, "created": 0, "unchanged": 0, "skipped": 0, "rejected": []}
    valid = []
    for row, cells in rows:
        report["rows"] += 1
        checked = rules.check_list_row(row, cells, uscc_error, today())
        if checked == "skipped":
            report["skipped"] += 1
        elif isinstance(checked, list):
            report["rejected"].append({"row": row, "errors": checked})
        else:
            valid.append(checked)
    # Recognition order over the whole file, so promotions come out in time order.
    valid.sort(key=lambda r: (r.recognized_on, rank(r.tier), r.row))
    return report, valid


def import_rows(s: Session, actor: str, rows: list[rules.ListRow], years: dict | None = None,
                refused: list | None = None) -> tuple[int, int]:
    """Apply valid rows (in recognition order, so promotions come out in time order).
    Returns (created, unchanged); a row already known changes nothing; a refused row is appended
    to `refused` as {row, errors}. The enterprises and
    certifications the rows touch are read with two queries; each document is written once."""
    usccs = sorted({r.uscc for r in rows})
    # Locks taken and new keys inserted in USCC order: racing imports queue rather than deadlock.
    firms = {e.uscc: e for e in s.scalars(for_update(s, select(Enterprise).where(Enterprise.uscc.in_(usccs))
                                                         .order_by(Enterprise.uscc)))}
    certs: dict[str, list[Certification]] = defaultdict(list)
    for c in s.scalars(select(Certification).where(Certification.uscc.in_(usccs))
                       .order_by(Certification.recognized_on, Certification.id)):
        certs[c.uscc].append(c)
    touched: dict[str, Enterprise] = {}
    years = {} if years is None else years  # validity by (tier, date), for the whole import
    refused = [] if refused is None else refused  # rows the registry refuses (the re-application ban)
    created = unchanged = 0
    ordered = sorted(rows, key=lambda r: (r.recognized_on, rank(r.tier), r.row))
    for r in sorted(ordered, key=lambda r: r.uscc):  # new enterprises first, in one flush (certifications refer to them)
        if r.uscc not in firms:
            firms[r.uscc] = touched[r.uscc] = create_enterprise(
                s, actor, EnterpriseIn(uscc=r.uscc, name=r.name), known_new=True)
    s.flush()
    announced: list[tuple[Enterprise, Added]] = []
    for r in ordered:
        e = firms[r.uscc]
        try:
            added = new_certification(s, e, certs[r.uscc], CertificationIn(
                tier=r.tier, recognized_on=r.recognized_on, batch=r.batch, source="municipal_list"), years)
        except Problem as p:  # checked before anything is added: the row is refused, the rest go on
            refused.append({"row": r.row, "errors": [f"{p.zh} / {p.en}"]})
            continue
        if added:
            touched[r.uscc] = e
            announced.append((e, added))
        created += added is not None
        unchanged += added is None
    s.flush()  # one batch of INSERTs gives every new certification its id
    for e, added in announced:  # in recognition order, so promotions come out in time order
        announce(s, actor, e, added, certs[e.uscc])
    for uscc, e in touched.items():
        refresh_doc(s, e, certs[uscc])
    return created, unchanged


def job_dict(job: ImportJob) -> dict:
    ts = lambda v: v and v.isoformat() + "Z"  # noqa: E731
    return {"id": job.id, "kind": job.kind, "filename": job.filename, "state": job.state,
            "rows_total": job.rows_total, "rows_done": job.rows_done,
            "progress": round(job.rows_done / job.rows_total, 4) if job.rows_total else (1.0 if job.state == "done" else 0.0),
            "report": orjson.loads(job.report) if job.report else None, "error": job.error,
            "created_at": ts(job.created_at), "started_at": ts(job.started_at), "finished_at": ts(job.finished_at)}


# -- the municipal platform -------------------------------------------------------------------
def unregistered(s: Session, usccs: list[str]) -> list[str]:
    """The USCCs (in the order given) the registry does not know."""
    known = set(s.scalars(select(Enterprise.uscc).where(Enterprise.uscc.in_(usccs))))
    return [u for u in usccs if u not in known]


def recommendation_sent(s: Session, actor: str, year: int, tier: str, usccs: list[str], receipt) -> dict:
    """Record (audit) a district recommendation the platform received; the answer to the caller."""
    audit.record(s, actor, "platform.recommend", "recommendation", receipt.batch_id, None,
                 {"year": year, "tier": tier, "usccs": usccs, "accepted": receipt.accepted,
                  "duplicate": receipt.duplicate})
    return {"batch_id": receipt.batch_id, "year": year, "tier": tier, "enterprises": usccs,
            "accepted": receipt.accepted, "duplicate": receipt.duplicate}
