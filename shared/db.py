"""Database engines and transactions: SQLite (WAL) per service by default, PostgreSQL by URL.

Services never commit: a request or an event handler opens one transaction with
`db.transaction()`, and everything it writes (state, outbox rows, audit, inbox)
commits together or not at all.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextvars import ContextVar

import orjson
import structlog
from sqlalchemy import MetaData, bindparam, column, create_engine, event, select, table, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, registry, sessionmaker
from sqlmodel import SQLModel

from shared import tracing

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# A transaction spanning one whole request (shared.idempotency: a keyed POST's key and answer commit
# with its effect): transaction() and reader() of the same database inside the request join it.
REQUEST_TRANSACTION: ContextVar = ContextVar("srdi_request_transaction", default=None)


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING)


def new_registry() -> registry:
    """A service's own SQLModel registry (its own metadata, the naming convention): every service's
    tables derive from `class Table(SQLModel, registry=new_registry())`, so two services may both
    have an `enterprise` table in one process (the tests run all six)."""
    return registry(metadata=new_metadata())


class Base(SQLModel, registry=new_registry()):
    """Plumbing tables (outbox, inbox, dead letters, idempotency keys, audit, parameters): SQLModel
    tables in a registry of their own (one Alembic history in shared/migrations)."""


def for_update(session: Session, stmt):
    """SELECT ... FOR UPDATE on PostgreSQL; on SQLite, BEGIN IMMEDIATE already serialises writers."""
    if isinstance(stmt, Locking):
        return stmt.locked if session.get_bind().dialect.name == "postgresql" else stmt.plain
    return stmt.with_for_update() if session.get_bind().dialect.name == "postgresql" else stmt


class Locking:
    """A select built once at import, with bind parameters, and its FOR UPDATE twin: for the
    queries every event runs (issue 15), where building the statement and its cache key cost more
    than running it. `for_update(session, LOCKING)` picks the twin the database needs."""

    def __init__(self, stmt):
        self.plain, self.locked = stmt, stmt.with_for_update()


class PerDialect:
    """A statement written with the database's own INSERT (ON CONFLICT …, RETURNING), built once at
    import for SQLite and for PostgreSQL by `build(insert)`; `of(session or connection)` picks the one
    the database needs (issue 15: an upsert instead of a read and a write, on every event)."""

    def __init__(self, build):
        self._by_dialect = {"sqlite": build(sqlite.insert), "postgresql": build(postgresql.insert)}

    def of(self, bind: Session | Connection):
        dialect = bind.dialect if isinstance(bind, Connection) else bind.get_bind().dialect
        return self._by_dialect[dialect.name]


_DEFERRED = "deferred_rows"


def append(session: Session, add, row: dict) -> None:
    """Append a row nothing reads back in its own transaction (an outbox event, an audit row) with
    `add`, an INSERT built once: at once, or, while the session defers (`deferring`), with the other
    rows of its INSERT as one statement at the end (issue 15: a consumer's batch wrote them one
    statement an event)."""
    deferred = session.info.get(_DEFERRED)
    if deferred is None:
        session.execute(add, row)
    else:
        deferred.setdefault(add, []).append(row)


@contextlib.contextmanager
def deferring(session: Session) -> Iterator[None]:
    """While this runs, `append`ed rows wait; they are written, each INSERT's rows as one statement in
    the order first appended, when it ends without an error, still inside the transaction (before its
    commit and the outbox hand-off that reads them). Only for a transaction undone whole on any error:
    a savepoint rolled back would not take back the rows it appended."""
    session.info[_DEFERRED] = deferred = {}
    try:
        yield
    finally:
        session.info.pop(_DEFERRED, None)
    for add, rows in deferred.items():
        session.execute(add, rows)


def insert(session: Session, row, conflict: Exception):
    """Add a row under a savepoint: a unique key a concurrent request took meanwhile (the check
    before could not see it) becomes `conflict` (a 409 Problem), never a 500, and leaves the rest of
    the transaction usable. Returns the row, flushed (its id set)."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as e:
        raise conflict from e
    return row


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _json(value) -> str:
    """JSON columns are written by orjson: the stdlib encoder was a tenth of a bulk import's job and of
    a consumer's audit rows (issue 15). The same values (keys that are not strings become strings, as
    before), compact and in UTF-8 rather than \\u escapes; every reader parses either. What orjson
    refuses and the stdlib wrote (an integer beyond 64 bits, nesting past 254 levels) is written as
    before, never a 500."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False)


def _sqlite_engine(url: str, immediate: bool, busy_timeout_ms: int) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
                           pool_size=8, max_overflow=16, json_serializer=_json)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy emit BEGIN itself so that writers can take the lock up front.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA case_sensitive_like=ON")  # LIKE as on PostgreSQL: an org code "bob" is not "BOB"
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A deferred transaction that reads and then writes can fail at once with
        # "database is locked"; writers take the write lock first and wait their turn.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class _Handoff:
    """A write transaction's outbox rows born claimed by this process's relay (shared.events.emit)."""

    __slots__ = ("lease", "rows")

    def __init__(self, lease: dt.timedelta):
        self.lease, self.rows = lease, []


# Read a row just written by a Core INSERT afresh, as `execution_options=FRESH` (or `s.get(...,
# execution_options=FRESH)`): SQLite gives a rolled-back savepoint's ids to the next rows, and the
# session may still hold the object it read under such an id (issue 15's Core writes).
FRESH = {"populate_existing": True}


def _surviving(session: Session, rows: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The handed rows (id, subject, payload) the transaction is about to commit: those of a
    savepoint rolled back are no longer in the outbox. One read of the ids, just before the commit."""
    if not rows:
        return rows
    kept = set(session.scalars(_OUTBOX_IDS, {"ids": [r[0] for r in rows]}))
    return [r for r in rows if r[0] in kept]


