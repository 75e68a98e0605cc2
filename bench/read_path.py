"""Benchmark: authenticated GET /api/v1/enterprises/{uscc} against a bare FastAPI constant.

Both run under uvicorn (one process each, same options) on this machine, in the same run,
measured by wrk. The target (issue 2): the registry read serves at least half the requests
per second of the bare endpoint. Run: `make bench` or `.venv/bin/python bench/read_path.py`.
"""
from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Stack, wrk, machine_state  # noqa: E402

from shared.testing import make_uscc  # noqa: E402


def main(seconds: int = 10, rounds: int = 3) -> dict:
    machine = machine_state()  # before the run: its load is the machine's, not the bench's
    stack = Stack()
    try:
        bare = stack.serve("bench.bare_app:app")
        registry = stack.serve("services.registry.main:app")
        token = stack.token("econ")
        uscc = make_uscc()
        h = {"Authorization": f"Bearer {token}"}
        httpx.post(f"{registry}/api/v1/enterprises", json={"uscc": uscc, "name": "基准测试企业"}, headers=h).raise_for_status()
        for tier, on in (("municipal_srdi", "2024-03-01"), ("municipal_little_giant", "2024-10-01"),
                         ("national_little_giant", "2025-08-01")):
            httpx.post(f"{registry}/api/v1/enterprises/{uscc}/certifications",
                       json={"tier": tier, "recognized_on": on}, headers=h).raise_for_status()
        url = f"{registry}/api/v1/enterprises/{uscc}"
        wrk(f"{bare}/constant", 2)
        wrk(url, 2, token=token)  # warm both
        bare_rps, read_rps = [], []
        for _ in range(rounds):  # interleaved, so drift hits both alike
            bare_rps.append(wrk(f"{bare}/constant", seconds))
            read_rps.append(wrk(url, seconds, token=token))
        result = {
            **machine, "machine": platform.platform(),
            "seconds_per_round": seconds, "rounds": rounds, "connections": 32,
            "bare_constant_rps": sorted(bare_rps), "registry_get_enterprise_rps": sorted(read_rps),
            "ratio_of_medians": round(sorted(read_rps)[rounds // 2] / sorted(bare_rps)[rounds // 2], 3)}
    finally:
        stack.stop()
    out = Path(__file__).parent / "results" / "read_path.json"
    out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
