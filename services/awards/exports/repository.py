"""The statements the exports read, scoped by the ledger's `readable(who)`."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.awards.ledger import repository as ledger
from services.awards.tables import Award, LedgerEntry
from shared.auth import Principal


def entries(s: Session, who: Principal, first: dt.date, last: dt.date) -> list[LedgerEntry]:
    return list(s.scalars(ledger.booked_between(who, first, last)))


def disbursements(s: Session, who: Principal, first: dt.date, last: dt.date) -> list[tuple[LedgerEntry, str | None]]:
    """The disbursed entries booked between the dates, each with its award's tier."""
    stmt = (select(LedgerEntry, Award.tier).join(Award, Award.id == LedgerEntry.award_id)
            .where(LedgerEntry.kind == "disbursed", LedgerEntry.booked_on.between(first, last))
            .order_by(LedgerEntry.id))
    return [(x, tier) for x, tier in s.execute(ledger.scope(stmt, who))]
