"""Certification use cases: add, revoke, expire, re-announce; the record published with every
change (events.py). They write through the caller's session and never commit."""
import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from services.registry import events
from services.registry.certifications import repository, rules
from services.registry.certifications.schemas import CertificationIn, CertificationPublic, RevokeIn, VoidIn
from services.registry.enterprises import repository as enterprises
from services.registry.enterprises.service import as_rule, refresh_doc
from services.registry.tables import Certification, Enterprise
from shared import audit
from shared.errors import Problem, not_found
from shared.events import emit_data


def snapshot(c: Certification) -> dict:
    """The certification as its answer and its audit row show it."""
    return CertificationPublic.model_validate(c).model_dump(mode="json")


def validity_years(s: Session, tier: str, on: dt.date, cache: dict | None = None) -> int:
    if cache is not None and (tier, on) in cache:
        return cache[(tier, on)]
    years = int(repository.parameter(s, on, f"certification.validity_years.{tier}").value)
    if cache is not None:
        cache[(tier, on)] = years
    return years


def add(s: Session, actor: str, uscc: str, body: CertificationIn) -> tuple[Certification, bool]:
    """Record a certification; publish a promotion when the tier rises. Returns (cert, created)."""
    e = enterprises.locked(s, uscc)
    if e is None:
        raise not_found("企业", "Enterprise", uscc)
    existing = repository.certifications_of(s, uscc)
    added = new_certification(s, e, existing, body)
    if added is None:
        return next(c for c in existing if same(c, body)), False
    s.flush()
    certs = sorted(existing, key=lambda c: (c.recognized_on, c.id))  # all of them, the new one with its id
    announce(s, actor, e, added, certs)
    refresh_doc(s, e, certs)
    return added.cert, True


@dataclass
class Added:
    """A certification added but not yet announced (its id comes with the flush)."""

    cert: Certification
    change: rules.Change | None
    first_time: bool


def new_certification(s: Session, e: Enterprise, existing: list[Certification], body: CertificationIn,
                      years_cache: dict | None = None, build=None) -> Added | None:
    """Add a certification to a locked enterprise whose certifications are `existing` (appended
    to); None when the same tier and date is already recorded. The caller flushes, then calls
    announce(), then refresh_doc (once per enterprise in a bulk import). `build(values)`: makes
    the certification instead of a session-added Certification (a bulk import inserts its rows at
    once with a Core INSERT and gives them their ids)."""
    if any(same(c, body) for c in existing):
        return None
    check_not_banned(s, existing, body.recognized_on)
    expires = body.expires_on or rules.expiry(
        body.recognized_on, validity_years(s, body.tier, body.recognized_on, years_cache))
    values = {"uscc": e.uscc, "tier": body.tier, "recognized_on": body.recognized_on, "expires_on": expires,
              "batch": body.batch, "source": body.source, "state": "active"}
    if build is None:
        cert = Certification(**values)
        s.add(cert)
    else:
        cert = build(values)
    olds = [as_rule(c) for c in existing]
    existing.append(cert)
    new = rules.Cert(0, cert.tier, cert.recognized_on, cert.expires_on)
    return Added(cert, rules.change_on_add(olds, new), rules.first_time_at(olds, cert.tier))


def same(c: Certification, body: CertificationIn) -> bool:
    """Already recorded: the same tier on the same date, not voided (a voided one steps aside, so
    the title can be entered again correctly)."""
    return c.state != "voided" and (c.tier, c.recognized_on) == (body.tier, body.recognized_on)


def announce(s: Session, actor: str, e: Enterprise, added: Added, certs: list[Certification] | None = None,
             out: "BulkWrites | None" = None) -> None:
    """After the flush that gave the certification its id: the event carrying the new record (a
    promotion when the tier rises, else certification.added) and the audit row. `certs`: all the
    enterprise's certifications, flushed, when the caller holds them; `out`: a bulk import's writes,
    which gather the event and audit row for its chunk's INSERTs (else both are written now)."""
    e.version += 1
    data = events.addition(s, e, added.change, added.cert, added.first_time, certs)
    after = snapshot(added.cert)
    if out is None:
        emit_data(s, e.uscc, data)
        audit.record(s, actor, "certification.add", "certification", str(added.cert.id), None, after)
    else:
        out.event(e.uscc, data)
        out.audit("certification.add", "certification", str(added.cert.id), None, after)


class BulkWrites(Protocol):
    """Where a bulk import gathers a chunk's events and audit rows (imports.service._Writes)."""

    def event(self, subject: str, data) -> None: ...

    def audit(self, action: str, object_type: str, object_id: str, before, after) -> None: ...


