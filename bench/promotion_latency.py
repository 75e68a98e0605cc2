"""Benchmark: promotion → every department's effect, end to end across processes.

Registry, awards, talent and finance run under uvicorn on one nats-server (embedded default:
SQLite). For each of N enterprises: POST a national little giant certification to the
registry, then wait for the events that announce each effect: the award (`award.changed`),
the quotas (`quota.granted`) and the bank service list (`service_list.changed`). Latency is
from before the POST to the arrival of each, and of the last of the three ("all effects").
Run: `.venv/bin/python bench/promotion_latency.py [N]`.
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


EFFECTS = {"award": "srdi.awards.award.changed.v1", "quota": "srdi.talent.quota.granted.v1",
           "service_list": "srdi.finance.service_list.changed.v1"}
# Where the time goes (not effects): the POST's answer, and the registry's own event on NATS.
STAGES = {"promoted": "srdi.registry.enterprise.promoted.v1"}


async def measure(stack: Stack, registry: str, n: int) -> dict[str, list[float]]:
    nc = await nats.connect(stack.nats.url)
    arrived: dict[tuple[str, str], asyncio.Future] = {}

    def on(effect):
        async def cb(msg):
            fut = arrived.get((effect, orjson.loads(msg.data)["data"]["uscc"]))
            if fut and not fut.done():
                fut.set_result(time.perf_counter())
        return cb

    for effect, subject in {**EFFECTS, **STAGES}.items():
        await nc.subscribe(subject, cb=on(effect))
    h = {"Authorization": f"Bearer {stack.token('econ')}"}
    latencies: dict[str, list[float]] = {e: [] for e in ("post", *STAGES, *EFFECTS, "all")}
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(base_url=registry, headers=h, timeout=30) as client:
        for _ in range(n):
            uscc = make_uscc()
            (await client.post("/api/v1/enterprises", json={"uscc": uscc, "name": "时延测试"})).raise_for_status()
            futures = {e: loop.create_future() for e in (*EFFECTS, *STAGES)}
            arrived.update({(e, uscc): f for e, f in futures.items()})
            t0 = time.perf_counter()
            (await client.post(f"/api/v1/enterprises/{uscc}/certifications",
                               json={"tier": "national_little_giant", "recognized_on": "2025-08-01"})).raise_for_status()
            latencies["post"].append(time.perf_counter() - t0)
            done = {e: await asyncio.wait_for(f, 30) - t0 for e, f in futures.items()}
            for e, x in done.items():
                latencies[e].append(x)
            latencies["all"].append(max(done[e] for e in EFFECTS))
    await nc.close()
    return latencies


def main(n: int = 200) -> dict:
    stack = Stack()
    try:
        registry = stack.serve("services.registry.main:app")
        for service in ("awards", "talent", "finance"):
            stack.serve(f"services.{service}.main:app")
        asyncio.run(measure(stack, registry, 5))  # warm up: consumers created, caches filled
        lat = asyncio.run(measure(stack, registry, n))
    finally:
        stack.stop()

    def summary(xs):
        ms = sorted(x * 1000 for x in xs)
        return {"p50_ms": round(statistics.median(ms), 1), "p99_ms": round(ms[max(0, int(len(ms) * 0.99) - 1)], 1),
                "max_ms": round(ms[-1], 1)}
    result = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "promotions": n,
              **{effect: summary(xs) for effect, xs in lat.items()}}
    (Path(__file__).parent / "results" / "promotion_latency.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
