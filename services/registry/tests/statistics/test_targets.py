"""The yearly cultivation targets and the progress against them."""
from shared.testing import make_uscc


async def test_targets_and_progress(suite):
    econ = suite.client("registry")
    for tier in ("national_little_giant", "municipal_srdi", "potential"):
        u = make_uscc()
        await econ.post("/api/v1/enterprises", json={"uscc": u, "name": "目标测试"})
        await econ.post(f"/api/v1/enterprises/{u}/certifications", json={"tier": tier, "recognized_on": "2021-06-01"})
    r = await econ.get("/api/v1/targets/2021")
    assert r.status_code == 422  # no targets in force for 2021 (from 2022)
    r = await econ.get("/api/v1/targets/2022")
    assert r.status_code == 200 and r.json()["basis"]["value"]["national_little_giant"] == 10
    t = {x["key"]: x for x in r.json()["targets"]}
    assert t["listing"]["actual"] == 0 and t["municipal_srdi"]["target"] == 30  # no listing in 2022
    assert t["national_little_giant"]["actual"] == 0 and t["national_little_giant"]["shortfall"] == 10
    assert (await suite.client("registry", role="auditor").get("/api/v1/targets/2022")).status_code == 200
    assert (await suite.client("registry", role="bank", org="B1").get("/api/v1/targets/2022")).status_code == 403
    assert (await suite.client("registry", role=None).get("/api/v1/targets/2022")).status_code == 401
    assert (await econ.get("/api/v1/targets/99")).status_code == 422
    await suite.settled()
