"""Every query of the certifications sub-domain; `readable(who)` is where every read starts."""
import datetime as dt
from collections import defaultdict

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from services.registry.enterprises import repository as enterprises
from services.registry.tables import Certification, Enterprise
from shared import params
from shared.auth import Principal
from shared.tables import PolicyParameter


def readable(who: Principal) -> Select:
    """Certifications of the enterprises the caller may read (a park: its own park's)."""
    return enterprises.readable(who, Certification).join(Enterprise, Enterprise.uscc == Certification.uscc)


def readable_one(s: Session, who: Principal, cert_id: int) -> Certification | None:
    return s.scalars(readable(who).where(Certification.id == cert_id)).first()


_OF_ENTERPRISE = (select(Certification).where(Certification.uscc == bindparam("uscc"))
                  .order_by(Certification.recognized_on, Certification.id))


def certifications_of(s: Session, uscc: str) -> list[Certification]:
    """An enterprise's certifications in recognition order."""
    return list(s.scalars(_OF_ENTERPRISE, {"uscc": uscc}))


def by_enterprise(s: Session, usccs: list[str] | None = None) -> dict[str, list[Certification]]:
    """Certifications per enterprise in recognition order (of `usccs`, or of every enterprise)."""
    stmt = select(Certification).order_by(Certification.recognized_on, Certification.id)
    if usccs is not None:
        stmt = stmt.where(Certification.uscc.in_(usccs))
    certs: dict[str, list[Certification]] = defaultdict(list)
    for c in s.scalars(stmt):
        certs[c.uscc].append(c)
    return certs


def rows_of(s: Session, usccs: list[str]) -> list:
    """by_enterprise's certifications of `usccs` as rows in recognition order (no ORM objects)."""
    table = Certification.__table__
    return list(s.execute(select(table).where(table.c.uscc.in_(usccs))
                          .order_by(table.c.recognized_on, table.c.id)).mappings())


def live_keys(s: Session, usccs: list[str]) -> list:
    """(id, uscc, tier, recognized_on) of the certifications of `usccs` not voided: the key the
    unique index uq_certification_live holds one of (a bulk insert finds its new rows' ids by it)."""
    table = Certification.__table__
    return list(s.execute(select(table.c.id, table.c.uscc, table.c.tier, table.c.recognized_on)
                          .where(table.c.uscc.in_(usccs), table.c.state != "voided")))


def due_to_expire(s: Session, today: dt.date, limit: int | None = None) -> list[Certification]:
    """Active certifications past their last valid day, oldest first (the first `limit` of them)."""
    return list(s.scalars(select(Certification).where(Certification.state == "active",
                                                      Certification.expires_on < today)
                          .order_by(Certification.expires_on, Certification.id).limit(limit)))


def get(s: Session, cert_id: int) -> Certification | None:
    return s.get(Certification, cert_id)


def parameter(s: Session, on: dt.date, key: str) -> params.Param:
    """A policy parameter in force on a date. A date before its first version takes the first
    version (a title recognised before the parameters were recorded had the same validity); a
    parameter with no version at all is the operator's error (shared.params: 422 naming the key)."""
    found = params.in_force(s, on, key)
    if key in found:
        return found[key]
    first = s.scalars(select(PolicyParameter).where(PolicyParameter.key == key, params.LIVE)
                      .order_by(PolicyParameter.effective_from).limit(1)).first()
    if first is None:
        return found[key]  # raises the no-policy-in-force problem
    return params.Param(first.id, first.key, first.value, first.effective_from, first.legal_ref)
