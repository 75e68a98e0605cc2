"""Benchmark: promotion → every department's effect, end to end across processes.

Registry, awards, talent and finance run under uvicorn on one nats-server (embedded default:
SQLite). For each of N enterprises: POST a national little giant certification to the
registry, then wait for the events that announce each effect: the award (`award.changed`),
the quotas (`quota.granted`) and the bank service list (`service_list.changed`). Latency is
from before the POST to the arrival of each, and of the last of the three ("all effects").
Run: `.venv/bin/python bench/promotion_latency.py [N] [--trace]`.

`--trace`: where the time goes. The services export OpenTelemetry spans (shared.tracing) to a small
OTLP receiver in this process, each promotion's POST carries a traceparent of its own, and the
stages of its cascade (the request, the registry's commit, each relay's wake-up and claim, each
publish with its ack, each consumer's fetch and handling) are read off the spans of its trace. The
spans cost a little themselves: the latencies of a traced run are not the headline ones.
"""
from __future__ import annotations

import asyncio
import collections
import json
import os
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import nats
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Stack, machine_state  # noqa: E402

from shared.natsserver import free_port  # noqa: E402
from shared.testing import make_uscc  # noqa: E402


EFFECTS = {"award": "srdi.awards.award.changed.v1", "quota": "srdi.talent.quota.granted.v1",
           "service_list": "srdi.finance.service_list.changed.v1"}
# Where the time goes (not effects): the POST's answer, and the registry's own event on NATS.
STAGES = {"promoted": "srdi.registry.enterprise.promoted.v1"}


class Spans:
    """An OTLP/HTTP receiver (protobuf, /v1/traces): every span the services export, by trace id."""

    def __init__(self):
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

        self.by_trace: dict[str, list[dict]] = collections.defaultdict(list)
        spans = self.by_trace

        class Receiver(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = ExportTraceServiceRequest.FromString(body)
                for rs in request.resource_spans:
                    for ss in rs.scope_spans:
                        for s in ss.spans:
                            attrs = {a.key: a.value.string_value for a in s.attributes}
                            spans[s.trace_id.hex()].append({
                                "name": s.name, "service": attrs.get("srdi.service", ""),
                                "start": s.start_time_unix_nano, "end": s.end_time_unix_nano})
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Receiver)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def env(self) -> dict:
        return {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{self.port}", "OTEL_BSP_SCHEDULE_DELAY": "200"}

    def stop(self) -> None:
        self.server.shutdown()


DEPARTMENTS = {"awards": "award.changed", "talent": "quota.granted", "finance": "service_list.changed"}


def stages(spans: list[dict], t0_ns: int) -> dict[str, float]:
    """One promotion's cascade in ms, each stage from the end of the one before it."""
    def one(service: str, name: str) -> dict | None:
        found = [s for s in spans if s["service"] == service and s["name"] == name]
        return min(found, key=lambda s: s["start"]) if found else None

    def ms(a: int | None, b: int | None) -> float | None:
        return None if a is None or b is None else (b - a) / 1e6

    request = next((s for s in spans if s["service"] == "registry" and s["name"].startswith("POST")), None)
    promoted = one("registry", "publish srdi.registry.enterprise.promoted.v1")
    if request is None or promoted is None:
        return {}
    out = {"client → server": ms(t0_ns, request["start"]),
           "registry: request → its event's publish (the use case, commit, relay wake-up)":
               ms(request["start"], promoted["start"]),
           "registry: publish (JetStream's ack)": ms(promoted["start"], promoted["end"])}
    for service, effect in DEPARTMENTS.items():
        handled = one(service, "handle srdi.registry.enterprise.promoted.v1")
        published = one(service, f"publish srdi.{service}.{effect}.v1")
        if handled is None or published is None:
            continue
        out[f"{service}: publish → handling starts (delivery, fetch)"] = ms(promoted["end"], handled["start"])
        out[f"{service}: handling (handler, commit)"] = ms(handled["start"], handled["end"])
        out[f"{service}: commit → publish (relay wake-up)"] = ms(handled["end"], published["start"])
        out[f"{service}: publish (JetStream's ack)"] = ms(published["start"], published["end"])
        out[f"{service}: effect published, from before the POST"] = ms(t0_ns, published["end"])
    return {k: v for k, v in out.items() if v is not None}


async def measure(stack: Stack, registry: str, n: int, traced: dict | None = None) -> dict[str, list[float]]:
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
            headers = {}
            if traced is not None:  # a trace of its own: its spans say where this promotion's time went
                trace_id = os.urandom(16).hex()
                headers["traceparent"] = f"00-{trace_id}-{os.urandom(8).hex()}-01"
                traced[trace_id] = time.time_ns()
            t0 = time.perf_counter()
            (await client.post(f"/api/v1/enterprises/{uscc}/certifications", headers=headers,
                               json={"tier": "national_little_giant", "recognized_on": "2025-08-01"})).raise_for_status()
            latencies["post"].append(time.perf_counter() - t0)
            done = {e: await asyncio.wait_for(f, 30) - t0 for e, f in futures.items()}
            for e, x in done.items():
                latencies[e].append(x)
            latencies["all"].append(max(done[e] for e in EFFECTS))
    await nc.close()
    return latencies


def main(n: int = 200, trace: bool = False) -> dict:
    machine = machine_state()  # before the run: its load is the machine's, not the bench's
    stack = Stack()
    spans = Spans() if trace else None
    traced: dict[str, int] | None = {} if trace else None
    try:
        extra = spans.env if spans else None
        registry = stack.serve("services.registry.main:app", extra)
        for service in ("awards", "talent", "finance"):
            stack.serve(f"services.{service}.main:app", extra)
        asyncio.run(measure(stack, registry, 5))  # warm up: consumers created, caches filled
        lat = asyncio.run(measure(stack, registry, n, traced))
    finally:
        stack.stop()  # the services' span exporters flush on the way out
        if spans:
            spans.stop()

    def summary(xs):
        ms = sorted(x * 1000 for x in xs)
        return {"p50_ms": round(statistics.median(ms), 1), "p99_ms": round(ms[max(0, int(len(ms) * 0.99) - 1)], 1),
                "max_ms": round(ms[-1], 1)}
    result = {**machine, "promotions": n, "traced": trace,
              **{effect: summary(xs) for effect, xs in lat.items()}}
    if trace:
        by_stage: dict[str, list[float]] = collections.defaultdict(list)
        for trace_id, t0_ns in traced.items():
            for stage, x in stages(spans.by_trace.get(trace_id, []), t0_ns).items():
                by_stage[stage].append(x / 1000)
        result["stages"] = {stage: {"promotions": len(xs), **summary(xs)} for stage, xs in by_stage.items()}
    name = "promotion_latency_traced.json" if trace else "promotion_latency.json"
    (Path(__file__).parent / "results" / name).write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    main(int(numbers[0]) if numbers else 200, "--trace" in sys.argv[1:])
