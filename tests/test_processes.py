"""The suite as a user runs it: `srdi up`, tokens from the CLI, a crashed service, a clean stop."""
import os
import signal
import subprocess

import httpx
import pytest

from shared.testing import make_uscc
from tests.conftest import SRDI, wait


def tmp_path_csv(folder, text):
    path = folder / "list.csv"
    path.write_text(text, encoding="utf-8-sig")
    return path

@pytest.mark.skipif(bool(os.environ.get("SRDI_TEST_DATABASE_URL")),
                    reason="the processes run on SQLite: run once, in the SQLite pass")
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
            # only this suite's awards process (a child of its `srdi up`), never another run's
            out = subprocess.run(["pgrep", "-P", str(proc.pid), "-f", "services.awards.main:app"],
                                 capture_output=True, text=True).stdout
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

    # `srdi import FILE` uploads a list as a job and reports it.
    listed = make_uscc()
    csv = tmp_path_csv(data, "序号,企业名称,统一社会信用代码,所属区,认定类型,批次,认定日期\n"
                             f"1,北京命令行科技有限公司,{listed},房山区,创新型中小企业,2024年第一批,2024-08-12\n")
    r = subprocess.run([*SRDI, "import", str(csv), "--data-dir", str(data), "--url", urls["registry"]],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "created    1" in r.stdout and "1/1 done" in r.stdout

    os.killpg(proc.pid, signal.SIGTERM)  # Ctrl-C / SIGTERM stops everything cleanly
    assert proc.wait(30) == 0
    assert "SRDI suite stopped." in (data / "up.log").read_text()
    with pytest.raises(httpx.ConnectError):
        httpx.get(urls["registry"] + "/healthz")
