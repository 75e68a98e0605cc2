"""An import is all or nothing: a cancelled 100,000-row job, and a job failing halfway, leave no
enterprise, certification, event or audit row of it. A back-filled list marks its certifications
`backfilled` in the record every department receives."""
import random
import time

import orjson
import pytest
from sqlalchemy import func, select

from services.registry.imports import jobs, parsing, repository, service
from services.registry.tables import Certification, Enterprise
from services.registry.tests import listgen
from shared import sheets
from shared.tables import AuditLog, Outbox
from shared.testing import Suite, make_uscc


@pytest.fixture(scope="module")
async def registry_only(tmp_path_factory):
    """The registry alone: the counts here are exact."""
    s = await Suite(tmp_path_factory.mktemp("registry-cancel"), services=("registry",)).start()
    yield s
    await s.stop()


def many_rows(n: int, seed: int) -> list[list]:
    """n rows quickly: each enterprise holds every title on every batch date (30 rows each)."""
    rng = random.Random(seed)
    combos = [(labels[0], day, batch) for labels in listgen.LABELS.values() for day, batch in listgen.BATCHES]
    rows: list[list] = []
    while len(rows) < n:
        u = listgen.uscc(rng)
        rows += [[len(rows) + i, f"北京批量{u[-6:]}有限公司", u, "房山区", label, batch, day.isoformat()]
                 for i, (label, day, batch) in enumerate(combos, 1)]
    return rows[:n]


def counts(suite) -> tuple[int, int, int]:
    with suite.db("registry").reader() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Enterprise, Certification, Outbox))


def imports_audited(suite) -> set[str]:
    with suite.db("registry").reader() as s:
        return set(s.scalars(select(AuditLog.action).where(AuditLog.action.notlike("import.%")).distinct()))


async def start(suite, content: bytes, **params):
    r = await suite.client("registry").post("/api/v1/import-jobs", params=params,
                                            files={"file": ("list.csv", content, "text/csv")})
    assert r.status_code == 202, r.text
    return r.json()["id"]


async def wait_state(suite, job_id, *states, timeout=60.0):
    econ = suite.client("registry")

    async def reached():
        j = (await econ.get(f"/api/v1/import-jobs/{job_id}")).json()
        return j if j["state"] in states else None
    return await suite.wait_for(reached, f"the job {states}", timeout=timeout)


@pytest.mark.parametrize("n", [6_000, pytest.param(100_000, marks=pytest.mark.slow)])
async def test_a_cancelled_job_applies_nothing(registry_only, monkeypatch, n):
    """Cancelled after three chunks were flushed inside the job's one transaction: nothing stays.
    (100,000 rows: ≈ 10 s on an idle machine, most of it reading and checking the file.)"""
    suite = registry_only
    rows = many_rows(n, seed=n)
    real, flushed = service.apply, []

    def gated(s, actor, chunk, tally, backfill=False):
        real(s, actor, chunk, tally, backfill)
        flushed.append(len(chunk))
        if len(flushed) == 3:  # hold the job here until the cancel has reached the runner
            wait_until(lambda: bool(jobs._cancelled))
    monkeypatch.setattr(service, "apply", gated)
    before, other_audit = counts(suite), imports_audited(suite)
    job_id = await start(suite, listgen.to_csv(rows))
    econ = suite.client("registry")

    async def applying():  # chunks flushed inside the job's transaction, not committed
        j = (await econ.get(f"/api/v1/import-jobs/{job_id}")).json()
        assert j["state"] in ("queued", "running"), j
        return j if j["rows_done"] >= 1000 else None
    await suite.wait_for(applying, "two chunks applied", timeout=120)
    assert counts(suite) == before  # not visible outside the transaction
    r = await econ.post(f"/api/v1/import-jobs/{job_id}/cancel")
    assert r.status_code == 200 and r.json()["cancel_requested"] is True, r.text
    job = await wait_state(suite, job_id, "cancelled", "done", "failed")
    assert (job["state"], job["applied"], job["report"], len(flushed)) == ("cancelled", False, None, 3), job
    assert "nothing was applied" in job["error"]
    assert counts(suite) == before and imports_audited(suite) == other_audit
    again = await econ.post(f"/api/v1/imports/jobs/{job_id}/cancel")  # the other path; asking again is the same
    assert again.status_code == 200 and again.json()["state"] == "cancelled"


