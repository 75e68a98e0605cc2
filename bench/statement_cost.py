"""Benchmark: what one lookup by key costs through each SQLAlchemy path, on SQLite in memory.

The registry's record held by every department (`registry_record`), 1,000 rows, 5,000 lookups by
USCC in one transaction: an ORM select built on every call, the same select built once with a bind
parameter, `Session.get`, and the prebuilt select as Core (rows, not ORM objects). Why the statements
every event runs are built once (docs/architecture.md, "The hot write path").
Run: `.venv/bin/python bench/statement_cost.py`.
"""
from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

from sqlalchemy import bindparam, create_engine, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import machine_state  # noqa: E402
from shared.tables import RegistryRecord  # noqa: E402

N = 5000


def main() -> dict:
    machine = machine_state()  # before the run: its load is the machine's, not the bench's
    engine = create_engine("sqlite://")
    RegistryRecord.__table__.create(engine)
    with Session(engine) as s:
        s.add_all(RegistryRecord(uscc=f"U{i:05d}", version=1, park_id=None, record="{}", updated_at=dt.datetime.now())
                  for i in range(1000))
        s.commit()
    table = RegistryRecord.__table__
    prebuilt = select(RegistryRecord).where(RegistryRecord.uscc == bindparam("u"))
    core = select(table.c.version, table.c.record).where(table.c.uscc == bindparam("u"))
    ways = {
        "ORM select built per call": lambda s, u: s.scalars(select(RegistryRecord).where(RegistryRecord.uscc == u)).first(),
        "ORM select built once": lambda s, u: s.scalars(prebuilt, {"u": u}).first(),
        "Session.get": lambda s, u: s.get(RegistryRecord, u),
        "Core select built once": lambda s, u: s.execute(core, {"u": u}).first(),
    }
    result = {**machine, "lookups": N}
    for name, lookup in ways.items():
        with Session(engine) as s:
            s.begin()
            t0 = time.perf_counter()
            for i in range(N):
                lookup(s, f"U{i % 1000:05d}")
            result[name] = f"{(time.perf_counter() - t0) / N * 1e6:.1f} µs"
            s.rollback()
    (Path(__file__).parent / "results" / "statement_cost.json").write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(json.dumps(result, indent=1, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()
