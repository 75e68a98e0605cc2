"""Benchmark: a consumer's cost per event, one transaction per event against a fetched batch in
one transaction (a savepoint per event), in process, without NATS (issue 15).

The awards service's database (embedded default: SQLite; PostgreSQL with SRDI_TEST_DATABASE_URL,
a server URL, as in the tests). Two handler sets: "inbox only" (a handler that does nothing: what
the bus itself costs an event) and the real awards handlers on first promotions. Rounds alternate
the two ways so that a busy machine weighs on both alike. Run:
`.venv/bin/python bench/consumer_batch.py [EVENTS] [BATCH]`.
"""
from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import machine_state  # noqa: E402
from services.awards.handlers import handlers as awards_handlers  # noqa: E402
from shared.consumer import handle_batch, handle_one  # noqa: E402
from shared.testing import Suite, make_uscc, promotion_event  # noqa: E402


class Nothing:
    def get(self, subject):
        return lambda s, event: None


def deliveries(n: int) -> list[tuple[str, bytes]]:
    events = (promotion_event(make_uscc(), "municipal_srdi", "2024-03-01") for _ in range(n))
    return [(e.nats_subject, orjson.dumps(e.envelope())) for e in events]


async def measure(events: int, batch: int, rounds: int = 3) -> dict:
    suite = await Suite(Path(tempfile.mkdtemp(prefix="srdi-bench-")), services=("awards",)).start()
    try:
        await suite.apps["awards"].state.bus.stop()  # only this benchmark handles events
        db = suite.db("awards")
        out = {}
        for name, handlers, n in (("inbox_only", Nothing(), events), ("awards_handler", awards_handlers, events // 5)):
            one, batched = [], []
            for _ in range(rounds):
                work = deliveries(n)
                t = time.perf_counter()
                for subject, data in work:
                    handle_one(db, "awards", handlers, subject, data)
                one.append((time.perf_counter() - t) / n * 1000)
                work = deliveries(n)
                t = time.perf_counter()
                for i in range(0, n, batch):
                    handle_batch(db, "awards", handlers, work[i:i + batch])
                batched.append((time.perf_counter() - t) / n * 1000)
            out[name] = {"events": n, "one_transaction_each_ms": round(statistics.median(one), 2),
                         "batched_ms": round(statistics.median(batched), 2)}
        return out
    finally:
        await suite.stop()


def main(events: int = 1000, batch: int = 50) -> dict:
    machine = machine_state()  # before the run: its load is the machine's, not the bench's
    result = {**machine, "batch": batch,
              **asyncio.run(measure(events, batch))}
    (Path(__file__).parent / "results" / "consumer_batch.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
