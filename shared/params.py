"""Dated policy parameters: every amount, rate, cap and cut-off is a row in force from a date."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, func, select
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


# What the table holds, in one cheap aggregate: rows are only ever added (a higher id, a later set_at)
# or withdrawn (withdrawn_at set once), so any change to what is in force changes this stamp.
_STAMP = select(func.count(), func.max(PolicyParameter.id), func.max(PolicyParameter.set_at),
                func.count(PolicyParameter.withdrawn_at), func.max(PolicyParameter.withdrawn_at))
_CACHE: dict[tuple, tuple[Param, ...]] = {}
# The stamp is read once a session (a transaction: a request's, or a consumer's batch of events) and
# forgotten when the session itself adds or withdraws a version (`changed`). A transaction so sees
# the policy as it stood at its first read, as it sees its other rows (issue 15: one aggregate per
# batch instead of one per event).
_STAMP_SEEN = "policy_stamp"
_CACHE_MAX = 64


def in_force(session: Session, on: dt.date, prefix: str = "") -> dict[str, Param]:
    """Every parameter (optionally under a key prefix) in force on a date, by key (withdrawn
    versions ignored).

    The live versions under the prefix are cached, every date's, by the database, the prefix and the
    table's stamp as this session first read it (a version added or withdrawn by another replica, or
    by this session (`changed`), makes a new stamp); the date is picked from them here. A consumer's
    batch pays one aggregate query instead of loading the rows, whatever dates its events ask about
    (issue 15: an import's recognitions span years of dates)."""
    out: dict[str, Param] = InForce(on)
    day = on.date() if isinstance(on, dt.datetime) else on  # compared as the database compared it
    for p in _live(session, prefix):  # in key and date order: the latest version of each key in force wins
        if p.effective_from <= day:
            out[p.key] = p
    return out


def history(session: Session, key: str) -> list[Param]:
    """Every live version of one parameter, by date, from the same cache as `in_force` (a consumer's
    batch reads the table's stamp once, not the versions once per event: issue 15, finance's list)."""
    return [p for p in _live(session, key) if p.key == key]


def _live(session: Session, prefix: str) -> tuple[Param, ...]:
    """The live versions under a key prefix, in key and date order, cached by the database, the
    prefix and the table's stamp as this session first read it."""
    stamp = session.info.get(_STAMP_SEEN)
    if stamp is None:
        stamp = session.info[_STAMP_SEEN] = tuple(session.execute(_STAMP).one())
    cache_key = (session.get_bind().engine.url, stamp, prefix)
    rows = _CACHE.get(cache_key)
    if rows is None:
        stmt = select(PolicyParameter).where(LIVE).order_by(PolicyParameter.key, PolicyParameter.effective_from)
        if prefix:
            stmt = stmt.where(PolicyParameter.key.startswith(prefix))
        rows = tuple(Param(row.id, row.key, row.value, row.effective_from, row.legal_ref)
                     for row in session.scalars(stmt))
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()  # stamps move on; a refill is one query each
        _CACHE[cache_key] = rows
    return rows


def changed(session: Session) -> None:
    """This session has just added or withdrawn a version: its next read takes the new stamp."""
    session.info.pop(_STAMP_SEEN, None)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, _previous) -> None:
    """A rollback (a savepoint's too) may undo a version this session added: read the stamp again."""
    session.info.pop(_STAMP_SEEN, None)


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


def reword(op, rows: list[tuple[str, str, str, str]], back: bool = False) -> None:
    """Change the words of seeded versions' legal references from a migration: (key, effective_from,
    was, now), each row only while it still reads `was` (a seeded row; a version recorded since is
    not touched). Values and dates stay: the policy is the same, only said better. `back` for the
    downgrade."""
    import sqlalchemy as sa

    table = sa.table("policy_parameter", sa.column("key", sa.String), sa.column("effective_from", sa.Date),
                     sa.column("legal_ref", sa.String))
    for key, day, was, now in rows:
        old, new = (now, was) if back else (was, now)
        op.execute(table.update().where(table.c.key == key, table.c.effective_from == dt.date.fromisoformat(day),
                                        table.c.legal_ref == old).values(legal_ref=new))
