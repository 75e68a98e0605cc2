"""Dated policy parameters: every amount, rate, cap and cut-off is a row in force from a date."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.tables import PolicyParameter


@dataclass(frozen=True)
class Param:
    """One parameter row as a rule sees it (pure data, so rules stay free of I/O)."""

    id: int
    key: str
    value: Any
    effective_from: dt.date
    legal_ref: str

    def cite(self) -> dict:
        return {"id": self.id, "key": self.key, "value": self.value,
                "effective_from": self.effective_from.isoformat(), "legal_ref": self.legal_ref}


# The versions every lookup reads: a withdrawn version (shared.policy.withdraw) is history only.
# `select(PolicyParameter).where(params.LIVE)` in any query of the table outside this module.
LIVE = PolicyParameter.withdrawn_at.is_(None)


class InForce(dict):
    """Parameters by key; asking for one not in force on the date is the caller's problem (422),
    e.g. a date before the policy began — never a KeyError and a 500."""

    def __init__(self, on: dt.date):
        super().__init__()
        self.on = on

    def __missing__(self, key: str):
        from shared.errors import Problem

        raise Problem(422, "no-policy-in-force", f"{self.on} 时没有生效的参数 {key}（政策自其生效日起适用）",
                      f"No parameter {key} is in force on {self.on} (the policy applies from its start date)")


def in_force(session: Session, on: dt.date, prefix: str = "") -> dict[str, Param]:
    """Every parameter (optionally under a key prefix) in force on a date, by key (withdrawn
    versions ignored)."""
    stmt = (select(PolicyParameter).where(PolicyParameter.effective_from <= on, LIVE)
            .order_by(PolicyParameter.key, PolicyParameter.effective_from))
    if prefix:
        stmt = stmt.where(PolicyParameter.key.startswith(prefix))
    out: dict[str, Param] = InForce(on)
    for row in session.scalars(stmt):
        out[row.key] = Param(row.id, row.key, row.value, row.effective_from, row.legal_ref)
    return out


def seed_rows(rows: list[dict], set_by: str = "migration") -> list[dict]:
    """Rows for an Alembic bulk insert of a service's default parameters."""
    return [{**r, "effective_from": dt.date.fromisoformat(r["effective_from"]), "set_by": set_by,
             "set_at": dt.datetime(2022, 1, 1)} for r in rows]


def seed(op, rows: list[dict]) -> None:
    """Insert a service's default parameters from its migration (a fixed table shape, so an old
    migration keeps working when the model changes later)."""
    import sqlalchemy as sa

    table = sa.table("policy_parameter", sa.column("key", sa.String), sa.column("value", sa.JSON),
                     sa.column("effective_from", sa.Date), sa.column("legal_ref", sa.String),
                     sa.column("set_by", sa.String), sa.column("set_at", sa.DateTime))
    op.bulk_insert(table, seed_rows(rows))
