"""Notice targets by industry (the projection's industry_code, a prefix match) and by screening
result (准达标 / 达标, resolved from the registry's screening when the notice is created)."""
import httpx
import pytest

from services.outreach import rules
from services.outreach.tables import Notice
from services.outreach.tests.helpers import district_enterprise
from sqlalchemy import func, select

from shared import projection
from shared.clock import today

NOTICE = {"programme": "2026年度专精特新中小企业认定", "title": "关于开展2026年度专精特新申报的通知",
          "body": "请符合条件的企业于窗口期内申报。", "window_opens": "2026-03-01", "window_closes": "2026-04-30"}
SRDI_OK = {"years_in_niche": 2, "rd_spend_yuan": 1_000_000, "revenue_yuan": 30_000_000, "srdi_score": 60}


@pytest.fixture
def in_process_registry(suite):
    """The registry call goes to the in-process registry, with the caller's Authorization."""
    app = suite.apps["outreach"]
    seen = []

    async def fetch(params, authorization):
        seen.append(authorization)
        r = await suite.client("registry", role=None).get("/api/v1/screening", params=params,
                                                          headers={"Authorization": authorization} if authorization else {})
        return r
    app.state.registry_screening = fetch
    yield seen
    del app.state.registry_screening


def notices(suite) -> int:
    with suite.db("outreach").reader() as s:
        return s.scalar(select(func.count()).select_from(Notice))


def test_rules_industry_prefix_and_screening():
    e = {"uscc": "U1", "tier": "sme", "industry_code": "C3511"}
    assert rules.targeted({"industries": ["C35"]}, e) and rules.targeted({"industries": ["C3511", "I65"]}, e)
    assert not rules.targeted({"industries": ["C36"]}, e)
    assert not rules.targeted({"industries": ["C"]}, {"uscc": "U1", "industry_code": None})
    assert rules.targeted({"screening": {"usccs": ["U1"]}, "tiers": ["sme"]}, e)
    assert not rules.targeted({"screening": {"usccs": []}}, e)


async def test_industry_code_rides_on_the_events_and_targets(suite):
    econ = suite.client("outreach")
    c35 = await district_enterprise(suite, industry_code="C3511")
    c36 = await district_enterprise(suite, industry_code="C3612")
    none = await district_enterprise(suite)
    with suite.db("outreach").reader() as s:
        assert projection.record_of(s, c35).industry_code == "C3511"
        assert projection.record_of(s, none).industry_code is None
    n = (await econ.post("/api/v1/notices", json={**NOTICE, "target": {"industries": ["c35"],
                                                                       "usccs": [c35, c36, none]}})).json()
    assert n["target"]["industries"] == ["C35"]
    r = await econ.post(f"/api/v1/notices/{n['id']}/send")
    assert r.status_code == 200 and r.json()["enterprises"] == 1, r.text
    items = (await econ.get(f"/api/v1/notices/{n['id']}/deliveries")).json()["items"]
    assert [d["uscc"] for d in items] == [c35]
    # A promotion carries the facts again: the code stays.
    await suite.client("registry").post(f"/api/v1/enterprises/{c35}/certifications",
                                        json={"tier": "innovative", "recognized_on": "2024-03-01"})

    def promoted():
        with suite.db("outreach").reader() as s:
            r = projection.record_of(s, c35)
            return r.tier_on(today()) == "innovative" and r.industry_code == "C3511"
    await suite.wait_for(promoted, "the promotion in the projection")
    for bad in (["35"], ["C35%"], [""], ["C" + "1" * 30]):
        assert (await econ.post("/api/v1/notices", json={**NOTICE, "target": {"industries": bad}})).status_code == 422


