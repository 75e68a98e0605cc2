"""Benchmark: promotion → award latency, end to end across processes.

The registry and awards services run under uvicorn on one nats-server (embedded default:
SQLite). For each of N enterprises: POST a certification to the registry, then wait for the
awards service's `award.changed` event on NATS; the latency is from before the POST to the
event's arrival (registry transaction, outbox relay, JetStream, awards consumer transaction,
awards outbox relay, JetStream). Run: `.venv/bin/python bench/promotion_latency.py [N]`.
"""
from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

import httpx
import nats
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Stack  # noqa: E402

from shared.testing import make_uscc  # noqa: E402


async def measure(stack: Stack, registry: str, n: int) -> list[float]:
    nc = await nats.connect(stack.nats.url)
    arrived: dict[str, asyncio.Future] = {}

    async def on_award(msg):
        uscc = orjson.loads(msg.data)["data"]["uscc"]
        fut = arrived.get(uscc)
        if fut and not fut.done():
            fut.set_result(time.perf_counter())

    await nc.subscribe("srdi.awards.award.changed.v1", cb=on_award)
    h = {"Authorization": f"Bearer {stack.token('econ')}"}
    latencies = []
    async with httpx.AsyncClient(base_url=registry, headers=h, timeout=30) as client:
        for _ in range(n):
            uscc = make_uscc()
            (await client.post("/api/v1/enterprises", json={"uscc": uscc, "name": "时延测试"})).raise_for_status()
            arrived[uscc] = asyncio.get_running_loop().create_future()
            t0 = time.perf_counter()
            (await client.post(f"/api/v1/enterprises/{uscc}/certifications",
                               json={"tier": "municipal_srdi", "recognized_on": "2024-03-01"})).raise_for_status()
            latencies.append(await asyncio.wait_for(arrived[uscc], 30) - t0)
    await nc.close()
    return latencies


def main(n: int = 200) -> dict:
    stack = Stack()
    try:
        registry = stack.serve("services.registry.main:app")
        stack.serve("services.awards.main:app")
        asyncio.run(measure(stack, registry, 5))  # warm up: consumers created, caches filled
        lat = sorted(asyncio.run(measure(stack, registry, n)))
    finally:
        stack.stop()
    ms = [x * 1000 for x in lat]
    result = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "promotions": n,
              "p50_ms": round(statistics.median(ms), 1), "p99_ms": round(ms[int(len(ms) * 0.99) - 1], 1),
              "max_ms": round(ms[-1], 1)}
    (Path(__file__).parent / "results" / "promotion_latency.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
