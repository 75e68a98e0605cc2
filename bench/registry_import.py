"""Benchmark: a 10,000-row recognition list imported end to end, in rows per second.

Every department's service runs under uvicorn on one nats-server (embedded default: SQLite):
the registry, awards, talent, finance, parks and outreach. The list (generated as in
services/registry/tests/listgen.py) is posted as an import job (`POST /api/v1/import-jobs`); the
clock runs from the POST until the job is done ("imported") and until every event has been handled
("settled"): every service's outbox is empty and every service's consumer has nothing pending, so
every award, quota and service-list entry the list implies exists and every copy of the records is
current. (Before 2026-12-05 afternoon only the registry, awards and talent ran and only the awards and
talent consumers were waited for.) Run: `.venv/bin/python bench/registry_import.py [ROWS]`.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from pathlib import Path

import httpx
import nats

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, Stack, bench_database, cpu_seconds, machine_state  # noqa: E402

sys.path.insert(0, str(ROOT))
from services.registry.tests import listgen  # noqa: E402

DEPARTMENTS = ("registry", "awards", "talent", "finance", "parks", "outreach")


async def settled(stack: Stack, urls: dict[str, str], token: str) -> None:
    nc = await nats.connect(stack.nats.url)
    js = nc.jetstream()
    try:
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            while True:
                pending = 0
                for url in urls.values():
                    pending += (await client.get(f"{url}/api/v1/admin/events")).json()["outbox_pending"]
                for consumer in urls:  # every service's own durable consumer
                    try:
                        info = await js.consumer_info("SRDI", consumer)
                        pending += info.num_pending + info.num_ack_pending
                    except Exception:  # noqa: BLE001 - not created yet
                        pending += 1
                if not pending:
                    return
                await asyncio.sleep(0.2)
    finally:
        await nc.close()


async def measure(stack: Stack, urls: dict[str, str], rows: int) -> dict:
    data, expected = listgen.make(seed=2026, n=rows)
    body = listgen.to_csv(data)
    token = stack.token("econ")
    pids = {**{name: p.pid for name, p in zip(urls, stack.procs)}, "nats": stack.nats.proc.pid}
    cpu0 = {name: cpu_seconds(pid) for name, pid in pids.items()}
    async with httpx.AsyncClient(base_url=urls["registry"], headers={"Authorization": f"Bearer {token}"},
                                 timeout=120) as client:
        t0 = time.perf_counter()
        r = await client.post("/api/v1/import-jobs", files={"file": ("list.csv", body, "text/csv")})
        r.raise_for_status()
        url = r.headers["location"]
        while (job := (await client.get(url)).json())["state"] not in ("done", "failed"):
            await asyncio.sleep(0.1)
        imported = time.perf_counter() - t0
        assert job["state"] == "done", job
        assert job["report"]["created"] == expected["report"]["created"], job["report"]
        await settled(stack, urls, token)
        total = time.perf_counter() - t0
        cpu = {name: round(cpu_seconds(pid) - cpu0[name], 1) for name, pid in pids.items()}
        awards = await httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}).get(
            f"{urls['awards']}/api/v1/awards", params={"limit": 1})
    return {"rows": rows, "certifications_created": job["report"]["created"],
            "imported_s": round(imported, 1), "settled_s": round(total, 1),
            "rows_per_s_imported": round(rows / imported), "rows_per_s_settled": round(rows / total),
            "awards_status": awards.status_code, "cpu_s_by_process": cpu, "cpu_s": round(sum(cpu.values()), 1)}


def main(rows: int = 10_000) -> dict:
    """SQLite files by default; with SRDI_BENCH_DATABASE_URL (a PostgreSQL server) a fresh database
    of each service's own there, dropped afterwards."""
    machine = machine_state()  # before the run: its load is the machine's, not the bench's
    server = os.environ.get("SRDI_BENCH_DATABASE_URL")
    with contextlib.ExitStack() as cleanup:  # the services stop before their databases are dropped
        database = {name: cleanup.enter_context(bench_database(name)) for name in DEPARTMENTS} if server else {}
        stack = Stack()
        cleanup.callback(stack.stop)
        urls = {name: stack.serve(f"services.{name}.main:app",
                                  {"SRDI_DATABASE_URL": database[name]} if server else None) for name in DEPARTMENTS}
        result = asyncio.run(measure(stack, urls, rows))
    result = {**machine, "database": "postgresql" if server else "sqlite", **result}
    out = "registry_import_postgresql.json" if server else "registry_import.json"
    (Path(__file__).parent / "results" / out).write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
