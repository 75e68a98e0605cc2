"""Indicators (PUT per year) and the screening list: roles, scope, bad input, worked examples."""
from sqlalchemy import func, select

from services.registry.tables import Indicator
from shared.testing import make_uscc

SRDI_OK = {"years_in_niche": 2, "rd_spend_yuan": 1_000_000, "revenue_yuan": 30_000_000, "srdi_score": 60}


async def firm(econ, tier=None, park=None):
    u = make_uscc()
    r = await econ.post("/api/v1/enterprises", json={"uscc": u, "name": "筛选测试", **({"park_id": park} if park else {})})
    assert r.status_code == 201
    if tier:
        r = await econ.post(f"/api/v1/enterprises/{u}/certifications", json={"tier": tier, "recognized_on": "2024-03-01"})
        assert r.status_code == 201
    return u


async def test_indicators_put_and_read(suite):
    econ = suite.client("registry")
    u = await firm(econ, park="P-SCR")
    r = await econ.put(f"/api/v1/enterprises/{u}/indicators/2024", json={**SRDI_OK, "main_business_share_pct": "72.5"})
    assert r.status_code == 201, r.text
    assert r.json()["main_business_share_pct"] == "72.5"
    r = await econ.put(f"/api/v1/enterprises/{u}/indicators/2024", json=SRDI_OK)
    assert r.status_code == 200 and "main_business_share_pct" not in r.json()  # replaced whole
    items = (await econ.get(f"/api/v1/enterprises/{u}/indicators")).json()["items"]
    assert [i["year"] for i in items] == [2024]
    assert (await suite.client("registry", role="park", org="P-SCR").get(f"/api/v1/enterprises/{u}/indicators")).status_code == 200
    assert (await suite.client("registry", role="park", org="P-X").get(f"/api/v1/enterprises/{u}/indicators")).status_code == 404
    assert (await suite.client("registry", role=None).put(f"/api/v1/enterprises/{u}/indicators/2024", json=SRDI_OK)).status_code == 401
    for role in ("treasury", "auditor", "platform"):
        assert (await suite.client("registry", role=role).put(f"/api/v1/enterprises/{u}/indicators/2024", json=SRDI_OK)).status_code == 403
    assert (await suite.client("registry", role="bank", org="B1").get(f"/api/v1/enterprises/{u}/indicators")).status_code == 403


async def test_indicators_bad_input_changes_nothing(suite):
    econ = suite.client("registry")
    u = await firm(econ)
    with suite.db("registry").reader() as s:
        before = s.scalar(select(func.count()).select_from(Indicator))
    for year, body in ((2024, {"revenue_yuan": -1}), (2024, {"main_business_share_pct": "101"}),
                       (2024, {"staff": 10, "rd_staff": 11}), (2024, {"nonsense": 1}), (1999, SRDI_OK),
                       (2024, {"revenue_yuan": 1.5}), (2024, {"main_business_share_pct": "abc"}), (2024, [1])):
        r = await econ.put(f"/api/v1/enterprises/{u}/indicators/{year}", json=body)
        assert r.status_code == 422 and r.json()["errors"], (year, body, r.text)
    assert (await econ.put(f"/api/v1/enterprises/{make_uscc()}/indicators/2024", json=SRDI_OK)).status_code == 404
    assert (await econ.put(f"/api/v1/enterprises/{u}/indicators/x", json=SRDI_OK)).status_code == 422
    with suite.db("registry").reader() as s:
        assert s.scalar(select(func.count()).select_from(Indicator)) == before


async def test_screening_classifies_the_cultivation_list(suite):
    econ = suite.client("registry")
    met = await firm(econ, "innovative", park="P-SCR")
    near = await firm(econ, "innovative")
    miss = await firm(econ, "innovative")
    bare = await firm(econ, "innovative")
    above = await firm(econ, "municipal_srdi")
    await econ.put(f"/api/v1/enterprises/{met}/indicators/2024", json=SRDI_OK)
    await econ.put(f"/api/v1/enterprises/{near}/indicators/2024", json={**SRDI_OK, "rd_spend_yuan": 999_999})
    await econ.put(f"/api/v1/enterprises/{miss}/indicators/2024", json={**SRDI_OK, "years_in_niche": 1})
    r = await econ.get("/api/v1/screening", params={"tier": "municipal_srdi", "on": "2025-06-01"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["indicator_year"] == 2024 and body["basis"]["criteria"]["effective_from"] == "2022-08-01"
    by = {i["uscc"]: i for i in body["items"]}
    assert by[met]["status"] == "met" and by[met]["status_zh"] == "达标"
    assert by[near]["status"] == "near" and by[near]["failing"][0]["criterion"] == "rd_spend"
    assert by[near]["failing"][0]["gap"] == 1
    assert by[miss]["status"] == "not_met" and by[bare]["status"] == "not_met" and not by[bare]["has_indicators"]
    assert above not in by
    # The 2026 revision applies from 2026-04-01: the same facts no longer meet it.
    r = await econ.get("/api/v1/screening", params={"tier": "municipal_srdi", "on": "2026-04-01", "year": 2024})
    assert {i["uscc"]: i["status"] for i in r.json()["items"]}[met] == "not_met"
    # National: only SRDI holders and municipal little giants are screened.
    r = await econ.get("/api/v1/screening", params={"tier": "national_little_giant", "on": "2025-06-01"})
    assert above in {i["uscc"] for i in r.json()["items"]} and met not in {i["uscc"] for i in r.json()["items"]}
    # A park sees its own enterprises only; the auditor and other departments read.
    park = (await suite.client("registry", role="park", org="P-SCR").get(
        "/api/v1/screening", params={"tier": "municipal_srdi", "on": "2025-06-01"})).json()
    assert [i["uscc"] for i in park["items"]] == [met]
    for role in ("auditor", "treasury", "talent", "finance", "platform"):
        assert (await suite.client("registry", role=role).get("/api/v1/screening?tier=innovative")).status_code == 200
    assert (await suite.client("registry", role=None).get("/api/v1/screening?tier=innovative")).status_code == 401
    assert (await suite.client("registry", role="bank", org="B1").get("/api/v1/screening?tier=innovative")).status_code == 403
    for q in ("", "tier=gold", "tier=innovative&on=2025-13-01", "tier=innovative&year=1800",
              "tier=municipal_srdi&on=2022-07-31"):
        r = await econ.get(f"/api/v1/screening?{q}")
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), q
    await suite.settled()
