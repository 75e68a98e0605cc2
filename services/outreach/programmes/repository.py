"""Every query of programmes and the applications to them."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from services.outreach.access import one, scoped
from services.outreach.tables import Application, Programme
from shared.auth import Principal
from shared.pagination import keyset


def readable(who: Principal) -> Select:
    """The programmes `who` may read: every read of a programme starts here."""
    return scoped(who, select(Programme))


def readable_applications(who: Principal) -> Select:
    """The applications `who` may read: every read of an application starts here."""
    return scoped(who, select(Application))


def get(s: Session, who: Principal, programme_id: int) -> Programme:
    return one(s, readable(who).where(Programme.id == programme_id), "项目", "Programme", programme_id)


def application(s: Session, who: Principal, application_id: int, lock: bool = False) -> Application:
    return one(s, readable_applications(who).where(Application.id == application_id), "申报", "Application",
               application_id, lock)


def listing(s: Session, who: Principal, open_on: dt.date | None, level: str | None, after: int | None,
            limit: int) -> list[Programme]:
    stmt = readable(who)
    if open_on:
        stmt = stmt.where(Programme.window_opens <= open_on, Programme.window_closes >= open_on)
    if level:
        stmt = stmt.where(Programme.level == level)
    return list(s.scalars(keyset(stmt, Programme.id, after, limit)))


def applications(s: Session, who: Principal, uscc: str | None, stage: str | None, after: int | None,
                 limit: int) -> list[Application]:
    stmt = readable_applications(who)
    if uscc:
        stmt = stmt.where(Application.uscc == uscc.upper())
    if stage:
        stmt = stmt.where(Application.stage == stage)
    return list(s.scalars(keyset(stmt, Application.id, after, limit)))


def open_on(s: Session, who: Principal, on: dt.date) -> list[Programme]:
    """The windows open on `on`, the soonest closing first."""
    return list(s.scalars(readable(who).where(Programme.window_opens <= on, Programme.window_closes >= on)
                          .order_by(Programme.window_closes, Programme.id)))


def applications_of(s: Session, programme_id: int, stage: str | None = None) -> list[Application]:
    stmt = select(Application).where(Application.programme_id == programme_id)
    if stage:
        stmt = stmt.where(Application.stage == stage)
    return list(s.scalars(stmt.order_by(Application.id)))


def exists(s: Session, name: str, window_opens: dt.date) -> bool:
    return s.scalars(select(Programme.id).where(Programme.name == name,
                                                Programme.window_opens == window_opens)).first() is not None


def applied(s: Session, programme_id: int, uscc: str) -> bool:
    return s.scalars(select(Application.id).where(Application.programme_id == programme_id,
                                                  Application.uscc == uscc)).first() is not None


def programme(s: Session, programme_id: int) -> Programme:
    return s.get(Programme, programme_id)
