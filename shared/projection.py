"""Every department's copy of the registry's enterprises: the newest whole record each service has
seen (the `registry_record` plumbing table), and the tier on a date derived from it by the one
projection (shared.tiers.tier_on). Consumers call `remember` with the record every registry event
carries and read through `record_of` / `records`; nobody folds changes (EVENTS.md, "Delivery")."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from shared.contracts.registry import EnterpriseRecord
from shared.db import Locking, PerDialect, for_update, utcnow
from shared.tables import RegistryRecord
from shared.tiers import Tier

# Parsed records by their stored text (a record at a version never changes, and the model is frozen):
# an event's handler reads back the record it has just remembered, and a redelivery or another
# department's event brings the same text again, without paying for a second parse (issue 15).
_PARSED: dict[str, EnterpriseRecord] = {}
_PARSED_MAX = 512


def _parsed(raw: str, record: EnterpriseRecord | None = None) -> EnterpriseRecord:
    found = _PARSED.get(raw)
    if found is None:
        found = record if record is not None else EnterpriseRecord.model_validate_json(raw)
        if len(_PARSED) >= _PARSED_MAX:
            try:  # the oldest first (dicts keep insertion order); another thread may be at it too
                _PARSED.pop(next(iter(_PARSED)), None)
            except (RuntimeError, StopIteration):
                pass
        _PARSED[raw] = found
    return found


# Built once, executed as Core (rows, not ORM objects): every registry event passes here in every
# consumer, and a statement built per call through the ORM costs several times the query (issue 15).
_TABLE = RegistryRecord.__table__
_HELD = Locking(select(_TABLE.c.version, _TABLE.c.record).where(_TABLE.c.uscc == bindparam("uscc")))
_ADD = insert(_TABLE)
_REPLACE = (update(_TABLE).where(_TABLE.c.uscc == bindparam("key"))
            .values(version=bindparam("version"), park_id=bindparam("park_id"), record=bindparam("record"),
                    updated_at=bindparam("updated_at")))


def _kept_if_newer(dialect_insert):
    """One statement for "keep the record unless the one held is as new": an upsert whose update
    applies only to an older row, returning a row when it kept the record. PostgreSQL locks the
    conflicting row even when the update does not apply, as the SELECT ... FOR UPDATE it replaces did
    (and two first records of one enterprise wait on each other instead of racing to a duplicate)."""
    stmt = dialect_insert(_TABLE)
    return stmt.on_conflict_do_update(
        index_elements=[_TABLE.c.uscc],
        set_={"version": stmt.excluded.version, "park_id": stmt.excluded.park_id,
              "record": stmt.excluded.record, "updated_at": stmt.excluded.updated_at},
        where=_TABLE.c.version < stmt.excluded.version).returning(_TABLE.c.version)


_KEEP = PerDialect(_kept_if_newer)


def _held(s: Session, uscc: str, lock: bool):
    return s.execute(for_update(s, _HELD) if lock else _HELD.plain, {"uscc": uscc}).first()


def remember(s: Session, record: EnterpriseRecord) -> EnterpriseRecord | None:
    """Keep `record` when it is newer than the one held (a stale or repeated one changes nothing).
    Returns the record held before (None when it was the first), or `record` itself when it was not
    newer — so `remember(...) is record` means "nothing changed". The row stays locked for the
    transaction (PostgreSQL)."""
    row = _held(s, record.uscc, lock=True)
    if row is None:
        raw = record.model_dump_json()
        s.execute(_ADD, {"uscc": record.uscc, "version": record.version, "park_id": record.park_id,
                         "record": raw, "updated_at": utcnow()})
        _parsed(raw, record)
        return None
    if record.version <= row.version:
        return record
    before = _parsed(row.record)
    raw = record.model_dump_json()
    s.execute(_REPLACE, {"key": record.uscc, "version": record.version, "park_id": record.park_id, "record": raw,
                         "updated_at": utcnow()})
    _parsed(raw, record)
    return before


def keep_newest(s: Session, record: EnterpriseRecord) -> EnterpriseRecord:
    """Keep `record` when it is newer than the one held (`remember`) and answer the newest held
    either way, its row locked. When it was kept it is the newest: no second read, and one statement
    for the check and the write (issue 15: every registry event passes here in awards and talent)."""
    raw = record.model_dump_json()
    kept = s.execute(_KEEP.of(s), {
        "uscc": record.uscc, "version": record.version, "park_id": record.park_id, "record": raw,
        "updated_at": utcnow()}).first()
    if kept is not None:
        _parsed(raw, record)
        return record
    return record_of(s, record.uscc, lock=True) or record


def record_of(s: Session, uscc: str, lock: bool = False) -> EnterpriseRecord | None:
    """The record held of an enterprise; `lock`: its row locked for the transaction (one
    enterprise's effects decided one at a time)."""
    row = _held(s, uscc, lock)
    return _parsed(row.record) if row else None


def records(s: Session, usccs: Iterable[str] | None = None, park_id: str | None = None
            ) -> dict[str, EnterpriseRecord]:
    """The records held, by USCC: all of them, those of `usccs`, or those the registry places in `park_id`."""
    stmt = select(RegistryRecord.record).order_by(RegistryRecord.uscc)
    if usccs is not None:
        stmt = stmt.where(RegistryRecord.uscc.in_(list(usccs)))
    if park_id is not None:
        stmt = stmt.where(RegistryRecord.park_id == park_id)
    out = {}
    for raw in s.scalars(stmt):
        r = EnterpriseRecord.model_validate_json(raw)  # many at once: not kept
        out[r.uscc] = r
    return out


def tier_of(s: Session, uscc: str, on: dt.date) -> str:
    """The tier on a date by the registry's record (`sme` for an enterprise not heard of)."""
    r = record_of(s, uscc)
    return r.tier_on(on) if r else Tier.sme.value
