"""Quota use cases: grants from the registry's events, their basis, and the caller's reads. They
write through the caller's session (a request's or an event handler's) and never commit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.talent import events, rules
from services.talent.quotas import repository as repo
from services.talent.quotas.schemas import RULE, Basis, EntitlementPublic, QuotaPublic
from services.talent.tables import CertificationRevocation, QuotaEntitlement, QuotaGrant
from shared import audit, params, projection
from shared.auth import Principal
from shared.contracts.registry import CertificationRevoked, EnterprisePromoted, EnterpriseRecord


def basis_of(g: QuotaGrant, ents: list[QuotaEntitlement]) -> Basis:
    """How the year's grant was decided: the entitlement it rests on, every entitlement of the
    year (active or cancelled), the parameter rows used, and the rule."""
    active = [e for e in ents if e.state == "active"]
    best = max(active, key=lambda e: e.count, default=None)  # the earliest of equal ones
    basis = Basis(rule=RULE, tier=best and best.tier, certification_id=best and best.certification_id,
                  recognized_on=best and best.recognized_on, params=best.params if best else [],
                  entitlements=[EntitlementPublic.model_validate(e) for e in ents])
    kept = g.granted - (best.count if best else 0)
    if kept > 0:  # cancelled entitlements whose quotas are in use; the key is there only then
        basis.kept_in_use = kept
    return basis


def settle(s: Session, g: QuotaGrant, actor: str) -> None:
    """Recompute a (locked) year's grant from its entitlements; announce a rise or a fall."""
    ents = repo.entitlements(s, [g.id])[g.id]
    new = rules.granted([e.count for e in ents if e.state == "active"], g.used)
    before = g.granted
    if new == before:
        return
    g.granted = new
    s.flush()
    basis = basis_of(g, ents).model_dump(mode="json", exclude_unset=True)
    if new > before:
        events.quota_granted(s, g.uscc, g.year, new, basis)
    else:
        events.quota_cancelled(s, g.uscc, g.year, new, before - new, basis)
    audit.record(s, actor, "quota.grant" if new > before else "quota.cancel", "quota_grant",
                 f"{g.uscc}/{g.year}", {"granted": before, "used": g.used}, {"granted": new, "used": g.used})


class FutureFact(ValueError):
    """A registry fact dated after today. Talent grants and cancels nothing ahead of a fact's date
    (the registry refuses such dates; this is the second line): the event is the handler's own
    error, so it becomes a visible dead letter, to be replayed once its date has come."""


class CertificationMissing(LookupError):
    """A revocation event whose newest registry record does not hold the revoked certification
    (the registry's records hold every one). Nothing is cancelled on the event's own fields: the
    event is retried and then dead-lettered, where an operator sees it."""


def _not_after_today(on: dt.date, today: dt.date, what: str) -> None:
    if on > today:
        raise FutureFact(f"{what} {on} is after today ({today}): no quota is granted or cancelled before its date")


def on_record(s: Session, event_id: str, record: EnterpriseRecord, today: dt.date) -> EnterpriseRecord:
    """Any registry event: keep the newest record seen (a stale one changes nothing) and apply
    the revocations for cause it shows. Returns the newest record held."""
    projection.remember(s, record)
    newest = projection.record_of(s, record.uscc)
    _apply_revocations(s, newest, today, f"event:{event_id}")
    return newest


def _apply_revocations(s: Session, record: EnterpriseRecord, today: dt.date, actor: str) -> None:
    for c in rules.revoked_for_cause(record.certifications, today):
        _cancel_later_years(s, record.uscc, c.id, c.revoked_on, actor)


