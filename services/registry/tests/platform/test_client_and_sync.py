"""The municipal platform adapter against its simulator: pagination, rate limits, timeouts,
failures and malformed payloads; the sync as a platform job (202, polled) whose rows are imported
checked like a file's; the district's direct recommendations checked against the criteria, sent as
a job, kept once."""
import httpx
import pytest
from sqlalchemy import func, select

from services.registry.platform import client as municipal
from services.registry.platform.jobs import RetryPolicy
from services.registry.platform.simulator import item, make_simulator
from services.registry.tables import ImportJob
from services.registry.tests.season.helpers import qualify
from shared.clock import today
from shared.testing import make_uscc, wrong_check


def client_for(sim, **kw):
    waits: list[float] = []

    async def no_sleep(seconds):  # the simulator says Retry-After; the test records it instead of waiting
        waits.append(seconds)

    kw.setdefault("timeout_s", 2.0)
    c = municipal.HttpMunicipalPlatform("http://platform", transport=httpx.ASGITransport(app=sim),
                                        sleep=no_sleep, **kw)
    return c, waits


async def test_pages_rate_limits_hangs_and_failures_are_ridden_out():
    sim = make_simulator()
    usccs = [make_uscc() for _ in range(250)]
    sim.state.sim.items = [item(i + 1, u) for i, u in enumerate(usccs)]
    sim.state.sim.rate_limit_every = 2
    sim.state.sim.retry_after = "7"
    sim.state.sim.hang_pages = {2}
    sim.state.sim.fail_pages = {3: 2}
    c, waits = client_for(sim, page_size=100, timeout_s=0.3, retries=3)
    rows = await c.published_rows()
    assert [cells["统一社会信用代码"] for _, cells in rows] == usccs
    assert [n for n, _ in rows] == list(range(1, 251))
    assert sim.state.sim.limited >= 2 and waits.count(7.0) == sim.state.sim.limited


async def test_a_platform_that_never_answers_fails_in_bounded_time():
    sim = make_simulator()
    sim.state.sim.items = [item(1, make_uscc())]
    sim.state.sim.hang_pages, sim.state.sim.hang_once = {1}, False
    c, waits = client_for(sim, timeout_s=0.1, retries=2)
    with pytest.raises(municipal.PlatformError) as e:
        await c.published_rows()
    assert "3 attempts" in e.value.en and "timed out" in e.value.en and len(waits) == 2
    sim.state.sim.hang_pages, sim.state.sim.fail_pages = set(), {1: 99}
    with pytest.raises(municipal.PlatformError, match="HTTP 503"):
        await c.published_rows()
    sim.state.sim.fail_pages, sim.state.sim.rate_limit_every = {}, 1  # refuses every request
    c, waits = client_for(sim, max_rate_waits=5)
    with pytest.raises(municipal.PlatformError, match="rate limited after 5 waits"):
        await c.published_rows()
    assert len(waits) == 5


@pytest.mark.parametrize("mode", ["text", "array", "no-items", "bad-next"])
async def test_malformed_pages_are_refused(mode):
    sim = make_simulator()
    sim.state.sim.items = [item(i, make_uscc()) for i in range(1, 4)]
    sim.state.sim.malformed = {1: mode}
    c, _ = client_for(sim, page_size=2)
    with pytest.raises(municipal.PlatformError) as e:
        await c.published_rows()
    assert e.value.zh and e.value.en


async def wait_job(suite, url):
    econ = suite.client("registry")

    async def finished():
        j = (await econ.get(url)).json()
        return j if j["state"] in ("done", "failed") else None
    return await suite.wait_for(finished, "the platform job", timeout=60)


async def jobs(suite):
    with suite.db("registry").reader() as s:
        return s.scalar(select(func.count()).select_from(ImportJob))


