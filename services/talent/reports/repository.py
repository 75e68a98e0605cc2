"""Every query of the reports. They start from the quotas' and the nominations' `readable(who)`:
a report holds what its reader may see, and nothing else."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.talent.nominations import repository as nominations
from services.talent.quotas import repository as quotas
from services.talent.tables import Nomination, QuotaEntitlement, QuotaGrant
from shared.auth import Principal


def grants(s: Session, who: Principal, year: int | None) -> tuple[list[QuotaGrant], dict[int, list[QuotaEntitlement]]]:
    """Grants ordered by (year, uscc), of one year or all, with each grant's entitlements."""
    stmt = quotas.readable(who).order_by(QuotaGrant.year, QuotaGrant.uscc)
    if year:
        stmt = stmt.where(QuotaGrant.year == year)
    found = list(s.scalars(stmt))
    return found, quotas.entitlements(s, [g.id for g in found])


def nomination_states(s: Session, who: Principal, year: int | None) -> list[tuple[int, str, str]]:
    """(year, category, state) of every nomination, of one year or all."""
    stmt = nominations.readable(who).with_only_columns(Nomination.year, Nomination.category, Nomination.state)
    if year:
        stmt = stmt.where(Nomination.year == year)
    return [tuple(row) for row in s.execute(stmt)]
