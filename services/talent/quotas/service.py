"""Quota use cases: grants from the registry's events, their basis, and the caller's reads. They
write through the caller's session (a request's or an event handler's) and never commit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.talent import events, rules
from services.talent.quotas import repository as repo
from services.talent.quotas.schemas import RULE, Basis, CertificationStatus, EntitlementPublic, QuotaPublic
from services.talent.tables import CertificationRevocation, QuotaEntitlement, QuotaGrant
from shared import audit, params, projection
from shared.auth import Principal
from shared.contracts.registry import (CertificationRevoked, CertificationVoided, EnterpriseDeparted,
                                      EnterprisePromoted, EnterpriseRecord)


def certification_status(record: EnterpriseRecord | None, certification_id: int | None,
                         today: dt.date) -> CertificationStatus | None:
    """Where a certification stands today by the newest registry record held (the registry's fact:
    talent reads it, never decides it); None when that record does not hold it."""
    c = record.certification(certification_id) if record is not None and certification_id is not None else None
    if c is None:
        return None
    return CertificationStatus(state=rules.certification_state(c, today), expires_on=c.expires_on,
                               revoked_on=c.revoked_on, for_cause=c.for_cause, record_version=record.version)


def basis_of(g: QuotaGrant, ents: list[QuotaEntitlement], today: dt.date | None = None,
             record: EnterpriseRecord | None = None) -> Basis:
    """How the year's grant was decided: the entitlement it rests on, every entitlement of the
    year (active or cancelled), the parameter rows used, and the rule. With `today` (a read), each
    certification cited also says where it stands today by `record`, the newest registry record
    held (a revoked or voided title must not read as one in force); events carry no status (it
    changes with the date and with later records)."""
    active = [e for e in ents if e.state == "active"]
    best = max(active, key=lambda e: e.count, default=None)  # the earliest of equal ones
    basis = Basis(rule=RULE, tier=best and best.tier, certification_id=best and best.certification_id,
                  recognized_on=best and best.recognized_on, params=best.params if best else [],
                  entitlements=[EntitlementPublic.model_validate(e) for e in ents])
    kept = g.granted - (best.count if best else 0)
    if kept > 0:  # cancelled entitlements whose quotas are in use; the key is there only then
        basis.kept_in_use = kept
    if today is not None:  # set, so the read's answer (exclude_unset) shows it, null included
        basis.certification_status = certification_status(record, basis.certification_id, today)
        for e in basis.entitlements:
            e.certification_status = certification_status(record, e.certification_id, today)
    return basis


def settle(s: Session, g: QuotaGrant, actor: str, ents: list[QuotaEntitlement] | None = None) -> None:
    """Recompute a (locked) year's grant from its entitlements (`ents`, when the caller holds them
    all, flushed); announce a rise or a fall."""
    if ents is None:
        ents = repo.entitlements(s, [g.id])[g.id]
    new = rules.granted([e.count for e in ents if e.state == "active"], g.used)
    before = g.granted
    if new == before:
        return
    g.granted = new  # written with the transaction's next flush (a flush per year cost the most)
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


def on_record(s: Session, event_id: str, record: EnterpriseRecord, today: dt.date,
              told: dict[int, str] | None = None) -> EnterpriseRecord:
    """Any registry event: keep the newest record seen (a stale one changes nothing) and apply what
    it ends (revocations for cause, voided certifications, a departure; rules.ends). `told`: the
    reasons an event gives, by certification. Returns the newest record held."""
    newest = projection.keep_newest(s, record)
    _apply_ends(s, newest.uscc, rules.ends(newest, today), f"event:{event_id}", told or {})
    return newest


def _reason(s: Session, end: rules.End, told: dict[int, str]) -> str:
    """Why an entitlement was cancelled, in the bureau's words first."""
    if end.kind == "revoked":
        r = repo.revocation(s, end.certification_id)  # the revocation event's reason, when it has come
        text = f"认定撤销（{(r and r.reason) or '-'}）/ certification {end.certification_id} revoked for cause"
    elif end.kind == "voided":
        text = _void_reason(end.certification_id, told.get(end.certification_id))
    else:
        zh = "企业迁出" if end.kind == "moved_out" else "企业注销"
        text = f"{zh}（{end.on}）/ the enterprise {end.kind.replace('_', ' ')} on {end.on}"
    return text[:500]


def _void_reason(cert_id: int, reason: str | None) -> str:
    return f"认定作废（{reason or '-'}）/ certification {cert_id} voided (entered by mistake)"


def _cancelled(s: Session, end: rules.End, told: dict[int, str]) -> dict:
    """What an entitlement the end reaches becomes."""
    return {"state": "cancelled", "cancelled_on": end.on, "cancel_reason": _reason(s, end, told)}


def _cancel(s: Session, e: QuotaEntitlement, end: rules.End, told: dict[int, str]) -> None:
    for column, value in _cancelled(s, end, told).items():
        setattr(e, column, value)


