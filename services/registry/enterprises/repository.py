"""Every query of the enterprises sub-domain; `readable(who)` is where every read starts."""
from sqlalchemy import Select, bindparam, false, or_, select
from sqlalchemy.orm import Session

from services.registry.tables import Enterprise
from shared.auth import ORG_ROLES, Principal
from shared.db import Locking, for_update
from shared.errors import not_found

# The hot read path (bench/read_path.py): one primary-key lookup of the stored document.
READ_DOC = "SELECT doc, park_id, township FROM enterprise WHERE uscc = :uscc"


def readable(who: Principal, *columns) -> Select:
    """The one place object scoping lives: a park operator sees only its park's enterprises, an
    enterprise only itself; another outside organisation (a bank), were a route ever to let it in, none.
    `columns`: what to select (default the Enterprise row)."""
    stmt = select(*(columns or (Enterprise,)))
    if who.role == "park":
        return stmt.where(Enterprise.park_id == who.org)
    if who.role == "enterprise":  # its own record only
        return stmt.where(Enterprise.uscc == who.org)
    if who.role == "township":  # the enterprises of its township (stored by the fixed list's name)
        return stmt.where(Enterprise.township == who.org)
    return stmt.where(false()) if who.role in ORG_ROLES else stmt


def may_read(who: Principal, park_id: str | None, uscc: str | None = None, township: str | None = None) -> bool:
    """The same scope as readable(), for a row already read (the hot path's stored document);
    without a `uscc`: whether the caller reads every enterprise."""
    if who.role == "park":
        return park_id == who.org
    if who.role == "enterprise":
        return uscc is not None and uscc == who.org
    if who.role == "township":
        return uscc is not None and township == who.org
    return who.role not in ORG_ROLES


def get(s: Session, uscc: str) -> Enterprise | None:
    return s.get(Enterprise, uscc)


def get_or_404(s: Session, uscc: str) -> Enterprise:
    e = s.get(Enterprise, uscc)
    if e is None:
        raise not_found("企业", "Enterprise", uscc)
    return e


def readable_or_404(s: Session, who: Principal, uscc: str) -> str:
    """The USCC of an enterprise the caller may read, else 404."""
    if s.scalars(readable(who, Enterprise.uscc).where(Enterprise.uscc == uscc)).first() is None:
        raise not_found("企业", "Enterprise", uscc)
    return uscc


_ONE = Locking(select(Enterprise).where(Enterprise.uscc == bindparam("uscc")))


def locked(s: Session, uscc: str) -> Enterprise | None:
    """The enterprise, locked for the change (FOR UPDATE on PostgreSQL)."""
    return s.scalars(for_update(s, _ONE), {"uscc": uscc}).first()


def locked_many(s: Session, usccs: list[str]) -> dict[str, Enterprise]:
    """Enterprises locked in USCC order: racing imports queue rather than deadlock."""
    stmt = select(Enterprise).where(Enterprise.uscc.in_(usccs)).order_by(Enterprise.uscc)
    return {e.uscc: e for e in s.scalars(for_update(s, stmt))}


def locked_rows(s: Session, usccs: list[str]) -> list:
    """locked_many's enterprises as rows (no ORM objects: a bulk import writes them with Core)."""
    table = Enterprise.__table__
    stmt = select(table).where(table.c.uscc.in_(usccs)).order_by(table.c.uscc)
    return list(s.execute(for_update(s, stmt)).mappings())


def search(who: Principal, after: str | None, township: str | list[str] | None, park_id: str | None,
           q: str | None, usccs: list[str] | None = None) -> Select:
    """The keyset-ordered search of the list route (by USCC). `township`: one text, or every
    stored text naming the same unit (services.registry.townships.service.township_variants)."""
    stmt = readable(who).order_by(Enterprise.uscc)
    if after:
        stmt = stmt.where(Enterprise.uscc > after)
    if isinstance(township, list):
        stmt = stmt.where(Enterprise.township.in_(township))
    elif township:
        stmt = stmt.where(Enterprise.township == township)
    if park_id:
        stmt = stmt.where(Enterprise.park_id == park_id)
    if q:
        stmt = stmt.where(or_(Enterprise.name.contains(q), Enterprise.uscc.startswith(q.upper())))
    if usccs:
        stmt = stmt.where(Enterprise.uscc.in_(usccs))
    return stmt


def page_of(s: Session, stmt: Select, limit: int) -> list[Enterprise]:
    return list(s.scalars(stmt.limit(limit)))


def every(s: Session) -> list[Enterprise]:
    return list(s.scalars(select(Enterprise).order_by(Enterprise.uscc)))


def unregistered(s: Session, usccs: list[str]) -> list[str]:
    """The USCCs (in the order given) the registry does not know."""
    known = set(s.scalars(select(Enterprise.uscc).where(Enterprise.uscc.in_(usccs))))
    return [u for u in usccs if u not in known]