def on_promotion(s: Session, event_id: str, data: EnterprisePromoted, today: dt.date) -> None:
    """srdi.registry.enterprise.promoted.v1: grant what a first recognition at a tier entitles.

    Idempotent and order-free: one entitlement per (year, certification), a year's grant is the
    largest of them, and a revocation the newest record shows (whichever event brought it) is
    applied at once. A recognition dated after today grants nothing (FutureFact)."""
    _not_after_today(data.recognized_on, today, "recognized_on")
    uscc, tier, cert_id, on = data.uscc, data.to_tier.value, data.certification_id, data.recognized_on
    projection.remember(s, data.record)
    newest = projection.record_of(s, data.record.uscc)
    revoked_on = next((c.revoked_on for c in rules.revoked_for_cause(newest.certifications, today)
                       if c.id == cert_id), None)
    years = rules.entitlements(tier, on, data.first_time_at_tier, params.in_force(s, on, rules.PREFIX))
    for ye in years:  # ascending years: every writer locks grants in the same order
        g = repo.grant_locked(s, uscc, ye.year, create=True)
        if repo.has_entitlement(s, g.id, cert_id):
            continue  # the same facts again, under another event id
        e = QuotaEntitlement(grant_id=g.id, certification_id=cert_id, tier=tier, recognized_on=on, count=ye.count,
                             params=[p.cite() for p in ye.params], event_id=event_id, state="active")
        if revoked_on and rules.cancels(ye.year, revoked_on, True):
            _cancel(s, e, cert_id, revoked_on)
        repo.add(s, e)
        settle(s, g, f"event:{event_id}")
    _apply_revocations(s, newest, today, f"event:{event_id}")  # any other revocation it shows


def _cancel(s: Session, e: QuotaEntitlement, cert_id: int, revoked_on: dt.date) -> None:
    r = repo.revocation(s, cert_id)  # the revocation event's reason, when it has come
    e.state, e.cancelled_on = "cancelled", revoked_on
    e.cancel_reason = f"认定撤销（{(r and r.reason) or '-'}）/ certification {cert_id} revoked for cause"[:500]


def _cancel_later_years(s: Session, uscc: str, cert_id: int, revoked_on: dt.date, actor: str) -> None:
    """Cancel a certification's active entitlements of the years after the year of its revocation
    for cause; each year's grant is settled again (never below the quotas in use)."""
    for year in repo.active_years_of(s, uscc, cert_id):
        if not rules.cancels(year, revoked_on, True):
            continue
        g = repo.grant_locked(s, uscc, year)
        for e in repo.entitlements(s, [g.id])[g.id]:
            if e.certification_id == cert_id and e.state == "active":
                _cancel(s, e, cert_id, revoked_on)
        s.flush()
        settle(s, g, actor)


def on_revocation(s: Session, event_id: str, data: CertificationRevoked, today: dt.date) -> None:
    """srdi.registry.certification.revoked.v1: keep its reason; for cause, cancel the unused
    quotas of later years that this certification produced, as the newest record held shows them.
    A revocation dated after today cancels nothing (FutureFact); one whose certification that
    record does not hold is, for cause, an error kept as a dead letter (CertificationMissing)."""
    _not_after_today(data.revoked_on, today, "revoked_on")
    if repo.revocation(s, data.certification_id) is None:
        repo.add(s, CertificationRevocation(certification_id=data.certification_id, uscc=data.uscc,
                                            tier=data.tier.value, revoked_on=data.revoked_on,
                                            for_cause=data.for_cause, reason=(data.reason or "")[:500],
                                            event_id=event_id))
    newest = on_record(s, event_id, data.record, today)
    # Only a revocation for cause cancels anything; one that is not acts on nothing either way.
    if data.for_cause and newest.certification(data.certification_id) is None:
        raise CertificationMissing(f"the newest registry record of {data.uscc} (version {newest.version}) does not "
                                   f"hold certification {data.certification_id}: nothing is cancelled")


def public(g: QuotaGrant, ents: list[QuotaEntitlement], today: dt.date,
           record: EnterpriseRecord | None = None) -> QuotaPublic:
    """A year's quotas; `tier_today` is the enterprise's tier today by the newest registry record
    held (None when talent has not heard of the enterprise), for the reader's information only:
    the grant rests on its entitlements, not on today's tier."""
    return QuotaPublic(uscc=g.uscc, year=g.year, granted=g.granted, used=g.used,
                       available=rules.available(g.granted, g.used, g.year, today),
                       lapsed=rules.lapsed(g.year, today), tier_today=record.tier_on(today) if record else None,
                       basis=basis_of(g, ents))


def list_quotas(s: Session, who: Principal, today: dt.date, limit: int, after: tuple[str, int] | None = None,
                uscc: str | None = None, year: int | None = None) -> list[QuotaPublic]:
    """The grants `who` may read, ordered by (uscc, year); limit + 1 for the pager."""
    grants = repo.page(s, who, limit, after, uscc, year)
    ents = repo.entitlements(s, [g.id for g in grants])
    held = projection.records(s, {g.uscc for g in grants}) if grants else {}
    return [public(g, ents[g.id], today, held.get(g.uscc)) for g in grants]
