"""Every department's copy of the registry's enterprises: the newest whole record each service has
seen (the `registry_record` plumbing table), and the tier on a date derived from it by the one
projection (shared.tiers.tier_on). Consumers call `remember` with the record every registry event
carries and read through `record_of` / `records`; nobody folds changes (EVENTS.md, "Delivery").

A consumer's batch may read ahead (`read_ahead`, from a service's `@handlers.before_batch`): the
records held of the batch's enterprises are read in one statement and the newest of each is written
before any handler runs; the handlers then see, event by event, what they would have seen one
statement at a time (issue 15: that statement was a fifth of awards' and talent's work). On
PostgreSQL, what a replica commits while the batch runs counts as held before it."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from shared.contracts.registry import EnterpriseEvent, EnterpriseRecord
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


def _kept_if_newer(dialect_insert, returning: bool = True):
    """One statement for "keep the record unless the one held is as new": an upsert whose update
    applies only to an older row (`returning`: a row when it kept the record). PostgreSQL locks the
    conflicting row even when the update does not apply, as the SELECT ... FOR UPDATE it replaces did
    (and two first records of one enterprise wait on each other instead of racing to a duplicate)."""
    stmt = dialect_insert(_TABLE)
    stmt = stmt.on_conflict_do_update(
        index_elements=[_TABLE.c.uscc],
        set_={"version": stmt.excluded.version, "park_id": stmt.excluded.park_id,
              "record": stmt.excluded.record, "updated_at": stmt.excluded.updated_at},
        where=_TABLE.c.version < stmt.excluded.version)
    return stmt.returning(_TABLE.c.version) if returning else stmt


_KEEP = PerDialect(_kept_if_newer)
_KEEP_ALL = PerDialect(lambda dialect_insert: _kept_if_newer(dialect_insert, returning=False))
_ADD_FIRST = PerDialect(lambda dialect_insert: dialect_insert(_TABLE).on_conflict_do_nothing(
    index_elements=[_TABLE.c.uscc]).returning(_TABLE.c.uscc))
_HELD_AMONG = Locking(select(_TABLE.c.uscc, _TABLE.c.version, _TABLE.c.record)
                      .where(_TABLE.c.uscc.in_(bindparam("usccs", expanding=True))).order_by(_TABLE.c.uscc))
_AHEAD = "registry_records_ahead"  # Session.info: the batch's view, by USCC (read_ahead)


@dataclass
class _Held:
    """What a handler of the batch sees held of an enterprise so far: the version and the record,
    its stored text until a handler needs it parsed."""
    version: int
    record: EnterpriseRecord | str

    def parsed(self) -> EnterpriseRecord:
        if isinstance(self.record, str):
            self.record = _parsed(self.record)
        return self.record


def read_ahead(s: Session, records: Iterable[EnterpriseRecord]) -> None:
    """For a batch undone whole on any error (shared.handlers.before_batch): keep the newest of
    `records` for each enterprise now, and answer `keep_newest`, `remember`, `record_of` and `records`
    for these enterprises from what was held before the batch, advanced event by event as the
    handlers keep records — what they would have seen without the read-ahead.

    Three statements: the held rows read and locked (PostgreSQL, in USCC order); the first records
    inserted unless a row is there (new rows are locked by the insert); the newer records written
    over older held ones. On PostgreSQL a replica may commit an enterprise's first record between the
    read and the insert: its row is then read and locked, and counts as held before the batch, as it
    would for the next event's own statement. The locks are taken in USCC order within each of the
    three steps, not across them: two replicas may then deadlock, which PostgreSQL breaks, and the
    loser's batch is retried (a transient fault, shared.faults)."""
    newest: dict[str, EnterpriseRecord] = {}
    for r in records:
        if r.uscc not in newest or r.version > newest[r.uscc].version:
            newest[r.uscc] = r
    if not newest:
        return
    usccs = sorted(newest)
    held = {row.uscc: _Held(row.version, row.record)
            for row in s.execute(for_update(s, _HELD_AMONG), {"usccs": usccs})}
    now = utcnow()

    def row(r: EnterpriseRecord) -> dict:
        raw = r.model_dump_json()
        _parsed(raw, r)
        return {"uscc": r.uscc, "version": r.version, "park_id": r.park_id, "record": raw, "updated_at": now}
    if missing := [u for u in usccs if u not in held]:
        added = set(s.scalars(_ADD_FIRST.of(s), [row(newest[u]) for u in missing]))
        if raced := [u for u in missing if u not in added]:  # a replica's first record, committed meanwhile
            held |= {r.uscc: _Held(r.version, r.record) for r in s.execute(for_update(s, _HELD_AMONG), {"usccs": raced})}
    if newer := [row(newest[u]) for u in usccs if u in held and newest[u].version > held[u].version]:
        s.execute(_KEEP_ALL.of(s), newer)
    s.info[_AHEAD] = {uscc: held.get(uscc) for uscc in usccs}


