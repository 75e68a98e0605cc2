"""What the registry publishes: every event about an enterprise carries its whole record
(shared.contracts.registry), built here from the tables in the change's own transaction."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.certifications.rules import Change
from services.registry.tables import Certification, Enterprise
from shared.contracts.registry import (
    CertificationAdded,
    CertificationRecord,
    CertificationRevoked,
    CertificationVoided,
    EnterpriseChanged,
    EnterpriseDemoted,
    EnterpriseDeparted,
    EnterprisePromoted,
    EnterpriseRecord,
    EnterpriseRecorded,
    EnterpriseRegistered,
    FieldChange,
)
from shared.events import emit_data


def certification_record(c: Certification) -> CertificationRecord:
    return CertificationRecord(id=c.id, tier=c.tier, recognized_on=c.recognized_on, expires_on=c.expires_on,
                               revoked_on=c.revoked_on, for_cause=bool(c.for_cause), state=c.state,
                               backfilled=bool(c.backfilled))


def record(s: Session, e: Enterprise, certs: list[Certification] | None = None) -> EnterpriseRecord:
    """The enterprise's whole record at its current version. `certs`: every certification it has,
    flushed, when the caller holds them (a bulk import); else they are read."""
    if certs is None:
        s.flush()
        certs = s.scalars(select(Certification).where(Certification.uscc == e.uscc)
                          .order_by(Certification.recognized_on, Certification.id))
    return EnterpriseRecord(uscc=e.uscc, name=e.name, version=e.version, township=e.township, park_id=e.park_id,
                            industry_code=e.industry_code, relocated_on=e.relocated_on,
                            relocated_from=e.relocated_from, relocated_from_code=e.relocated_from_code,
                            introducer=e.introducer, status=e.status or "active", status_on=e.status_on,
                            certifications=tuple(certification_record(c) for c in certs))


def facts(s: Session, e: Enterprise, certs: list[Certification] | None = None) -> dict:
    """What every enterprise event carries: the USCC, the record's version, the whole record and its
    flat facts."""
    r = record(s, e, certs)
    flat = r.model_dump(include={"name", "township", "park_id", "industry_code", "relocated_on", "relocated_from",
                                 "relocated_from_code", "introducer", "status", "status_on"})
    return {"uscc": e.uscc, "enterprise_version": r.version, "record": r, **flat}


def registration(s: Session, e: Enterprise) -> EnterpriseRegistered:
    return EnterpriseRegistered(**facts(s, e, []))  # a new enterprise has no titles yet


def registered(s: Session, e: Enterprise) -> None:
    emit_data(s, e.uscc, registration(s, e))


def addition(s: Session, e: Enterprise, change: Change | None, cert: Certification, first_time: bool,
             certs: list[Certification] | None = None) -> EnterprisePromoted | CertificationAdded:
    """A new certification's event: a promotion when the tier rises (`change`), else certification.added."""
    if change:
        return EnterprisePromoted(
            **facts(s, e, certs), from_tier=change.from_tier, to_tier=change.to_tier, certification_id=cert.id,
            recognized_on=cert.recognized_on, expires_on=cert.expires_on, first_time_at_tier=first_time)
    return CertificationAdded(**facts(s, e, certs), certification_id=cert.id, tier=cert.tier,
                              recognized_on=cert.recognized_on)


def demoted(s: Session, e: Enterprise, change: Change, cert: Certification, reason: str) -> None:
    emit_data(s, e.uscc, EnterpriseDemoted(
        **facts(s, e), from_tier=change.from_tier, to_tier=change.to_tier, reason=reason,
        certification_id=cert.id, on=change.on))


def revoked(s: Session, e: Enterprise, cert: Certification) -> None:
    emit_data(s, e.uscc, CertificationRevoked(
        **facts(s, e), certification_id=cert.id, tier=cert.tier, reason=cert.revoke_reason,
        for_cause=bool(cert.for_cause), revoked_on=cert.revoked_on))


def recorded(s: Session, e: Enterprise, certs: list[Certification] | None = None) -> None:
    emit_data(s, e.uscc, EnterpriseRecorded(**facts(s, e, certs)))


def changed(s: Session, e: Enterprise, changes: list[FieldChange], reason: str | None) -> None:
    emit_data(s, e.uscc, EnterpriseChanged(**facts(s, e), changes=tuple(changes), reason=reason))


def departed(s: Session, e: Enterprise) -> None:
    """`status` and `on` come with the record's flat facts (the enterprise's status and status_on)."""
    emit_data(s, e.uscc, EnterpriseDeparted(**facts(s, e), on=e.status_on, reason=e.status_reason))


def voided(s: Session, e: Enterprise, cert: Certification) -> None:
    emit_data(s, e.uscc, CertificationVoided(**facts(s, e), certification_id=cert.id, tier=cert.tier,
                                             recognized_on=cert.recognized_on, reason=cert.void_reason))
