"""Intermediaries: every query about intermediaries, their service records and whom they introduced."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from services.parks.parks import repository as parks
from services.parks.tables import Enterprise, Intermediary, ServiceRecord
from shared.auth import Principal
from shared.db import for_update
from shared.errors import not_found


def readable(who: Principal) -> Select:
    """The intermediaries `who` may see: all of them (the district's shared directory)."""
    return select(Intermediary)


def records_readable(who: Principal) -> Select:
    """The service records `who` may see: a park operator only its own park's."""
    stmt = select(ServiceRecord)
    return stmt.where(ServiceRecord.park_id == who.org) if who.role == "park" else stmt


def introduced_readable(who: Principal) -> Select:
    """The enterprises (the facts index of the registry's newest records) `who` may see introduced:
    a park operator only those the registry places in its own park."""
    stmt = select(Enterprise.uscc)
    return stmt.where(Enterprise.park_id == who.org) if who.role == "park" else stmt


def get(s: Session, who: Principal, intermediary_id: int) -> Intermediary:
    m = s.scalars(readable(who).where(Intermediary.id == intermediary_id)).first()
    if m is None:
        raise not_found("中介机构", "Intermediary", str(intermediary_id))
    return m


def page(s: Session, who: Principal, after: int | None, limit: int) -> list[Intermediary]:
    stmt = readable(who).order_by(Intermediary.id).limit(limit + 1)
    if after is not None:
        stmt = stmt.where(Intermediary.id > after)
    return list(s.scalars(stmt))


def get_locked(s: Session, who: Principal, intermediary_id: int) -> Intermediary:
    m = s.scalars(for_update(s, readable(who).where(Intermediary.id == intermediary_id))).first()
    if m is None:
        raise not_found("中介机构", "Intermediary", str(intermediary_id))
    return m


def every(s: Session) -> list[Intermediary]:
    return list(s.scalars(select(Intermediary).order_by(Intermediary.id)))


def named(s: Session, name: str) -> Intermediary | None:
    return s.scalars(select(Intermediary).where(Intermediary.name == name)).first()


def records_page(s: Session, who: Principal, intermediary_id: int, after: int | None,
                 limit: int) -> list[ServiceRecord]:
    stmt = (records_readable(who).where(ServiceRecord.intermediary_id == intermediary_id)
            .order_by(ServiceRecord.id).limit(limit + 1))
    if after is not None:
        stmt = stmt.where(ServiceRecord.id > after)
    return list(s.scalars(stmt))


def introduced_page(s: Session, who: Principal, m: Intermediary, after: str | None, limit: int) -> list[str]:
    """The USCCs (limit + 1) of the enterprises whose registry `introducer` names this intermediary:
    its name, or its USCC."""
    names = [m.name] + ([m.uscc] if m.uscc else [])
    stmt = introduced_readable(who).where(Enterprise.introducer.in_(names)).order_by(Enterprise.uscc).limit(limit + 1)
    if after:
        stmt = stmt.where(Enterprise.uscc > after)
    return list(s.scalars(stmt))


def services_counted(s: Session, park_id: str, until: dt.date) -> tuple[tuple[str, dt.date], ...]:
    """(uscc, served_on) of the service records that count for a park in `until`'s year: those
    recorded for the park or district-wide (no park), for an enterprise the registry places in the
    park. A record about an enterprise the registry does not place there counts for nothing, so a
    park cannot raise its own score with services to firms that are not its own."""
    rows = s.execute(select(ServiceRecord.uscc, ServiceRecord.served_on).where(
        or_(ServiceRecord.park_id == park_id, ServiceRecord.park_id.is_(None)),
        ServiceRecord.uscc.in_(parks.member_usccs(park_id)),
        ServiceRecord.served_on >= dt.date(until.year, 1, 1), ServiceRecord.served_on <= until))
    return tuple((u, d) for u, d in rows)


def add(s: Session, row: Intermediary | ServiceRecord) -> Intermediary | ServiceRecord:
    s.add(row)
    s.flush()
    return row