_OUTBOX = table("outbox", column("id"))  # shared.tables.Outbox (which builds on this module)
_OUTBOX_IDS = select(_OUTBOX.c.id).where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)))


# A commit still checkpoints a WAL grown past this many pages (~40 MB): should the thread fall behind
# or fail, the WAL stays bounded, as with SQLite's own 1,000.
CHECKPOINT_BACKSTOP_PAGES = 10_000


class _Checkpointer:
    """SQLite's WAL checkpoint on a thread of its own, every `every_s` seconds, instead of inside a
    commit: by default the commit that fills the WAL past 1,000 pages copies it into the database and
    syncs both files, a few milliseconds that fell on one event or request in a few hundred (issue
    15: each hop's p99 was 6 ms against 1.4 ms at p50; 1.6 ms with the checkpoint moved here). A
    PASSIVE checkpoint waits for no reader or writer; a failed one is logged and tried again, and a
    commit still checkpoints past CHECKPOINT_BACKSTOP_PAGES."""

    def __init__(self, path: str, every_s: float):
        self.path, self.every_s, self.failures = path, every_s, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        conn = None
        try:
            while not self._stop.wait(self.every_s):
                try:
                    if conn is None:  # the database's own file, never a new one (mode=rw)
                        conn = sqlite3.connect(f"file:{self.path}?mode=rw", uri=True, isolation_level=None,
                                               check_same_thread=False)
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error as exc:
                    self.failures += 1
                    structlog.get_logger().warning("sqlite checkpoint failed; trying again", path=self.path,
                                                   error=str(exc), failures=self.failures)
        finally:
            if conn is not None:
                conn.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)