def check_not_banned(s: Session, existing: list[Certification], on: dt.date) -> None:
    """No new title within the re-application ban after a revocation for cause (409)."""
    # A voided certification never counted: a revocation of it bans nothing.
    revocations = [c.revoked_on for c in existing if c.for_cause and c.revoked_on and c.state != "voided"]
    if not revocations:
        return
    p = repository.parameter(s, on, "certification.reapply_ban_years")
    ban = rules.reapply_ban(revocations, on, int(p.value))
    if ban:
        raise Problem(409, "reapplication-banned",
                      f"该企业于 {ban[0]} 因故被撤销认定，{ban[1]} 前不得再次认定",
                      f"The enterprise's title was revoked for cause on {ban[0]}; no new title before {ban[1]}",
                      revoked_on=ban[0].isoformat(), banned_until=ban[1].isoformat(), basis=p.cite())


def revoke(s: Session, actor: str, cert: Certification, body: RevokeIn, today: dt.date) -> Certification:
    if cert.state == "voided":
        raise Problem(409, "certification-voided", f"该认定已于 {cert.voided_on} 作废，不能撤销",
                      f"The certification was voided on {cert.voided_on}: it cannot be revoked")
    if cert.state == "revoked":
        raise Problem(409, "already-revoked", f"该认定已于 {cert.revoked_on} 撤销",
                      f"The certification was already revoked on {cert.revoked_on}")
    on = body.revoked_on or today
    if on < cert.recognized_on:
        raise Problem(422, "revoked-before-recognized", "撤销日期早于认定日期",
                      "revoked_on is before the recognition date",
                      errors=[{"loc": ["body", "revoked_on"], "msg": "before recognized_on", "type": "value"}])
    e = enterprises.get_or_404(s, cert.uscc)
    before_state = snapshot(cert)
    others = repository.certifications_of(s, cert.uscc)
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
    audit.record(s, actor, "certification.revoke", "certification", str(cert.id), before_state, snapshot(cert))
    return cert


def void(s: Session, actor: str, cert: Certification, body: VoidIn, today: dt.date) -> Certification:
    """Void a certification entered by mistake (作废): unlike a revocation it carries no ban and it
    never counted, on any date. The record is published with it voided (certification.voided.v1):
    each department undoes what it did. Voided already: 409."""
    e = enterprises.locked(s, cert.uscc)
    s.refresh(cert)  # as it stands once the enterprise is locked (a racing void answers 409)
    if cert.state == "voided":
        raise Problem(409, "already-voided", f"该认定已于 {cert.voided_on} 作废",
                      f"The certification was already voided on {cert.voided_on}", voided_on=cert.voided_on.isoformat())
    before_state = snapshot(cert)
    cert.state, cert.voided_on, cert.void_reason = "voided", today, body.reason
    e.version += 1
    refresh_doc(s, e)  # flushes
    events.voided(s, e, cert)
    audit.record(s, actor, "certification.void", "certification", str(cert.id), before_state, snapshot(cert))
    return cert


def expire_due(s: Session, today: dt.date, actor: str = "system:expiry", limit: int | None = None) -> int:
    """Mark certifications past their last valid day expired (the oldest `limit` of them), each
    announced with the record (a demotion, or enterprise.recorded.v1 when the tier stays); how many.
    Idempotent. Only active ones are due (repository.due_to_expire): a voided or revoked one stays."""
    due = repository.due_to_expire(s, today, limit)
    for cert in due:
        certs = [as_rule(c) for c in repository.certifications_of(s, cert.uscc)]
        cert.state = "expired"
        e = enterprises.get_or_404(s, cert.uscc)
        change = rules.change_on_expiry(certs, as_rule(cert))
        e.version += 1  # the record changed (the state); its dates already said the title ended
        # The sweep only announces (every department's tier lapsed with the dates), but every version
        # is announced, so each copy reads the title expired: a demotion when the tier falls, else the
        # record as it stands (an expiry under a higher or renewed title).
        if change:
            events.demoted(s, e, change, cert, "expired")
        else:
            events.recorded(s, e)
        refresh_doc(s, e)
        audit.record(s, actor, "certification.expire", "certification", str(cert.id),
                     {"state": "active"}, {"state": "expired"})
    return len(due)


def announce_records(s: Session, actor: str) -> int:
    """Re-announce every enterprise's record at its current version (consumers keep it only where
    theirs is missing or older, so a repeat changes nothing)."""
    certs = repository.by_enterprise(s)
    n = 0
    for e in enterprises.every(s):
        events.recorded(s, e, certs[e.uscc])
        n += 1
    audit.record(s, actor, "enterprise.announce_records", "enterprise", "*", None, {"announced": n})
    return n