async def test_sync_is_a_job_that_imports_rows_checked_like_a_file_and_is_idempotent(suite):
    app = suite.apps["registry"]
    econ = suite.client("registry")
    r = await econ.post("/api/v1/platform/sync")  # not configured: the service cannot now (503), no conflict
    assert r.status_code == 503 and r.json()["type"].endswith("platform-not-configured")
    assert "未配置市级申报平台" in r.json()["detail_zh"] and "not configured" in r.json()["detail_en"]
    sim = make_simulator()
    a, b = make_uscc(), make_uscc()
    sim.state.sim.items = [
        item(1, a, "北京市专精特新中小企业", on="2024年8月12日"),
        item(2, b, '专精特新"小巨人"企业', on="2025/6/18"),
        item(3, make_uscc("110108"), district="海淀区"),
        item(4, wrong_check(a)),
        item(5, make_uscc(), on="2024-02-30"),
        {"seq": 6, "name": {"nested": 1}, "uscc": ["x"], "district": "房山区", "type": 3, "recognized_on": None},
        "not an object",
    ]
    sim.state.sim.rate_limit_every = 3
    sim.state.sim.fail_pages = {2: 1}  # a transient failure the client rides out
    app.state.municipal_platform, _ = client_for(sim, page_size=3)
    try:
        for role, org in (("treasury", None), ("platform", None), ("park", "P-A"), ("bank", "B1")):
            r = await suite.client("registry", role=role, org=org).post("/api/v1/platform/sync")
            assert r.status_code == 403, (role, r.text)
        assert (await suite.client("registry", role=None).post("/api/v1/platform/sync")).status_code == 401
        r = await econ.post("/api/v1/platform/sync")
        assert r.status_code == 202 and r.json()["kind"] == "sync" and r.json()["state"] == "queued", r.text
        assert r.headers["location"] == f"/api/v1/platform-jobs/{r.json()['id']}"
        job = await wait_job(suite, r.headers["location"])
        assert job["state"] == "done" and job["attempts"] == 1 and job["result"]["rows"] == 7, job
        rep = job["result"]["report"]
        assert (rep["rows"], rep["created"], rep["skipped"], rep["unchanged"]) == (7, 2, 1, 0)
        assert [x["row"] for x in rep["rejected"]] == [4, 5, 6, 7]
        assert len(next(x for x in rep["rejected"] if x["row"] == 6)["errors"]) >= 3
        imported = (await econ.get(f"/api/v1/import-jobs/{job['result']['import_job_id']}")).json()
        assert imported["state"] == "done" and imported["rows_total"] == 7
        firm = (await econ.get(f"/api/v1/enterprises/{b}")).json()
        assert [(c["tier"], c["recognized_on"]) for c in firm["certifications"]] == [
            ("national_little_giant", "2025-06-18")]
        again = await wait_job(suite, (await econ.post("/api/v1/platform/sync")).headers["location"])
        assert (again["result"]["report"]["created"], again["result"]["report"]["unchanged"]) == (0, 2)
        # Off-contract: the job fails at once (retrying will not change it), nothing imported.
        before = await jobs(suite)
        sim.state.sim.malformed = {2: "text"}
        r = await econ.post("/api/v1/platform/sync")
        assert r.status_code == 202, r.text
        failed = await wait_job(suite, r.headers["location"])
        assert failed["state"] == "failed" and failed["attempts"] == 1 and failed["result"] is None
        assert failed["last_error"].startswith("市级平台") and "JSON" in failed["last_error"]
        assert await jobs(suite) == before  # no import started
        # Down for longer than the job's retries: failed after each attempt, listed for an operator.
        sim.state.sim.malformed, sim.state.sim.fail_pages = {}, {1: 99}
        app.state.municipal_platform, _ = client_for(sim, page_size=3, retries=0)
        app.state.platform_retry = RetryPolicy(attempts=3, backoff_cap_s=0.05)
        down = await wait_job(suite, (await econ.post("/api/v1/platform/sync")).headers["location"])
        assert down["state"] == "failed" and down["attempts"] == 3 and "HTTP 503" in down["last_error"], down
        listed = (await suite.client("registry", role="auditor").get("/api/v1/platform-jobs?state=failed")).json()
        assert [j["id"] for j in listed["items"]][:2] == [down["id"], failed["id"]]
        assert (await econ.get("/api/v1/platform-jobs/nope")).status_code == 404
        assert (await suite.client("registry", role="treasury").get(f"/api/v1/platform-jobs/{down['id']}")
                ).status_code == 403
    finally:
        del app.state.municipal_platform
        app.state.platform_retry = None
    await suite.settled()


