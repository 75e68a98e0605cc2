"""The declaration season as the bureau runs it: a notice (the season), enterprises' applications,
the pre-review filled from screening, decisions with reasons, and the recommendation list checked
against the criteria, versioned, and sent to the municipal platform (its simulator) as a job."""
import datetime as dt

import httpx
from sqlalchemy import select

from services.registry.platform import client as municipal
from services.registry.platform.jobs import RetryPolicy
from services.registry.platform.simulator import make_simulator
from services.registry.tests.season.helpers import MEETS, NEAR, figures, qualify, titled
from shared.clock import today
from shared.tables import AuditLog
from shared.testing import make_uscc


def platform_for(sim, **kw) -> municipal.HttpMunicipalPlatform:
    async def no_sleep(_):
        return None
    return municipal.HttpMunicipalPlatform("http://platform", transport=httpx.ASGITransport(app=sim),
                                           sleep=no_sleep, timeout_s=2.0, **kw)


def season_body(**kw) -> dict:
    on = today()
    return {"year": on.year, "programme": "municipal_srdi", "opens_on": (on - dt.timedelta(days=10)).isoformat(),
            "closes_on": (on + dt.timedelta(days=10)).isoformat(),
            "notice": "房经信发〔2026〕5号 关于组织申报北京市专精特新中小企业的通知", **kw}


async def enterprise(econ, name: str) -> str:
    u = make_uscc()
    assert (await econ.post("/api/v1/enterprises", json={"uscc": u, "name": name})).status_code == 201
    return u


async def wait_job(suite, url: str) -> dict:
    econ = suite.client("registry")

    async def finished():
        j = (await econ.get(url)).json()
        return j if j["state"] in ("done", "failed") else None
    return await suite.wait_for(finished, "the platform job", timeout=60)


def audited(suite, object_type: str) -> list[str]:
    with suite.db("registry").reader() as s:
        return list(s.scalars(select(AuditLog.action).where(AuditLog.object_type == object_type)))