def wait_until(condition, timeout: float = 60.0) -> None:
    """In the job's worker thread: block until condition() holds (a threading.Event would need a hook)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the cancel never came")
        time.sleep(0.01)


async def test_a_job_failing_halfway_applies_nothing(registry_only, monkeypatch):
    suite = registry_only
    rows, _ = listgen.make(seed=19, n=3000)
    applied = []
    real = service.apply

    def failing(s, actor, chunk, tally, backfill=False):
        if len(applied) == 2:
            raise RuntimeError("disk full")
        applied.append(len(chunk))
        return real(s, actor, chunk, tally, backfill)
    monkeypatch.setattr(service, "apply", failing)
    before = counts(suite)
    job = await wait_state(suite, await start(suite, listgen.to_csv(rows)), "failed", "done")
    assert (job["state"], job["applied"], len(applied)) == ("failed", False, 2), job
    assert "nothing was applied" in job["error"] and "disk full" in job["error"]
    assert counts(suite) == before


async def test_cancel_answers(registry_only):
    suite = registry_only
    job_id = await start(suite, listgen.to_csv([[1, "北京取消测试有限公司", make_uscc(), "房山区", "创新型中小企业",
                                                 "2024年第一批", "2024-08-12"]]))
    await wait_state(suite, job_id, "done")
    r = await suite.client("registry").post(f"/api/v1/import-jobs/{job_id}/cancel")
    assert r.status_code == 409 and r.json()["type"].endswith("/import-job-finished") and r.json()["state"] == "done"
    assert (await suite.client("registry").post("/api/v1/import-jobs/nope/cancel")).status_code == 404
    assert (await suite.client("registry", role="platform").post(
        f"/api/v1/import-jobs/{job_id}/cancel")).status_code == 404  # not one it started
    for role in ("treasury", "auditor"):
        assert (await suite.client("registry", role=role).post(
            f"/api/v1/import-jobs/{job_id}/cancel")).status_code == 403
    assert (await suite.client("registry", role=None).post(
        f"/api/v1/import-jobs/{job_id}/cancel")).status_code == 401


async def test_backfill_marks_certifications_in_the_record(registry_only):
    suite = registry_only
    a, b = make_uscc(), make_uscc()
    body = sheets.xlsx(sheets.Sheet("名单", listgen.COLUMNS, [
        [1, "北京补录甲有限公司", a, "房山区", "北京市专精特新中小企业", "2022年第一批", "2022-09-10"],
        [2, "北京补录乙有限公司", b, "房山区", "创新型中小企业", "2023年第一批", "2023-07-20"]]))
    r = await suite.client("registry").post("/api/v1/imports/recognition-lists", data={"mode": "backfill"},
                                            files={"file": ("2022-2023.xlsx", body, sheets.XLSX)})
    assert r.status_code == 200, r.text
    assert (r.json()["mode"], r.json()["created"], r.json()["applied"]) == ("backfill", 2, True)
    with suite.db("registry").reader() as s:
        assert set(s.scalars(select(Certification.backfilled).where(Certification.uscc.in_((a, b))))) == {True}
        payloads = [orjson.loads(p) for p in s.scalars(select(Outbox.payload).where(Outbox.payload.contains(a)))]
    promoted = [p["data"] for p in payloads if p["type"].endswith("enterprise.promoted.v1")]
    assert promoted and all(c["backfilled"] for c in promoted[0]["record"]["certifications"])
    # A later ordinary import records a new title as not back-filled.
    later = sheets.xlsx(sheets.Sheet("名单", listgen.COLUMNS, [
        [1, "北京补录甲有限公司", a, "房山区", "北京市专精特新“小巨人”企业", "2025年第一批", "2025-06-18"]]))
    r = await suite.client("registry").post("/api/v1/imports/recognition-lists",
                                            files={"file": ("2025.xlsx", later, sheets.XLSX)})
    assert r.status_code == 200 and (r.json()["mode"], r.json()["enterprises_changed"]) == ("import", 1)
    with suite.db("registry").reader() as s:
        flags = dict(s.execute(select(Certification.tier, Certification.backfilled)
                               .where(Certification.uscc == a)).all())
    assert flags == {"municipal_srdi": True, "municipal_little_giant": False}
    await suite.settled()


async def test_an_import_committed_is_a_job_done_even_if_the_process_stops_right_after(registry_only):
    """The job's end is written in the import's own transaction (the fault drill's find: the import
    committed, the process was killed before the job's separate "done", and the restart's job keeper
    marked it failed, "nothing was applied", over an import that had been applied in full)."""
    suite = registry_only
    rows, _ = listgen.make(seed=29, n=200)
    db = suite.apps["registry"].state.db
    parsed = list(parsing.read_list_file("list.csv", listgen.to_csv(rows)))
    job = jobs.create_job(db, "econ:-:drill", "list.csv", len(parsed))
    before = counts(suite)
    report = jobs.run_import(db, "econ:-:drill", parsed, job_id=job.id)  # run_job's import; then the "crash"
    assert report["applied"] and report["created"] > 0
    with db.transaction() as s:  # the restart: the job keeper fails what it finds unfinished
        repository.fail_unfinished(s, "interrupted by a restart")
    got = (await suite.client("registry").get(f"/api/v1/import-jobs/{job.id}")).json()
    assert (got["state"], got["applied"], got["error"]) == ("done", True, None), got
    assert got["report"]["created"] == report["created"] and counts(suite)[1] == before[1] + report["created"]
