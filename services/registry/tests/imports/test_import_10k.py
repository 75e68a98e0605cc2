"""10,000 generated rows through an import job: every count, progress, and the stats after."""
import time

import pytest
from sqlalchemy import func, select

from services.registry.tables import Certification, Enterprise
from services.registry.tests import listgen
from shared.testing import Suite


@pytest.fixture(scope="module")
async def registry_only(tmp_path_factory):
    """The registry alone on its own nats-server: the counts here are exact, and the run is not
    waiting on other services' consumers (bench/registry_import.py measures the whole chain)."""
    s = await Suite(tmp_path_factory.mktemp("registry10k"), services=("registry",)).start()
    yield s
    await s.stop()


async def test_ten_thousand_rows_as_a_job(registry_only):
    suite = registry_only
    rows, expected = listgen.make(seed=6, n=10_000)
    econ = suite.client("registry")
    t0 = time.perf_counter()
    r = await econ.post("/api/v1/import-jobs", files={"file": ("list.csv", listgen.to_csv(rows), "text/csv")})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["rows_total"] == 10_000 and job["state"] in ("queued", "running", "done")
    url = r.headers["location"]
    seen_progress = set()

    async def done():
        j = (await econ.get(url)).json()
        seen_progress.add(j["rows_done"])
        return j if j["state"] in ("done", "failed") else None

    job = await suite.wait_for(done, "the import job", timeout=120)
    elapsed = time.perf_counter() - t0
    assert job["state"] == "done", job
    report = job["report"]
    assert (report["rows"], report["created"], report["skipped"], len(report["rejected"]), report["unchanged"]) == (
        10_000, expected["report"]["created"], expected["report"]["skipped"], expected["report"]["rejected"], 0)
    assert job["rows_done"] == 10_000 and job["progress"] == 1.0
    assert all(0 <= p <= 10_000 for p in seen_progress)
    with suite.db("registry").reader() as s:
        assert s.scalar(select(func.count()).select_from(Enterprise)) == expected["enterprises"]
        assert s.scalar(select(func.count()).select_from(Certification)) == expected["certifications"]
    for on, want in expected["counts"].items():
        got = (await econ.get(f"/api/v1/stats/tiers?on={on}")).json()["counts"]
        assert {k: v for k, v in got.items() if v and k != "sme"} == want, on
    print(f"10,000 rows imported in {elapsed:.1f} s")
    # The same file again, synchronously: nothing new.
    r = await econ.post("/api/v1/imports/recognition-lists", files={"file": ("list.csv", listgen.to_csv(rows), "text/csv")})
    assert r.status_code == 200 and (r.json()["created"], r.json()["unchanged"]) == (0, expected["report"]["created"])
    await suite.settled(timeout=60)
