"""Fixtures for the cross-service tests that run the suite as processes (`srdi up`)."""
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from shared.settings import PORT_OFFSETS, available_services

SRDI = [sys.executable, "-m", "shared.cli"]


def free_base() -> int:
    """A free range of ports for `srdi up`. CI runs the SQLite and PostgreSQL passes at once, so each
    process starts its search at a place of its own (by pid): two runs do not race for one range."""
    ranges = list(range(19100, 19900, 10))
    start = os.getpid() % len(ranges)
    for base in ranges[start:] + ranges[:start]:
        if all(socket.socket().connect_ex(("127.0.0.1", base + off)) != 0 for off in (0, 1, 2, 3, 4, 5, 6, 222)):
            return base
    raise RuntimeError("no free port range")


def wait(predicate, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def stack(tmp_path):
    base = free_base()
    env = dict(os.environ, SRDI_PORT_BASE=str(base))
    env.pop("SRDI_TEST_DATABASE_URL", None)
    log = open(tmp_path / "up.log", "w")
    proc = subprocess.Popen([*SRDI, "up", "--data-dir", str(tmp_path)], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    urls = {name: f"http://127.0.0.1:{base + PORT_OFFSETS[name]}" for name in available_services()}

    def token(role, org=None):
        cmd = [*SRDI, "token", "issue", "--role", role, "--data-dir", str(tmp_path)] + (["--org", org] if org else [])
        return subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout.strip()

    wait(lambda: all(httpx.get(u + "/readyz").status_code == 200 for u in urls.values()), "the suite to be ready", 240)
    yield proc, urls, token, tmp_path
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()


