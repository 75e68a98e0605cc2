"""A running service's SQLite commits leave the WAL checkpoint to a thread of its own (shared.db,
`Database.checkpoint_in_background`), and that thread does copy the WAL into the database."""
from __future__ import annotations

import threading
import time

from sqlalchemy import text

from shared.db import CHECKPOINT_BACKSTOP_PAGES, Database


def _autocheckpoint(db: Database) -> int:
    with db.engine.connect() as conn:
        return conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one()


def _fill(db: Database, rows: int = 400) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO blob (body) VALUES (:body)"), [{"body": "x" * 8000}] * rows)


def _checkpoint_threads() -> int:
    return sum(t.name == "sqlite-checkpoint" for t in threading.enumerate())


def test_commits_checkpoint_until_a_thread_takes_it_over(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/a.db")
    try:
        with db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE blob (id INTEGER PRIMARY KEY, body TEXT)"))
        assert _autocheckpoint(db) == 1000  # SQLite's default: a commit checkpoints a full WAL
        threads = _checkpoint_threads()
        db.checkpoint_in_background(0.05)
        assert _autocheckpoint(db) == CHECKPOINT_BACKSTOP_PAGES  # the thread's, with a bound kept
        assert _checkpoint_threads() == threads + 1
        before = (tmp_path / "a.db").stat().st_size
        _fill(db)  # ~3 MB: into the WAL, not the database file, until a checkpoint copies it
        deadline = time.monotonic() + 10
        while (tmp_path / "a.db").stat().st_size <= before:
            assert time.monotonic() < deadline, "the checkpoint thread never copied the WAL"
            time.sleep(0.02)
    finally:
        db.dispose()
    assert _checkpoint_threads() == threads  # stopped with the database