def read_ahead_events(s: Session, batch) -> None:
    """A consumer's `@handlers.before_batch`: the records its batch's registry events carry, kept in one
    statement (`read_ahead`); the batch's other events are left out."""
    read_ahead(s, [data.record for _, data in batch if isinstance(data, EnterpriseEvent)])


def held_ahead(s: Session) -> set[str]:
    """The enterprises read ahead whose record is held so far in the batch; right after `read_ahead`,
    those held before the batch, whose rows it locked from its start (PostgreSQL)."""
    return {uscc for uscc, held in s.info.get(_AHEAD, {}).items() if held is not None}


def _ahead(s: Session, uscc: str) -> tuple[bool, _Held | None]:
    """(True, what the batch holds so far) for an enterprise read ahead; (False, None) otherwise."""
    ahead = s.info.get(_AHEAD)
    if ahead is None or uscc not in ahead:
        return False, None
    return True, ahead[uscc]


def _advance(s: Session, record: EnterpriseRecord) -> tuple[bool, EnterpriseRecord | None]:
    """For a record read ahead: (True, the record held before it) after keeping it in the batch's view
    when it is newer — `record` itself when it is not; (False, None) for a record not read ahead."""
    found, held = _ahead(s, record.uscc)
    if not found:
        return False, None
    if held is not None and record.version <= held.version:
        return True, record
    s.info[_AHEAD][record.uscc] = _Held(record.version, record)
    return True, held.parsed() if held is not None else None


def _held(s: Session, uscc: str, lock: bool):
    return s.execute(for_update(s, _HELD) if lock else _HELD.plain, {"uscc": uscc}).first()


def remember(s: Session, record: EnterpriseRecord) -> EnterpriseRecord | None:
    """Keep `record` when it is newer than the one held (a stale or repeated one changes nothing).
    Returns the record held before (None when it was the first), or `record` itself when it was not
    newer — so `remember(...) is record` means "nothing changed". The row stays locked for the
    transaction (PostgreSQL)."""
    found, before = _advance(s, record)
    if found:
        return before
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
    found, before = _advance(s, record)
    if found:  # read ahead: kept already, this answers the batch's view
        return _ahead(s, record.uscc)[1].parsed() if before is record else record
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
    found, held = _ahead(s, uscc)
    if found:
        return held.parsed() if held is not None else None
    row = _held(s, uscc, lock)
    return _parsed(row.record) if row else None


def records(s: Session, usccs: Iterable[str] | None = None, park_id: str | None = None
            ) -> dict[str, EnterpriseRecord]:
    """The records held, by USCC: all of them, those of `usccs`, or those the registry places in `park_id`."""
    stmt = select(RegistryRecord.record).order_by(RegistryRecord.uscc)
    if usccs is not None:
        usccs = set(usccs)
        stmt = stmt.where(RegistryRecord.uscc.in_(sorted(usccs)))
    if park_id is not None:
        stmt = stmt.where(RegistryRecord.park_id == park_id)
    out = {}
    for raw in s.scalars(stmt):
        r = EnterpriseRecord.model_validate_json(raw)  # many at once: not kept
        out[r.uscc] = r
    ahead = s.info.get(_AHEAD)
    if not ahead:
        return out
    for uscc, held in ahead.items():  # the batch's view of those read ahead, over the table's
        r = held.parsed() if held is not None else None
        if r is None or (park_id is not None and r.park_id != park_id):
            out.pop(uscc, None)
        elif usccs is None or uscc in usccs:
            out[uscc] = r
    return dict(sorted(out.items()))


def tier_of(s: Session, uscc: str, on: dt.date) -> str:
    """The tier on a date by the registry's record (`sme` for an enterprise not heard of)."""
    r = record_of(s, uscc)
    return r.tier_on(on) if r else Tier.sme.value
