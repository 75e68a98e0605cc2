"""Benchmark: what a department's consumer spends on one event, in process (no NATS, no HTTP).

Two shapes, each on a fresh SQLite database of the service, its migrations run:
1. "import": the registry's promotion events of `awards_compute.history` (enterprises climbing three
   titles and a renewal, years of recognition dates, as an imported list brings them) through
   `shared.consumer.handle_batch` in batches of 50, for awards and talent: milliseconds an event.
2. "promotion": national-little-giant promotions of new enterprises, one event per transaction
   (`handle_one`), as the promotion benchmark sends them, for awards, talent and finance: p50 / p99.

Alternate it with the code before a change (`git worktree add /tmp/before <rev>` and run that tree's
copy with this venv) on the same minutes: the machine's speed drifts. Run:
`.venv/bin/python bench/handler_cost.py [EVENTS]`; results in bench/results/handler_cost.json.
"""
from __future__ import annotations

import importlib
import json
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import machine_state  # noqa: E402

from bench.awards_compute import history, promotion_events  # noqa: E402
from shared.consumer import handle_batch, handle_one  # noqa: E402
from shared.db import Database  # noqa: E402
from shared.events import new_event  # noqa: E402
from shared.migrate import upgrade  # noqa: E402
from shared.testing import make_uscc, promotion_event  # noqa: E402


def _database(service: str) -> Database:
    spec = importlib.import_module(f"services.{service}.main").SPEC
    db = Database(f"sqlite:///{tempfile.mkdtemp(prefix='srdi-handler-')}/{service}.db")
    upgrade(db.engine, service, spec.migrations, spec.metadata)
    db.checkpoint_in_background(1.0)  # as a running service's lifespan does (shared.app)
    return db


def _handlers(service: str):
    return importlib.import_module(f"services.{service}.handlers").handlers


def imported(service: str, n: int) -> float:
    """Milliseconds an event, the ladder's promotions in batches of 50."""
    db, handlers = _database(service), _handlers(service)
    deliveries = []
    for data in promotion_events(history(n)):
        event = new_event(data.SERVICE, data.NAME, data.uscc, data.model_dump(mode="json"))
        deliveries.append((event.nats_subject, orjson.dumps(event.envelope())))
    t = time.perf_counter()
    for i in range(0, n, 50):
        outcomes = handle_batch(db, service, handlers, deliveries[i:i + 50])
        assert all(o == "handled" for o in outcomes), outcomes
    secs = time.perf_counter() - t
    db.dispose()
    return round(1000 * secs / n, 3)


def promotions(service: str, n: int) -> dict:
    """p50 / p99 milliseconds of one national-little-giant promotion in its own transaction."""
    db, handlers = _database(service), _handlers(service)
    events = [promotion_event(make_uscc(), "national_little_giant", "2026-03-01") for _ in range(n + 20)]
    deliveries = [(e.nats_subject, orjson.dumps(e.envelope())) for e in events]
    for subject, data in deliveries[:20]:  # warm-up: caches, the first pages of each table
        handle_one(db, service, handlers, subject, data)
    took = []
    for subject, data in deliveries[20:]:
        t = time.perf_counter()
        assert handle_one(db, service, handlers, subject, data) == "handled"
        took.append(time.perf_counter() - t)
    db.dispose()
    took.sort()
    return {"p50_ms": round(1000 * took[len(took) // 2], 2), "p99_ms": round(1000 * took[int(len(took) * 0.99)], 2)}


def main(n: int = 2000) -> dict:
    machine = machine_state()  # before the run: its load is the machine's, not the bench's
    result = {**machine, "events": n,
              "import_ms_per_event": {s: imported(s, n) for s in ("awards", "talent")},
              "promotion": {s: promotions(s, min(n, 300)) for s in ("awards", "talent", "finance")}}
    (ROOT / "bench" / "results" / "handler_cost.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
