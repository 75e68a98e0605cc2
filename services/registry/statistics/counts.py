"""The maintained tier counts (issue 15 item 4): every change to an enterprise's certifications or
to its township, park, industry or status rewrites THAT enterprise's contribution to
tier_count_delta in the change's own transaction, as the difference between what it contributed
(tier_count_basis) and what it contributes now (rules.contribution, the scan's own rules).

One place, nothing bypasses it: a session hook notes every registry Enterprise and Certification
a flush added, deleted or changed in a counted attribute, and rewrites those enterprises'
contributions just before the transaction commits (same connection, same transaction), so the use
cases (certifications, imports, corrections, demotions, revocations, voids, expiry) need no call of
their own. A read of the statistics within a changing transaction settles first (`settle`). Writes with Core statements that skip the ORM (bench fills, a hand repair) call `refresh` for
the enterprises they touched, or `rebuild`. Concurrent changes add to the same rows with an upsert
(keys in a fixed order: no deadlock); each enterprise's own rows are serialised by its lock."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

import orjson
from sqlalchemy import Connection, bindparam, delete, event, inspect, select
from sqlalchemy.orm import Session

from services.registry.statistics import rules
from services.registry.tables import Certification, Enterprise, TierCountBasis, TierCountDelta, TierCountTotal
from shared.db import PerDialect

Key = tuple[dt.date, str, str, str, str, str]  # day, kind, tier, township, park_id, industry_code
CHUNK = 500
DELTA = TierCountDelta.__table__
TOTAL = TierCountTotal.__table__
BASIS = TierCountBasis.__table__
CERT_COLUMNS = (Certification.uscc, Certification.tier, Certification.recognized_on, Certification.expires_on,
                Certification.revoked_on, Certification.state)
ENTERPRISE_COLUMNS = (Enterprise.uscc, Enterprise.township, Enterprise.park_id, Enterprise.industry_code,
                      Enterprise.status_on)


def _contribution(e, certs: list) -> dict[Key, int]:
    groups = (e.township or "", e.park_id or "", e.industry_code or "")
    return {(day, kind, tier, *groups): n for (day, kind, tier), n in rules.contribution(certs, e.status_on).items()}


def _dump(c: dict[Key, int]) -> str:
    return orjson.dumps([[k[0].isoformat(), *k[1:], n] for k, n in sorted(c.items())]).decode()


def _load(text: str) -> dict[Key, int]:
    return {(dt.date.fromisoformat(r[0]), *r[1:6]): r[6] for r in orjson.loads(text)}


# Built once per database kind and reused (issue 15): every commit that changes a certification
# passes here, and building these statements cost more than running them.
_USCCS = bindparam("usccs", expanding=True)
_OLD = select(BASIS.c.uscc, BASIS.c.contribution).where(BASIS.c.uscc.in_(_USCCS))
_FIRMS = select(*ENTERPRISE_COLUMNS).where(Enterprise.uscc.in_(_USCCS))
_CERTS = select(*CERT_COLUMNS).where(Certification.uscc.in_(_USCCS))
_GONE = delete(BASIS).where(BASIS.c.uscc.in_(_USCCS))


def _adding_delta(table):
    """Deltas added to a table's rows (the grouped ones, or the district-wide ones)."""
    def build(dialect_insert):
        stmt = dialect_insert(table)
        return stmt.on_conflict_do_update(index_elements=[c.name for c in table.primary_key.columns],
                                          set_={"delta": table.c.delta + stmt.excluded.delta})
    return PerDialect(build)


def _replacing_basis(dialect_insert):
    stmt = dialect_insert(BASIS)
    return stmt.on_conflict_do_update(index_elements=["uscc"], set_={"contribution": stmt.excluded.contribution})


_ADD_DELTA = {DELTA.name: _adding_delta(DELTA), TOTAL.name: _adding_delta(TOTAL)}
_REPLACE_BASIS = PerDialect(_replacing_basis)


def _rows(diff: dict[Key, int]) -> tuple[list[dict], list[dict]]:
    """The grouped rows and the district-wide rows of a set of deltas, in key order."""
    total: dict[tuple, int] = defaultdict(int)
    for k, n in diff.items():
        total[k[:3]] += n
    return ([{"day": k[0], "kind": k[1], "tier": k[2], "township": k[3], "park_id": k[4], "industry_code": k[5],
              "delta": n} for k, n in sorted(diff.items()) if n],
            [{"day": k[0], "kind": k[1], "tier": k[2], "delta": n} for k, n in sorted(total.items()) if n])


def _add_deltas(conn: Connection, diff: dict[Key, int]) -> None:
    for table, rows in zip((DELTA, TOTAL), _rows(diff)):
        if not rows:
            continue
        stmt = _ADD_DELTA[table.name].of(conn)
        for i in range(0, len(rows), CHUNK):
            conn.execute(stmt, rows[i:i + CHUNK])