class Database:
    """One service's database: a write engine and a read engine (the same file or server)."""

    def __init__(self, url: str, busy_timeout_ms: int = 30000):
        if url.startswith(("postgresql://", "postgres://")):  # psycopg 3 is the driver we ship
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.system = "sqlite" if self.is_sqlite else "postgresql"  # OpenTelemetry's db.system
        if self.is_sqlite:
            self.engine = _sqlite_engine(url, immediate=True, busy_timeout_ms=busy_timeout_ms)
            self.read_engine = _sqlite_engine(url, immediate=False, busy_timeout_ms=busy_timeout_ms)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, json_serializer=_json)
            self.read_engine = self.engine
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)
        self.after_commit_hooks: list = []
        # Set by this process's running relay (shared.bus): a write transaction's outbox rows are born
        # claimed by it for `handoff_lease` and given to `handoff(rows)` once committed (shared.events.emit).
        self.handoff = None
        self.handoff_lease = dt.timedelta(seconds=5)
        self._hot: sqlite3.Connection | None = None
        self._checkpointer: _Checkpointer | None = None
        if self.is_sqlite:
            @event.listens_for(self.engine, "connect")
            def _checkpoint_elsewhere(dbapi_conn, _record):
                if self._checkpointer is not None:  # commits checkpoint only as a backstop (checkpoint_in_background)
                    dbapi_conn.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_BACKSTOP_PAGES}")

    def checkpoint_in_background(self, every_s: float) -> None:
        """On a SQLite file, move the WAL checkpoint out of the commits onto a thread (`_Checkpointer`):
        for a running service, whose lifespan calls it once its migrations are done."""
        path = self.engine.url.database if self.is_sqlite else ""
        if not path or path == ":memory:" or self._checkpointer is not None:
            return
        self._checkpointer = _Checkpointer(path, every_s)
        self.engine.dispose()  # the pool's connections so far (the migrations') still checkpoint in commits

    @contextlib.contextmanager
    def transaction(self, flow: bool = False) -> Iterator[Session]:
        """A write transaction: commits on success, rolls back on any exception. Inside a request
        that runs in one transaction (REQUEST_TRANSACTION) it is a savepoint of that transaction
        (`flow`: held by the request across threads, as a session dependency is: shared.sessions)."""
        joined = REQUEST_TRANSACTION.get()
        if joined is not None and joined.db is self:
            with joined.join(flow=flow) as session:
                if session is not None:  # None: the request has finished (a task it started)
                    yield session
                    return
        span = tracing.start("db.transaction", tracing.CLIENT, **{"db.system": self.system})
        handoff, handed = self.handoff, None
        try:
            with self._sessions() as session:
                if handoff is not None:
                    session.info["outbox_handoff"] = _Handoff(self.handoff_lease)
                with session.begin():
                    yield session
                    if handoff is not None:  # read before the commit, in it: after, the rows are the relay's
                        handed = _surviving(session, session.info["outbox_handoff"].rows)
                wrote_events = session.info.get("outbox_written")
        finally:
            if span is not None:
                span.end()
        if handed:  # the relay's handoff wakes it too: one call into its loop per commit, not two (each
            handoff(handed)  # is a wake-up of the loop's thread that this thread then waits on the GIL for)
        elif wrote_events:  # wake the relay only for new events, or it would wake itself forever
            for hook in self.after_commit_hooks:
                hook()

    def retrying(self, work, attempts: int = 3):
        """Run work(session) in a transaction, again when a racing writer won a unique key first
        (PostgreSQL; SQLite's BEGIN IMMEDIATE serialises writers). The rerun sees the winner's rows,
        so it answers as a sequential request would: a 409, or a row left unchanged."""
        for attempt in range(attempts):
            try:
                with self.transaction() as s:
                    return work(s)
            except IntegrityError:
                if attempt == attempts - 1:
                    raise

    @contextlib.contextmanager
    def reader(self, flow: bool = False) -> Iterator[Session]:
        joined = REQUEST_TRANSACTION.get()
        if joined is not None and joined.db is self:  # read what the request wrote, on its connection
            with joined.join(read=True, flow=flow) as session:
                if session is not None:
                    yield session
                    return
        with self._read_sessions() as session:
            yield session

    def _fetch_one(self, sql: str, params: dict):
        with self.read_engine.connect() as conn:
            return conn.execute(text(sql), params).first()

    async def fetch_one(self, sql: str, params: dict):
        """One row for a hot read (named :params). SQLite answers a primary-key lookup in
        microseconds and WAL readers never wait for writers, so it runs inline on one plain
        autocommit connection; a server database goes through the pool in a thread."""
        if self.is_sqlite:
            if self._hot is None:
                path = self.url.split("///", 1)[1]
                self._hot = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
                self._hot.execute("PRAGMA query_only=ON")
            return self._hot.execute(sql, params).fetchone()
        return await asyncio.to_thread(self._fetch_one, sql, params)

    def lock_for_update(self, stmt):
        """SELECT ... FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers."""
        return stmt if self.is_sqlite else stmt.with_for_update()

    def ping(self) -> bool:
        try:
            with self.read_engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def dispose(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        if self._hot is not None:
            self._hot.close()
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()