async def test_a_whole_season_from_notice_to_the_platform(suite):
    app, econ = suite.apps["registry"], suite.client("registry")
    year = today().year
    # The notice goes out.
    assert (await suite.client("registry", role="treasury").post("/api/v1/seasons", json=season_body())
            ).status_code == 403
    r = await econ.post("/api/v1/seasons", json=season_body())
    assert r.status_code == 201, r.text
    season = r.json()
    sid = season["id"]
    assert (await suite.client("registry", role="auditor").get(f"/api/v1/seasons/{sid}")).json() == season
    assert sid in [x["id"] for x in (await econ.get("/api/v1/seasons")).json()["items"]]
    assert (await suite.client("registry", role="park", org="P-A").get("/api/v1/seasons")).status_code == 403
    assert (await econ.get("/api/v1/seasons/999999")).status_code == 404

    # Enterprises declare: one that qualifies, one narrowly short, one without the innovative title,
    # one the district will not recommend.
    fit, near, bare, held_back = [await enterprise(econ, n) for n in ("合格科技", "差一点科技", "无称号科技", "暂缓科技")]
    await qualify(econ, fit, year - 1)
    await qualify(econ, near, year - 1, NEAR)
    await figures(econ, bare, year - 1, MEETS)
    await qualify(econ, held_back, year - 1)
    apps = {}
    for u in (fit, near, bare, held_back):
        r = await econ.post(f"/api/v1/seasons/{sid}/applications", json={"uscc": u})
        assert r.status_code == 201 and r.json()["state"] == "applied", r.text
        apps[u] = r.json()["id"]
    r = await econ.post(f"/api/v1/seasons/{sid}/applications", json={"uscc": fit})
    assert r.status_code == 409 and r.json()["type"].endswith("/already-applied") and r.json()["existing"]["id"] == apps[fit]
    assert (await econ.post(f"/api/v1/seasons/{sid}/applications", json={"uscc": make_uscc()})).status_code == 404
    assert (await econ.post("/api/v1/seasons/999999/applications", json={"uscc": fit})).status_code == 404

    # No decision before the pre-review.
    r = await econ.post(f"/api/v1/applications/{apps[fit]}/decision", json={"recommend": True})
    assert r.status_code == 409 and r.json()["type"].endswith("/not-pre-reviewed")

    # Pre-review: the checklist from screening.
    checked = {}
    for u, a in apps.items():
        r = await econ.post(f"/api/v1/applications/{a}/pre-review")
        assert r.status_code == 200 and r.json()["state"] == "pre_reviewed", r.text
        assert r.json()["actions"] == {"pre_review": ["econ"], "decide": ["econ"]}  # what a page offers
        checked[u] = r.json()["checklist"]
    assert (checked[fit]["status"], checked[fit]["eligible"], checked[fit]["reasons"]) == ("met", True, [])
    assert checked[fit]["indicator_year"] == year - 1 and checked[fit]["current_tier"] == "innovative"
    assert all(i["met"] for i in checked[fit]["items"]) and checked[fit]["basis"]["criteria"]["key"] == \
        "screening.criteria.municipal_srdi"
    assert (checked[near]["status"], checked[near]["status_zh"], checked[near]["eligible"]) == ("near", "准达标", False)
    short = [i for i in checked[near]["items"] if not i["met"]]
    assert [i["criterion"] for i in short] == ["rd_ratio"] and short[0]["gaps"][0]["threshold"] == 3
    assert (checked[bare]["status"], checked[bare]["current_tier"]) == ("not_met", "sme")
    assert checked[bare]["items"][0] == {**checked[bare]["items"][0], "criterion": "ladder", "met": False}
    assert [x["code"] for x in checked[bare]["reasons"]] == ["ladder"]

    # Decisions, with reasons when not recommending.
    for u in (fit, near, bare):
        r = await econ.post(f"/api/v1/applications/{apps[u]}/decision", json={"recommend": True})
        assert r.status_code == 200 and r.json()["recommend"] is True and r.json()["state"] == "decided", r.text
        assert r.json()["actions"] == {"decide": ["econ"]}  # the decision may be changed, no second pre-review
    r = await econ.post(f"/api/v1/applications/{apps[held_back]}/decision", json={"recommend": False})
    assert r.status_code == 422
    r = await econ.post(f"/api/v1/applications/{apps[held_back]}/decision",
                        json={"recommend": False, "reasons": "知识产权权属待核实"})
    assert r.status_code == 200 and r.json()["reasons"] == "知识产权权属待核实"
    r = await econ.post(f"/api/v1/applications/{apps[fit]}/pre-review")
    assert r.status_code == 409 and r.json()["type"].endswith("/already-decided")
    listed = (await econ.get(f"/api/v1/seasons/{sid}/applications")).json()["items"]
    assert [(a["uscc"], a["state"]) for a in listed] == [(u, "decided") for u in apps]

    # The list: not configured → 503 and nothing stored; then sent to the simulator.
    r = await econ.post(f"/api/v1/seasons/{sid}/recommendation")
    assert r.status_code == 503
    assert (await econ.get(f"/api/v1/seasons/{sid}/recommendations")).json()["items"] == []
    sim = make_simulator()
    app.state.municipal_platform = platform_for(sim)
    try:
        r = await econ.post(f"/api/v1/seasons/{sid}/recommendation")
        assert r.status_code == 202 and r.json()["kind"] == "recommend", r.text
        job = await wait_job(suite, r.headers["location"])
        assert job["state"] == "done" and job["attempts"] == 1 and job["request"]["usccs"] == [fit], job
        assert [d["enterprises"] for d in sim.state.sim.deliveries] == [[fit]]  # exactly the list, once
        sent = sim.state.sim.recommendations[job["result"]["batch_id"]]
        assert (sent["year"], sent["tier"], sent["district"]) == (year, "municipal_srdi", "房山区")
        history = (await econ.get(f"/api/v1/seasons/{sid}/recommendations")).json()["items"]
        assert [(v["version"], v["enterprises"], v["job_state"]) for v in history] == [(1, [fit], "done")]
        refused = {x["uscc"]: x["reasons"] for x in history[0]["refused"]}
        assert set(refused) == {near, bare}
        assert [x["code"] for x in refused[bare]] == ["ladder"] and "创新型中小企业" in refused[bare][0]["zh"]
        assert [x["criterion"] for x in refused[near]] == ["rd_ratio"] and refused[near][0]["en"]

        # The district changes its mind: a second version, the first kept.
        r = await econ.post(f"/api/v1/applications/{apps[held_back]}/decision", json={"recommend": True})
        assert r.status_code == 200
        keyed = {"Idempotency-Key": f"season-{sid}-v2"}  # the job waits for the keyed request's commit
        r = await econ.post(f"/api/v1/seasons/{sid}/recommendation", headers=keyed)
        assert r.status_code == 202, r.text
        second = await wait_job(suite, r.headers["location"])
        replay = await econ.post(f"/api/v1/seasons/{sid}/recommendation", headers=keyed)
        assert replay.status_code == 202 and replay.json()["id"] == second["id"]  # the first answer, no new version
        assert second["state"] == "done" and second["request"]["usccs"] == sorted([fit, held_back])
        history = (await econ.get(f"/api/v1/seasons/{sid}/recommendations")).json()["items"]
        assert [(v["version"], v["enterprises"]) for v in history] == [(1, [fit]), (2, sorted([fit, held_back]))]
        assert len(sim.state.sim.recommendations) == 2
    finally:
        del app.state.municipal_platform
    assert "season.create" in audited(suite, "season")
    assert {"season.apply", "season.pre_review", "season.decide"} <= set(audited(suite, "season_application"))
    assert audited(suite, "season_recommendation") == ["season.recommendation"] * 2
    assert {"platform_job.recommend"} <= set(audited(suite, "platform_job"))
    await suite.settled()


