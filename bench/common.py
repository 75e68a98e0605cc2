"""Start the pieces a benchmark needs: a nats-server, a service under uvicorn, a token."""
from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from shared.auth import issue_token
from shared.natsserver import NatsServer, free_port, wait_port
from shared.testing import SIGNING_KEY, key_env

ROOT = Path(__file__).resolve().parent.parent


def reference_seconds() -> float:
    """The machine's speed today: the best of three runs of a fixed pure-Python loop. The same code
    measured slower on a day this is slower is the machine, not the code (this machine's speed
    has varied by about 1.7x between sessions), so every result records it. It runs after a second
    of the same work: on an idle machine the first runs took 0.41 s where the next took 0.25 s."""
    start = time.perf_counter()
    while time.perf_counter() - start < 1.0:  # an idle machine's first second runs slower: warm it
        sum(range(1_000_000))
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        sum(range(10_000_000))
        best = min(best, time.perf_counter() - t)
    return round(best, 3)


def machine_state() -> dict:
    """What a result was measured on: when, the commit, the load before it, the reference loop."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip() or None
    dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                                 ":!bench/results"], cwd=ROOT, capture_output=True, text=True).stdout.strip())
    return {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "commit": f"{commit}{'+changes' if dirty else ''}" if commit else None,
            "load_1min": round(os.getloadavg()[0], 2), "cores": os.cpu_count(),
            "reference_loop_s": reference_seconds()}


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (/proc/PID/stat's utime and stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Stack:
    """A data folder, a nats-server and uvicorn processes, stopped together."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="srdi-bench-"))
        self.nats = NatsServer(self.dir / "nats").start()
        self.env = dict(os.environ, SRDI_DATA_DIR=str(self.dir), SRDI_NATS_URL=self.nats.url,
                        SRDI_LOG_LEVEL="WARNING", **key_env())
        self.procs: list[subprocess.Popen] = []

    def serve(self, target: str, extra_env: dict | None = None) -> str:
        port = free_port()
        self.procs.append(subprocess.Popen(
            [sys.executable, "-m", "uvicorn", target, "--port", str(port), "--no-access-log",
             "--log-level", "warning"], cwd=ROOT, env={**self.env, **(extra_env or {})}))
        wait_port(port, timeout=60)
        return f"http://127.0.0.1:{port}"

    def token(self, role: str, org: str | None = None) -> str:
        return issue_token(SIGNING_KEY, role, org)

    def stop(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            p.wait(15)
        self.nats.stop()


def wrk(url: str, seconds: int = 10, connections: int = 32, token: str | None = None) -> float:
    """Requests per second that wrk measured (one client thread: the other core serves)."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url]
    if token:
        cmd[1:1] = ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"{url}: {non2xx.group(1)} failed responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


@contextlib.contextmanager
def bench_database(service: str):
    """A database URL of the benchmark's own: a fresh database on SRDI_BENCH_DATABASE_URL (a
    PostgreSQL server URL), dropped afterwards; else a SQLite file in a temporary folder."""
    server = os.environ.get("SRDI_BENCH_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tempfile.mkdtemp(prefix=f'{service}-bench-')}/{service}.db"
        return
    name = f"srdi_bench_{uuid.uuid4().hex[:8]}"
    with create_engine(server, isolation_level="AUTOCOMMIT").connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with create_engine(server, isolation_level="AUTOCOMMIT").connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
