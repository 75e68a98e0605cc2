"""Parks: every query about parks and the registry records of their enterprises."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from services.parks.tables import Enterprise, Park
from shared import projection
from shared.auth import Principal
from shared.contracts.registry import EnterpriseRecord
from shared.db import PerDialect, for_update, utcnow
from shared.errors import not_found
from shared.tables import RegistryRecord


def readable(who: Principal) -> Select:
    """The parks `who` may see: a park operator only its own park (org = its park id), everyone else all."""
    stmt = select(Park)
    return stmt.where(Park.id == who.org) if who.role == "park" else stmt


def get(s: Session, who: Principal, park_id: str, lock: bool = False) -> Park:
    """The park, when `who` may see it; else 404 (another park's id is not found)."""
    stmt = readable(who).where(Park.id == park_id)
    p = s.scalars(for_update(s, stmt) if lock else stmt).first()
    if p is None:
        raise not_found("园区", "Park", park_id)
    return p


def page(s: Session, who: Principal, after: str | None, limit: int, township: str | None) -> list[Park]:
    stmt = readable(who).order_by(Park.id).limit(limit + 1)
    if after:
        stmt = stmt.where(Park.id > after)
    if township:
        stmt = stmt.where(Park.township == township)
    return list(s.scalars(stmt))


def every(s: Session) -> list[Park]:
    """Every park, by id (a district has tens of them)."""
    return list(s.scalars(select(Park).order_by(Park.id)))


def exists(s: Session, park_id: str) -> bool:
    return s.get(Park, park_id) is not None


def named(s: Session, name: str, other_than: str | None = None) -> Park | None:
    stmt = select(Park).where(Park.name == name)
    if other_than is not None:
        stmt = stmt.where(Park.id != other_than)
    return s.scalars(stmt).first()


# -- the registry's records of the enterprises ------------------------------------------------------
def members(s: Session, park_id: str) -> dict[str, EnterpriseRecord]:
    """The records of the enterprises the registry places in the park, by USCC."""
    return projection.records(s, park_id=park_id)


def records_of(s: Session, usccs: list[str]) -> dict[str, EnterpriseRecord]:
    return projection.records(s, usccs=usccs)


def placed_in(s: Session, park_id: str, uscc: str) -> EnterpriseRecord | None:
    """The registry's record of the enterprise when the registry places it in the park, else None."""
    r = projection.record_of(s, uscc)
    return r if r is not None and r.park_id == park_id else None


def member_usccs(park_id: str) -> Select:
    """The USCCs the registry places in the park (a subquery)."""
    return select(RegistryRecord.uscc).where(RegistryRecord.park_id == park_id)


def member_batch(s: Session, park_id: str, after: str | None, size: int) -> list[tuple[str, str]]:
    """(uscc, record JSON) of the park's enterprises after `after`, by USCC."""
    stmt = (select(RegistryRecord.uscc, RegistryRecord.record).where(RegistryRecord.park_id == park_id)
            .order_by(RegistryRecord.uscc).limit(size))
    if after:
        stmt = stmt.where(RegistryRecord.uscc > after)
    return [(u, raw) for u, raw in s.execute(stmt)]


def _index_upsert(dialect_insert):
    stmt = dialect_insert(Enterprise.__table__)
    return stmt.on_conflict_do_update(index_elements=[Enterprise.__table__.c.uscc], set_={
        c: stmt.excluded[c] for c in ("name", "park_id", "enterprise_version", "relocated_on", "introducer",
                                      "updated_at")})


_INDEX = PerDialect(_index_upsert)  # one statement an event, not a read and an ORM flush (issue 15)


def index(s: Session, record: EnterpriseRecord) -> None:
    """Rewrite the enterprise facts index (`enterprise`) from a newer record."""
    s.execute(_INDEX.of(s), {"uscc": record.uscc, "name": record.name, "park_id": record.park_id,
                             "enterprise_version": record.version, "relocated_on": record.relocated_on,
                             "introducer": record.introducer and record.introducer[:200], "updated_at": utcnow()})
