"""Every query of the quotas: grants, the entitlements behind them, the revocations seen.

`readable(who)` is the one statement every caller's read of grants starts from: an enterprise
liaison finds its own enterprise's grants only; the talent office, econ and the auditor find all."""
from __future__ import annotations

from sqlalchemy import Select, and_, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from services.talent.tables import CertificationRevocation, QuotaEntitlement, QuotaGrant
from shared.auth import Principal
from shared.db import FRESH, Locking, for_update, utcnow


def readable(who: Principal) -> Select:
    """The grants `who` may see."""
    stmt = select(QuotaGrant)
    if who.role == "enterprise":
        stmt = stmt.where(QuotaGrant.uscc == who.org)
    return stmt


def page(s: Session, who: Principal, limit: int, after: tuple[str, int] | None, uscc: str | None,
         year: int | None) -> list[QuotaGrant]:
    """Grants ordered by (uscc, year), after the cursor's key; limit + 1 for the pager."""
    stmt = readable(who).order_by(QuotaGrant.uscc, QuotaGrant.year).limit(limit + 1)
    if uscc:
        stmt = stmt.where(QuotaGrant.uscc == uscc)
    if year:
        stmt = stmt.where(QuotaGrant.year == year)
    if after:
        uscc_after, year_after = after
        stmt = stmt.where(or_(QuotaGrant.uscc > uscc_after,
                              and_(QuotaGrant.uscc == uscc_after, QuotaGrant.year > year_after)))
    return list(s.scalars(stmt))


def grant_locked(s: Session, uscc: str, year: int) -> QuotaGrant | None:
    """The year's grant, locked for this transaction (grants_locked creates them)."""
    return s.scalars(for_update(s, select(QuotaGrant).where(QuotaGrant.uscc == uscc, QuotaGrant.year == year))).first()


_GRANTS_OF_YEARS = Locking(select(QuotaGrant).where(QuotaGrant.uscc == bindparam("uscc"),
                                                     QuotaGrant.year.in_(bindparam("years", expanding=True)))
                           .order_by(QuotaGrant.year))


def grants_locked(s: Session, uscc: str, years: list[int]) -> dict[int, QuotaGrant]:
    """The grants of these years, locked for this transaction in ascending years (the order every
    writer locks them in), the missing ones created empty: one read for a promotion's years."""
    if not years:
        return {}
    values = {"uscc": uscc, "years": sorted(years)}
    found = {g.year: g for g in s.scalars(for_update(s, _GRANTS_OF_YEARS), values)}
    if len(found) < len(values["years"]):  # the missing years as one INSERT, then read as the others
        now = utcnow()
        s.execute(_ADD_GRANT, [{"uscc": uscc, "year": y, "granted": 0, "used": 0, "created_at": now, "updated_at": now}
                               for y in values["years"] if y not in found])
        found = {g.year: g for g in s.scalars(for_update(s, _GRANTS_OF_YEARS), values, execution_options=FRESH)}
    return found


# Core INSERTs (issue 15): an ORM object and its flush cost several times the row's INSERT, and a
# promotion writes a grant and an entitlement for each of its years.
_ADD_GRANT = insert(QuotaGrant.__table__)
_ADD_ENTITLEMENT = insert(QuotaEntitlement.__table__)


def add_entitlements(s: Session, rows: list[dict]) -> None:
    """New entitlements (QuotaEntitlement's columns but id and created_at), one INSERT."""
    if rows:
        now = utcnow()
        s.execute(_ADD_ENTITLEMENT, [{"state": "active", "cancelled_on": None, "cancel_reason": None, **r,
                                      "created_at": now} for r in rows])


def entitlements(s: Session, grant_ids: list[int], fresh: bool = False) -> dict[int, list[QuotaEntitlement]]:
    """Each grant's entitlements, in the order they were recognised (`fresh`: some just inserted)."""
    out: dict[int, list[QuotaEntitlement]] = {gid: [] for gid in grant_ids}
    if grant_ids:
        for e in s.scalars(select(QuotaEntitlement).where(QuotaEntitlement.grant_id.in_(grant_ids))
                           .order_by(QuotaEntitlement.recognized_on, QuotaEntitlement.id),
                           execution_options=FRESH if fresh else {}):
            out[e.grant_id].append(e)
    return out


def active_entitlements_of(s: Session, uscc: str) -> list[tuple[int, int]]:
    """(year, certification) of an enterprise's active entitlements, by year (the lock order)."""
    rows = s.execute(select(QuotaGrant.year, QuotaEntitlement.certification_id)
                     .join(QuotaEntitlement, QuotaEntitlement.grant_id == QuotaGrant.id)
                     .where(QuotaGrant.uscc == uscc, QuotaEntitlement.state == "active")
                     .order_by(QuotaGrant.year))
    return [(y, c) for y, c in rows]


def retell(s: Session, certification_id: int, was: str, reason: str) -> None:
    """Give the entitlements of a certification cancelled with reason `was` the reason `reason`."""
    s.execute(update(QuotaEntitlement).where(QuotaEntitlement.certification_id == certification_id,
                                             QuotaEntitlement.state == "cancelled",
                                             QuotaEntitlement.cancel_reason == was)
              .values(cancel_reason=reason))


def revocation(s: Session, certification_id: int) -> CertificationRevocation | None:
    return s.get(CertificationRevocation, certification_id)


def add(s: Session, row) -> None:
    s.add(row)
    s.flush()
