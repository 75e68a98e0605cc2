"""Benchmark: tier statistics on 100,000 enterprises (`GET /api/v1/stats/tiers?on=`'s work).

Fills a registry database (SQLite by default; PostgreSQL with SRDI_BENCH_DATABASE_URL, a server
URL such as postgresql+psycopg://postgres@127.0.0.1:5432/postgres) with N enterprises and about
1.6 certifications each (Core inserts, so the maintained counts are then built with
`statistics.counts.rebuild`, the migration's back-fill, timed too), then times
`statistics.service.tier_stats` for four dates and `new_stats` (`GET /stats/new`) for two periods,
ungrouped and by township.
Run: `.venv/bin/python bench/stats_query.py [N]`.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import insert

from services.registry.certifications.rules import expiry
from services.registry.main import SPEC
from services.registry.statistics.counts import rebuild
from services.registry.statistics.service import new_stats, tier_stats
from services.registry.tables import Certification, Enterprise
from shared.db import Database
from shared.migrate import upgrade
from shared.testing import make_uscc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bench_database, machine_state  # noqa: E402

TIERS = ["innovative", "municipal_srdi", "municipal_little_giant", "national_little_giant", "single_champion"]


def fill(db: Database, n: int) -> int:
    rng = random.Random(7)
    firms = [make_uscc() for _ in range(n)]
    certs = []
    towns = ["良乡镇", "拱辰街道", "城关街道", "窦店镇", "长阳镇", None]
    for u in firms:
        for _ in range(rng.choice([1, 1, 2, 2, 3])):
            on = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 2500))
            certs.append({"uscc": u, "tier": rng.choice(TIERS), "recognized_on": on,
                          "expires_on": expiry(on, 3),
                          "source": "municipal_list", "state": "active"})
    seen, unique = set(), []
    for c in certs:
        if (c["uscc"], c["tier"], c["recognized_on"]) not in seen:
            seen.add((c["uscc"], c["tier"], c["recognized_on"]))
            unique.append(c)
    with db.engine.begin() as conn:
        conn.execute(insert(Enterprise), [{"uscc": u, "name": "统计基准企业", "version": 1, "doc": "{}",
                                           "township": towns[i % len(towns)]} for i, u in enumerate(firms)])
        conn.execute(insert(Certification), unique)
    return len(unique)


def main(n: int = 100_000) -> dict:
    machine = machine_state()  # before the run: its load is the machine's, not the bench's
    with bench_database("registry") as url:
        db = Database(url)
        try:
            upgrade(db.engine, "registry", SPEC.migrations, SPEC.metadata)
            t0 = time.perf_counter()
            certs = fill(db, n)
            fill_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            with db.transaction() as s:
                rebuild(s.connection())
            build_s = time.perf_counter() - t0
            timings = []
            for on in ("2022-12-31", "2024-01-31", "2025-12-31", "2027-03-01"):
                t = time.perf_counter()
                with db.reader() as s:
                    result = tier_stats(s, dt.date.fromisoformat(on))
                timings.append(time.perf_counter() - t)
                assert sum(result.counts.values()) == n
            new_timings = []
            for start, end in (("2024-01-01", "2024-09-30"), ("2026-01-01", "2026-12-31")):
                for by in (None, "township"):
                    t = time.perf_counter()
                    with db.reader() as s:
                        new_stats(s, dt.date.fromisoformat(start), dt.date.fromisoformat(end), by)
                    new_timings.append(time.perf_counter() - t)
        finally:
            db.dispose()
    server = os.environ.get("SRDI_BENCH_DATABASE_URL")
    out = {**machine, "database": "postgresql" if server else "sqlite",
           "enterprises": n, "certifications": certs, "fill_s": round(fill_s, 1),
           "counts_build_s": round(build_s, 1),
           "stats_median_s": round(statistics.median(timings), 3), "stats_max_s": round(max(timings), 3),
           "new_median_s": round(statistics.median(new_timings), 3), "new_max_s": round(max(new_timings), 3),
           "load": os.getloadavg()[0]}
    (Path(__file__).parent / "results" / f"stats_query_{out['database']}.json").write_text(json.dumps(out, indent=1))
    print(json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