def _apply_ends(s: Session, uscc: str, ends: list[rules.End], actor: str, told: dict[int, str]) -> None:
    """Cancel the active entitlements the ends reach; each year's grant is settled again once
    (never below the quotas in use). Years are locked in ascending order, as every writer does."""
    if not ends:
        return
    years = sorted({y for y, cert_id in repo.active_entitlements_of(s, uscc) if rules.ended_by(ends, cert_id, y)})
    for year in years:
        g = repo.grant_locked(s, uscc, year)
        for e in repo.entitlements(s, [g.id])[g.id]:
            end = rules.ended_by(ends, e.certification_id, year)
            if e.state == "active" and end:
                _cancel(s, e, end, told)
        s.flush()
        settle(s, g, actor)


def on_promotion(s: Session, event_id: str, data: EnterprisePromoted, today: dt.date) -> None:
    """srdi.registry.enterprise.promoted.v1: grant what a first recognition at a tier entitles.

    Idempotent and order-free: one entitlement per (year, certification), a year's grant is the
    largest of them, and what the newest record ends (a revocation, a void, a departure — whichever
    event brought it) is applied at once. A recognition dated after today grants nothing
    (FutureFact); one on or after the enterprise's departure grants nothing; a back-filled one
    grants no year before the current one."""
    _not_after_today(data.recognized_on, today, "recognized_on")
    uscc, tier, cert_id, on = data.uscc, data.to_tier.value, data.certification_id, data.recognized_on
    newest = projection.keep_newest(s, data.record)
    ends, actor = rules.ends(newest, today), f"event:{event_id}"
    years = rules.entitlements(tier, on, data.first_time_at_tier, params.in_force(s, on, rules.PREFIX))
    gone = rules.departed_on(newest, today)
    if gone is not None and on >= gone:
        years = []  # no new grant for an enterprise that has left
    cert = newest.certification(cert_id) or data.record.certification(cert_id)
    if cert is not None and cert.backfilled:
        years = [ye for ye in years if rules.backfill_grants(ye.year, today)]
    grants = repo.grants_locked(s, uscc, [ye.year for ye in years])  # in ascending years, as every writer
    held = repo.entitlements(s, [g.id for g in grants.values()])
    added = []
    for ye in years:
        g = grants[ye.year]
        if any(e.certification_id == cert_id for e in held[g.id]):
            continue  # the same facts again, under another event id
        e = {"grant_id": g.id, "certification_id": cert_id, "tier": tier, "recognized_on": on, "count": ye.count,
             "params": [p.cite() for p in ye.params], "event_id": event_id}
        end = rules.ended_by(ends, cert_id, ye.year)
        if end:
            e |= _cancelled(s, end, {})
        added.append((g, e))
    if added:  # one INSERT for every year's entitlement, read back with their ids (each year's basis cites them)
        repo.add_entitlements(s, [e for _, e in added])
        held = repo.entitlements(s, [g.id for g, _ in added], fresh=True)
    for g, _ in added:  # ascending years
        settle(s, g, actor, held[g.id])
    _apply_ends(s, uscc, ends, actor, {})  # anything else the record ends


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


def on_void(s: Session, event_id: str, data: CertificationVoided, today: dt.date) -> None:
    """srdi.registry.certification.voided.v1: the certification's quotas of the current year and
    later years are cancelled (rules.ends; one a nomination holds is kept until that nomination
    ends), with the event's reason. Entitlements cancelled earlier
    through another event's record, before the reason was known, get it now."""
    told = {data.certification_id: data.reason}
    newest = on_record(s, event_id, data.record, today, told)
    if newest.certification(data.certification_id) is None:
        raise CertificationMissing(f"the newest registry record of {data.uscc} (version {newest.version}) does not "
                                   f"hold certification {data.certification_id}: nothing is cancelled")
    cert_id = data.certification_id
    repo.retell(s, cert_id, _void_reason(cert_id, None)[:500], _void_reason(cert_id, data.reason)[:500])


def on_departure(s: Session, event_id: str, data: EnterpriseDeparted, today: dt.date) -> None:
    """srdi.registry.enterprise.departed.v1: its quotas of the years after the year it left are
    cancelled (rules.ends); a departure dated after today cancels nothing (FutureFact)."""
    _not_after_today(data.on, today, "on")
    on_record(s, event_id, data.record, today)


def public(g: QuotaGrant, ents: list[QuotaEntitlement], today: dt.date,
           record: EnterpriseRecord | None = None) -> QuotaPublic:
    """A year's quotas; `tier_today` is the enterprise's tier today by the newest registry record
    held (None when talent has not heard of the enterprise), for the reader's information only:
    the grant rests on its entitlements, not on today's tier."""
    return QuotaPublic(uscc=g.uscc, year=g.year, granted=g.granted, used=g.used,
                       available=rules.available(g.granted, g.used, g.year, today),
                       lapsed=rules.lapsed(g.year, today), tier_today=record.tier_on(today) if record else None,
                       basis=basis_of(g, ents, today, record))


def list_quotas(s: Session, who: Principal, today: dt.date, limit: int, after: tuple[str, int] | None = None,
                uscc: str | None = None, year: int | None = None) -> list[QuotaPublic]:
    """The grants `who` may read, ordered by (uscc, year); limit + 1 for the pager."""
    grants = repo.page(s, who, limit, after, uscc, year)
    ents = repo.entitlements(s, [g.id for g in grants])
    held = projection.records(s, {g.uscc for g in grants}) if grants else {}
    return [public(g, ents[g.id], today, held.get(g.uscc)) for g in grants]