async def test_applications_only_within_the_season_and_bodies_checked(suite):
    econ = suite.client("registry")
    on = today()
    u = await enterprise(econ, "时限科技")
    closed = (await econ.post("/api/v1/seasons", json=season_body(
        opens_on=(on - dt.timedelta(days=30)).isoformat(), closes_on=(on - dt.timedelta(days=1)).isoformat()))).json()
    later = (await econ.post("/api/v1/seasons", json=season_body(
        opens_on=(on + dt.timedelta(days=5)).isoformat(), closes_on=(on + dt.timedelta(days=40)).isoformat()))).json()
    r = await econ.post(f"/api/v1/seasons/{closed['id']}/applications", json={"uscc": u})
    assert r.status_code == 409 and r.json()["type"].endswith("/season-closed")
    r = await econ.post(f"/api/v1/seasons/{later['id']}/applications", json={"uscc": u})
    assert r.status_code == 409 and r.json()["type"].endswith("/season-not-open")
    for bad in (season_body(closes_on=(on - dt.timedelta(days=20)).isoformat()), season_body(programme="gold"),
                {k: v for k, v in season_body().items() if k != "notice"}, season_body(year=True),
                season_body(extra=1)):
        r = await econ.post("/api/v1/seasons", json=bad)
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), bad
    assert (await econ.post(f"/api/v1/seasons/{closed['id']}/applications", json={"uscc": "nope"})).status_code == 422
    assert (await econ.post("/api/v1/applications/999999/pre-review")).status_code == 404


async def test_platform_failing_twice_then_succeeding_leaves_one_delivery(suite):
    app, econ = suite.apps["registry"], suite.client("registry")
    sid = (await econ.post("/api/v1/seasons", json=season_body())).json()["id"]
    u = await enterprise(econ, "重试科技")
    await qualify(econ, u, today().year - 1)
    a = (await econ.post(f"/api/v1/seasons/{sid}/applications", json={"uscc": u})).json()["id"]
    assert (await econ.post(f"/api/v1/applications/{a}/pre-review")).status_code == 200
    assert (await econ.post(f"/api/v1/applications/{a}/decision", json={"recommend": True})).status_code == 200
    sim = make_simulator()
    sim.state.sim.fail_recommendations = 1  # down once
    sim.state.sim.lose_answers = 1  # then keeps the list but its answer is lost
    app.state.municipal_platform = platform_for(sim, retries=0)  # every failure reaches the job
    app.state.platform_retry = RetryPolicy(attempts=5, backoff_cap_s=0.05)
    try:
        job = await wait_job(suite, (await econ.post(f"/api/v1/seasons/{sid}/recommendation")).headers["location"])
    finally:
        del app.state.municipal_platform
        app.state.platform_retry = None
    assert job["state"] == "done" and job["attempts"] == 3, job
    assert "HTTP 504" in job["last_error"]  # the last failure stays visible on the finished job
    assert list(sim.state.sim.recommendations) == [job["result"]["batch_id"]]  # one delivery kept
    assert job["result"]["duplicate"] is True  # the resend was recognised by its batch id


async def test_a_list_with_nobody_qualifying_is_refused_with_reasons_and_nothing_sent(suite):
    app, econ = suite.apps["registry"], suite.client("registry")
    sid = (await econ.post("/api/v1/seasons", json=season_body())).json()["id"]
    sim = make_simulator()
    app.state.municipal_platform = platform_for(sim)
    try:
        r = await econ.post(f"/api/v1/seasons/{sid}/recommendation")
        assert r.status_code == 409 and r.json()["type"].endswith("/nothing-recommended"), r.text
        bare = await enterprise(econ, "无称号二号")
        await figures(econ, bare, today().year - 1)
        giant = await enterprise(econ, "小巨人已有")
        await titled(econ, giant, "national_little_giant")
        for x in (bare, giant):
            a = (await econ.post(f"/api/v1/seasons/{sid}/applications", json={"uscc": x})).json()["id"]
            assert (await econ.post(f"/api/v1/applications/{a}/pre-review")).status_code == 200
            assert (await econ.post(f"/api/v1/applications/{a}/decision", json={"recommend": True})).status_code == 200
        r = await econ.post(f"/api/v1/seasons/{sid}/recommendation")
    finally:
        del app.state.municipal_platform
    assert r.status_code == 409 and r.json()["type"].endswith("/nothing-eligible"), r.text
    reasons = {x["uscc"]: x["reasons"] for x in r.json()["refused"]}
    assert "须先持有创新型中小企业" in reasons[bare][0]["zh"] and "must hold innovative" in reasons[bare][0]["en"]
    assert "已持有" in reasons[giant][0]["zh"]
    assert (await econ.get(f"/api/v1/seasons/{sid}/recommendations")).json()["items"] == []
    assert sim.state.sim.deliveries == []