async def test_screening_result_is_resolved_at_creation(suite, in_process_registry):
    econ, reg = suite.client("outreach"), suite.client("registry")
    met = await district_enterprise(suite, tier=("innovative", "2024-03-01"))
    near = await district_enterprise(suite, tier=("innovative", "2024-03-01"))
    miss = await district_enterprise(suite, tier=("innovative", "2024-03-01"))
    for u, ind in ((met, SRDI_OK), (near, {**SRDI_OK, "rd_spend_yuan": 999_999}),
                   (miss, {**SRDI_OK, "years_in_niche": 1})):
        assert (await reg.put(f"/api/v1/enterprises/{u}/indicators/2024", json=ind)).status_code == 201
    sel = {"tier": "municipal_srdi", "result": "准达标", "on": "2025-06-01"}
    r = await econ.post("/api/v1/notices", json={**NOTICE, "target": {"screening": sel}})
    assert r.status_code == 201, r.text
    n = r.json()
    assert in_process_registry[-1] == econ.headers["Authorization"]  # the caller's token forwarded
    scr = n["target"]["screening"]
    assert near in scr["usccs"] and met not in scr["usccs"] and miss not in scr["usccs"]
    assert scr["indicator_year"] == 2024 and scr["result"] == "准达标"
    # The stored list decides, not the registry at send time.
    await reg.put(f"/api/v1/enterprises/{near}/indicators/2024", json=SRDI_OK)
    del suite.apps["outreach"].state.registry_screening

    async def down(params, authorization):
        raise httpx.ConnectError("refused")
    suite.apps["outreach"].state.registry_screening = down
    r = await econ.post(f"/api/v1/notices/{n['id']}/send")
    assert r.status_code == 200, r.text
    usccs = {d["uscc"] for d in (await econ.get(f"/api/v1/notices/{n['id']}/deliveries")).json()["items"]}
    assert near in usccs and met not in usccs and miss not in usccs
    # 达标, narrowed by the other criteria (AND).
    suite.apps["outreach"].state.registry_screening = in_process_registry_fetch(suite)
    r = await econ.post("/api/v1/notices", json={**NOTICE, "target": {
        "screening": {**sel, "result": "达标"}, "usccs": [met, near, miss]}})
    assert r.status_code == 201 and set(r.json()["target"]["screening"]["usccs"]) >= {met, near}
    assert (await econ.post(f"/api/v1/notices/{r.json()['id']}/send")).json()["enterprises"] == 2


def in_process_registry_fetch(suite):
    async def fetch(params, authorization):
        return await suite.client("registry").get("/api/v1/screening", params=params)
    return fetch


async def test_screening_registry_failures_create_nothing(suite, in_process_registry, monkeypatch):
    econ = suite.client("outreach")
    app = suite.apps["outreach"]
    body = {**NOTICE, "target": {"screening": {"tier": "innovative", "result": "准达标"}}}
    before = notices(suite)

    async def refused(params, authorization):
        raise httpx.ConnectError("connection refused")

    async def broken(params, authorization):
        return httpx.Response(500, json={"status": 500})

    async def odd(params, authorization):
        return httpx.Response(200, json={"nothing": []})
    for fetch, status, code in ((refused, 503, "registry-unavailable"), (broken, 502, "registry-error"),
                                (odd, 502, "registry-error")):
        app.state.registry_screening = fetch
        r = await econ.post("/api/v1/notices", json=body)
        assert r.status_code == status, r.text
        p = r.json()
        assert p["type"].endswith(code) and p["detail_zh"] and p["detail_en"]
    assert notices(suite) == before
    # Unreachable over real HTTP (the default client): 503 too.
    del app.state.registry_screening
    monkeypatch.setattr(app.state.settings, "outreach_registry_url", "http://127.0.0.1:9")
    r = await econ.post("/api/v1/notices", json=body)
    assert r.status_code == 503, r.text
    assert notices(suite) == before
    app.state.registry_screening = refused  # the fixture removes it; bad selectors never reach it
    for bad in ({"tier": "sme", "result": "准达标"}, {"tier": "innovative", "result": "不达标"},
                {"tier": "innovative"}, {"tier": "innovative", "result": "达标", "year": 1990}):
        r = await econ.post("/api/v1/notices", json={**NOTICE, "target": {"screening": bad}})
        assert r.status_code == 422, (bad, r.text)
    assert notices(suite) == before
