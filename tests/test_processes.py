"""The suite as a user runs it: `srdi up`, tokens from the CLI, a crashed service, a clean stop."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from shared.testing import make_uscc

SRDI = [sys.executable, "-m", "shared.cli"]


def free_base() -> int:
    for base in range(19100, 19900, 10):
        if all(socket.socket().connect_ex(("127.0.0.1", base + off)) != 0 for off in (1, 2, 3, 4, 5, 222)):
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
    urls = {name: f"http://127.0.0.1:{base + off}" for name, off in
            (("registry", 1), ("awards", 2), ("talent", 3), ("finance", 4), ("parks", 5))}

    def token(role, org=None):
        cmd = [*SRDI, "token", "issue", "--role", role, "--data-dir", str(tmp_path)] + (["--org", org] if org else [])
        return subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout.strip()

    wait(lambda: all(httpx.get(u + "/readyz").status_code == 200 for u in urls.values()), "the suite to be ready", 120)
    yield proc, urls, token, tmp_path
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()


def test_crash_of_a_consumer_loses_and_doubles_nothing(stack):
    proc, urls, token, data = stack
    h = {"Authorization": f"Bearer {token('econ')}"}
    assert httpx.get(urls["registry"] + "/api/v1/enterprises", headers={"Authorization": "Bearer x"}).status_code == 401
    firms = [make_uscc() for _ in range(10)]
    for i, u in enumerate(firms):
        assert httpx.post(urls["registry"] + "/api/v1/enterprises", json={"uscc": u, "name": "崩溃演练"}, headers=h).status_code == 201
        assert httpx.post(urls["registry"] + f"/api/v1/enterprises/{u}/certifications", headers=h,
                          json={"tier": "municipal_srdi", "recognized_on": "2024-03-01"}).status_code == 201
        if i == 4:  # kill -9 the awards process mid-stream; `srdi up` restarts it
            out = subprocess.run(["pgrep", "-f", "services.awards.main:app"], capture_output=True, text=True).stdout
            pids = [int(p) for p in out.split() if int(p) != os.getpid()]
            assert pids
            for pid in pids:
                os.kill(pid, signal.SIGKILL)

    def awarded():
        r = httpx.get(urls["awards"] + "/api/v1/awards?program=tier&limit=500", headers=h)
        return r.status_code == 200 and {a["uscc"] for a in r.json()["items"]} >= set(firms)
    wait(awarded, "every award after the crash", timeout=90)
    items = httpx.get(urls["awards"] + "/api/v1/awards?program=tier&limit=500", headers=h).json()["items"]
    assert sorted(a["uscc"] for a in items) == sorted(firms)  # each exactly once
    bank = {"Authorization": f"Bearer {token('bank', 'DEMO')}"}

    def listed():
        r = httpx.get(urls["finance"] + "/api/v1/service-list?limit=500", headers=bank)
        return {i["uscc"] for i in r.json()["items"]} >= set(firms)
    wait(listed, "every firm on the banks' service list")

    os.killpg(proc.pid, signal.SIGTERM)  # Ctrl-C / SIGTERM stops everything cleanly
    assert proc.wait(30) == 0
    assert "SRDI suite stopped." in (data / "up.log").read_text()
    with pytest.raises(httpx.ConnectError):
        httpx.get(urls["registry"] + "/healthz")
