"""Every query of the timeline: one enterprise's certifications, requests, visits, audit rows and
the other departments' facts held for it (timeline_fact). Who may read it is the enterprises'
`readable(who)` (checked by the service before anything is read)."""
from __future__ import annotations

from sqlalchemy import and_, bindparam, insert, or_, select, tuple_, update
from sqlalchemy.orm import Session

from services.registry.tables import Certification, ServiceRequest, TimelineFact, Visit
from shared.db import Locking, for_update, utcnow
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


# Built once and run as Core (issue 15): every award and quota event of every department passes here.
_FACTS = TimelineFact.__table__
_KEY = (_FACTS.c.uscc == bindparam("key_uscc"), _FACTS.c.kind == bindparam("key_kind"),
        _FACTS.c.ref == bindparam("key_ref"))
_FACT = Locking(select(_FACTS.c.event_id, _FACTS.c.event_time).where(*_KEY))
_ADD_FACT = insert(_FACTS)
_REPLACE_FACT = update(_FACTS).where(*_KEY).values(record=bindparam("record"), event_id=bindparam("event_id"),
                                                   event_time=bindparam("event_time"))


def fact_for_update(s: Session, uscc: str, kind: str, ref: str):
    """The held fact's (event_id, event_time), its row locked; None when none is held."""
    return s.execute(for_update(s, _FACT), {"key_uscc": uscc, "key_kind": kind, "key_ref": ref}).first()


def facts_for_update(s: Session, keys: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(event_time, event_id) held of each (uscc, kind, ref) of `keys` that is held, the rows locked
    in key order (PostgreSQL)."""
    stmt = (select(_FACTS.c.uscc, _FACTS.c.kind, _FACTS.c.ref, _FACTS.c.event_time, _FACTS.c.event_id)
            .where(tuple_(_FACTS.c.uscc, _FACTS.c.kind, _FACTS.c.ref).in_(keys))
            .order_by(_FACTS.c.uscc, _FACTS.c.kind, _FACTS.c.ref))
    return {(r.uscc, r.kind, r.ref): (r.event_time, r.event_id) for r in s.execute(for_update(s, stmt))}


def add_fact(s: Session, uscc: str, kind: str, ref: str, record: str, event_id: str, event_time: str) -> None:
    add_facts(s, [(uscc, kind, ref, record, event_id, event_time)])


def add_facts(s: Session, facts: list[tuple[str, str, str, str, str, str]]) -> None:
    """New facts, each (uscc, kind, ref, record, event_id, event_time), one INSERT."""
    if facts:
        now = utcnow()
        s.execute(_ADD_FACT, [{"uscc": u, "kind": k, "ref": r, "record": rec, "event_id": i, "event_time": t,
                               "received_at": now} for u, k, r, rec, i, t in facts])


def replace_fact(s: Session, uscc: str, kind: str, ref: str, record: str, event_id: str, event_time: str) -> None:
    replace_facts(s, [(uscc, kind, ref, record, event_id, event_time)])


def replace_facts(s: Session, facts: list[tuple[str, str, str, str, str, str]]) -> None:
    """Newer records of held facts, each as for add_facts, one UPDATE statement."""
    if facts:
        s.execute(_REPLACE_FACT, [{"key_uscc": u, "key_kind": k, "key_ref": r, "record": rec, "event_id": i,
                                   "event_time": t} for u, k, r, rec, i, t in facts])