def refresh(conn: Connection, usccs: Iterable[str], known: dict[str, tuple] | None = None) -> None:
    """Rewrite the contribution of these enterprises (as they stand in the transaction) to the counts.
    `known`: (enterprise, certifications) of some of them as the caller holds them, whole and as
    written (a bulk import): those are not read back."""
    known = known or {}
    usccs = sorted(set(usccs) | set(known))
    for i in range(0, len(usccs), CHUNK):
        part = usccs[i:i + CHUNK]
        old = {u: _load(t) for u, t in conn.execute(_OLD, {"usccs": part})}
        unknown = [u for u in part if u not in known]
        firms = {u: known[u][0] for u in part if u in known}
        certs: dict[str, list] = defaultdict(list, {u: known[u][1] for u in part if u in known})
        if unknown:
            firms.update({e.uscc: e for e in conn.execute(_FIRMS, {"usccs": unknown})})
            for c in conn.execute(_CERTS, {"usccs": unknown}).all():
                certs[c.uscc].append(c)
        diff: dict[Key, int] = defaultdict(int)
        basis, gone = [], []
        for u in part:
            before = old.get(u, {})
            after = _contribution(firms[u], certs[u]) if u in firms else {}
            if before == after:
                continue
            for k, n in before.items():
                diff[k] -= n
            for k, n in after.items():
                diff[k] += n
            if after:
                basis.append({"uscc": u, "contribution": _dump(after)})
            else:
                gone.append(u)
        _add_deltas(conn, diff)
        if basis:
            conn.execute(_REPLACE_BASIS.of(conn), basis)
        if gone:
            conn.execute(_GONE, {"usccs": gone})


def rebuild(conn: Connection) -> None:
    """Recompute every contribution from the certifications (the migration's back-fill; a repair)."""
    conn.execute(delete(DELTA))
    conn.execute(delete(TOTAL))
    conn.execute(delete(BASIS))
    certs: dict[str, list] = defaultdict(list)
    for c in conn.execute(select(*CERT_COLUMNS)):
        certs[c.uscc].append(c)
    total: dict[Key, int] = defaultdict(int)
    basis = []
    for e in conn.execute(select(*ENTERPRISE_COLUMNS)).all():
        mine = _contribution(e, certs.get(e.uscc, []))
        for k, n in mine.items():
            total[k] += n
        basis.append({"uscc": e.uscc, "contribution": _dump(mine)})
        if len(basis) >= 5000:
            conn.execute(BASIS.insert(), basis)
            basis = []
    if basis:
        conn.execute(BASIS.insert(), basis)
    for table, rows in zip((DELTA, TOTAL), _rows(total)):
        for i in range(0, len(rows), 5000):
            conn.execute(table.insert(), rows[i:i + 5000])


COUNTED = {Certification: ("uscc", "tier", "recognized_on", "expires_on", "revoked_on", "state"),
           Enterprise: ("township", "park_id", "industry_code", "status_on")}


def _touched(session: Session) -> set[str]:
    """The enterprises whose contribution the flush may change: added or deleted ones and those
    of added or deleted certifications, and changes of a counted attribute (a new document or
    version alone changes nothing)."""
    out: set[str] = set()
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, (Certification, Enterprise)) and obj.uscc:
            out.add(obj.uscc)
    for obj in session.dirty:
        names = COUNTED.get(type(obj))
        if names and obj.uscc and obj.uscc not in out:
            state = inspect(obj)
            if any(state.attrs[n].history.has_changes() for n in names):
                out.add(obj.uscc)
                if isinstance(obj, Certification):  # moved to another enterprise: the old one too
                    out.update(u for u in state.attrs.uscc.history.deleted or () if u)
    return out


PENDING = "tier_counts.pending"
KNOWN = "tier_counts.known"


def known(session: Session, states: dict[str, tuple]) -> None:
    """A bulk writer's (enterprise, certifications) of the enterprises it wrote with Core, whole as
    they now stand: their contributions are rewritten before the commit from these, not read back.
    A later ORM change of one of them reads it back again (_after_flush)."""
    session.info.setdefault(KNOWN, {}).update(states)
    pending = session.info.get(PENDING)
    if pending:
        pending.difference_update(states)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    """Note the enterprises a flush touched; their contributions are rewritten once, just before
    the transaction commits (a bulk import flushes once per enterprise: one rewrite per batch)."""
    usccs = _touched(session)
    if usccs:
        session.info.setdefault(PENDING, set()).update(usccs)
        for u in usccs:
            session.info.get(KNOWN, {}).pop(u, None)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    settle(session)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:  # committed (rewritten already) or rolled back (undone with it)
        session.info.pop(PENDING, None)
        session.info.pop(KNOWN, None)


def settle(session: Session) -> None:
    """Flush and rewrite the contributions touched so far in this transaction (before a commit, and
    before the statistics read within a transaction that changed something)."""
    if (not session.info.get(PENDING) and not session.info.get(KNOWN) and not session.new and not session.dirty
            and not session.deleted):
        return
    session.flush()
    usccs, states = session.info.pop(PENDING, None), session.info.pop(KNOWN, None)
    if usccs or states:
        refresh(session.connection(), usccs or (), states)