async def test_direct_recommendations_are_checked_sent_as_a_job_and_kept_once(suite):
    app = suite.apps["registry"]
    econ = suite.client("registry")
    u1, u2, bare = make_uscc(), make_uscc(), make_uscc()
    year = today().year
    for u in (u1, u2, bare):
        assert (await econ.post("/api/v1/enterprises", json={"uscc": u, "name": "推荐测试"})).status_code == 201
    for u in (u1, u2):
        await qualify(econ, u, year - 1)
    sim = make_simulator()
    app.state.municipal_platform, _ = client_for(sim)
    body = {"year": year, "tier": "municipal_srdi", "usccs": [u2, u1, u1]}
    try:
        assert (await suite.client("registry", role="treasury").post(
            "/api/v1/platform/recommendations", json=body)).status_code == 403
        for bad in ({**body, "usccs": [wrong_check(u1)]}, {**body, "usccs": []}, {**body, "tier": "gold"},
                    {**body, "year": "soon"}, {**body, "extra": 1}):
            r = await econ.post("/api/v1/platform/recommendations", json=bad)
            assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), bad
        unknown = make_uscc()
        r = await econ.post("/api/v1/platform/recommendations", json={**body, "usccs": [u1, unknown]})
        assert r.status_code == 422 and r.json()["type"].endswith("/unknown-enterprises") and unknown in r.json()["detail"]
        # No title: not a candidate for 北京市专精特新 (the innovative title comes first).
        r = await econ.post("/api/v1/platform/recommendations", json={**body, "usccs": [u1, bare]})
        assert r.status_code == 422 and r.json()["type"].endswith("/not-eligible"), r.text
        assert [x["uscc"] for x in r.json()["refused"]] == [bare]
        assert any(x["code"] == "ladder" and "创新型中小企业" in x["zh"] for x in r.json()["refused"][0]["reasons"])
        assert sim.state.sim.recommendations == {}
        r = await econ.post("/api/v1/platform/recommendations", json=body)
        assert r.status_code == 202, r.text
        sent = await wait_job(suite, r.headers["location"])
        assert sent["state"] == "done" and sent["request"]["usccs"] == sorted([u1, u2]), sent
        assert sent["result"]["accepted"] == 2 and sent["result"]["duplicate"] is False
        assert list(sim.state.sim.recommendations) == [sent["result"]["batch_id"]] == [sent["request"]["batch_id"]]
        assert sim.state.sim.recommendations[sent["result"]["batch_id"]]["district"] == "房山区"
        r = await econ.post("/api/v1/platform/recommendations", json={**body, "usccs": [u1, u2]})
        again = await wait_job(suite, r.headers["location"])
        assert again["result"]["batch_id"] == sent["result"]["batch_id"] and again["result"]["duplicate"] is True
        assert len(sim.state.sim.recommendations) == 1
        sim.state.sim.refuse_recommendations = True  # a refusal is not retried
        r = await econ.post("/api/v1/platform/recommendations", json={**body, "usccs": [u1]})
        refused = await wait_job(suite, r.headers["location"])
        assert refused["state"] == "failed" and refused["attempts"] == 1 and "403" in refused["last_error"]
    finally:
        del app.state.municipal_platform
    await suite.settled()
