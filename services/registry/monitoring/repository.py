"""Every query of monthly monitoring. Who may read what is the enterprises' `readable(who)` (a park
operator sees its own enterprises' months only)."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.enterprises import repository as enterprises
from services.registry.monitoring.rules import Figures
from services.registry.tables import Enterprise, OperatingMonth
from shared.auth import Principal


def months_of(s: Session, uscc: str) -> list[OperatingMonth]:
    return list(s.scalars(select(OperatingMonth).where(OperatingMonth.uscc == uscc).order_by(OperatingMonth.month)))


def stored(s: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], OperatingMonth]:
    """The rows held for (uscc, month) keys."""
    usccs = sorted({u for u, _ in keys})
    if not usccs:
        return {}
    rows = s.scalars(select(OperatingMonth).where(OperatingMonth.uscc.in_(usccs)))
    wanted = set(keys)
    return {(r.uscc, r.month): r for r in rows if (r.uscc, r.month) in wanted}


def figures(s: Session, usccs: list[str], first: str, last: str) -> dict[str, dict[str, Figures]]:
    """The months first..last of each enterprise, as the rules read them."""
    out: dict[str, dict[str, Figures]] = defaultdict(dict)
    if not usccs:
        return out
    stmt = select(OperatingMonth).where(OperatingMonth.uscc.in_(usccs), OperatingMonth.month >= first,
                                        OperatingMonth.month <= last)
    for r in s.scalars(stmt):
        out[r.uscc][r.month] = Figures(r.revenue_yuan, r.rd_spend_yuan, r.employees, r.new_patents)
    return out


def readable_firms(s: Session, who: Principal) -> list[Enterprise]:
    return list(s.scalars(enterprises.readable(who).order_by(Enterprise.uscc)))


def known(s: Session, usccs) -> set[str]:
    return set(s.scalars(select(Enterprise.uscc).where(Enterprise.uscc.in_(list(usccs))))) if usccs else set()
