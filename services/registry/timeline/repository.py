"""Every query of the timeline: one enterprise's certifications, requests, visits, audit rows and
the other departments' facts held for it (timeline_fact). Who may read it is the enterprises'
`readable(who)` (checked by the service before anything is read)."""
from __future__ import annotations

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session

from services.registry.tables import Certification, ServiceRequest, TimelineFact, Visit
from shared.db import Locking, for_update
from shared.tables import AuditLog

# Certification changes the title entries already show; the audit adds the others (void, correct …).
TITLE_ACTIONS = ("certification.add", "certification.revoke", "certification.expire")


def certifications(s: Session, uscc: str) -> list[Certification]:
    return list(s.scalars(select(Certification).where(Certification.uscc == uscc).order_by(Certification.id)))


def service_requests(s: Session, uscc: str) -> list[ServiceRequest]:
    return list(s.scalars(select(ServiceRequest).where(ServiceRequest.uscc == uscc).order_by(ServiceRequest.id)))


def visits(s: Session, uscc: str) -> list[Visit]:
    return list(s.scalars(select(Visit).where(Visit.uscc == uscc).order_by(Visit.id)))


def audit_rows(s: Session, uscc: str, cert_ids: list[int]) -> list[AuditLog]:
    """The audit rows of the enterprise itself and of its certifications (but the title steps)."""
    of_enterprise = and_(AuditLog.object_type == "enterprise", AuditLog.object_id == uscc)
    of_certs = and_(AuditLog.object_type == "certification", AuditLog.object_id.in_([str(i) for i in cert_ids]),
                    AuditLog.action.not_in(TITLE_ACTIONS))
    return list(s.scalars(select(AuditLog).where(or_(of_enterprise, of_certs) if cert_ids else of_enterprise)
                          .order_by(AuditLog.id)))


def facts(s: Session, uscc: str) -> list[TimelineFact]:
    return list(s.scalars(select(TimelineFact).where(TimelineFact.uscc == uscc)
                          .order_by(TimelineFact.kind, TimelineFact.ref)))


_FACT = Locking(select(TimelineFact).where(TimelineFact.uscc == bindparam("uscc"),
                                           TimelineFact.kind == bindparam("kind"), TimelineFact.ref == bindparam("ref")))


def fact_for_update(s: Session, uscc: str, kind: str, ref: str) -> TimelineFact | None:
    return s.scalars(for_update(s, _FACT), {"uscc": uscc, "kind": kind, "ref": ref}).first()
