"""Policy parameters as data, the same on every service: in force on a date, history, new versions."""
import pytest

from shared.testing import make_uscc

KEY = "certification.validity_years.potential"


async def test_versions_take_effect_from_their_date(suite):
    econ = suite.client("registry")
    now = (await econ.get("/api/v1/policy?on=2024-01-01")).json()
    assert {p["key"]: p["value"] for p in now["parameters"]}[KEY] == 1
    assert all(p["legal_ref"] for p in now["parameters"])
    r = await econ.put("/api/v1/policy", json={"key": KEY, "value": 2, "effective_from": "2026-01-01",
                                              "legal_ref": "区经信局 2025 年第 9 号通知（测试）"})
    assert r.status_code == 201 and r.json()["set_by"].startswith("econ:")
    assert (await econ.put("/api/v1/policy", json={"key": KEY, "value": 3, "effective_from": "2026-01-01",
                                                   "legal_ref": "again"})).status_code == 409
    values = {on: {p["key"]: p["value"] for p in (await econ.get(f"/api/v1/policy?on={on}")).json()["parameters"]}[KEY]
              for on in ("2025-12-31", "2026-01-01")}
    assert values == {"2025-12-31": 1, "2026-01-01": 2}
    history = (await econ.get(f"/api/v1/policy/history?key={KEY}")).json()["items"]
    assert [h["value"] for h in history] == [1, 2]
    # The rule uses the version in force on the recognition date.
    uscc = make_uscc()
    await econ.post("/api/v1/enterprises", json={"uscc": uscc, "name": "参数测试"})
    cert = (await econ.post(f"/api/v1/enterprises/{uscc}/certifications",
                            json={"tier": "potential", "recognized_on": "2026-03-01"})).json()
    assert cert["expires_on"] == "2028-02-29"


@pytest.mark.parametrize("body, status", [
    ({"key": "no.such.key", "value": 1, "effective_from": "2026-01-01", "legal_ref": "x"}, 404),
    ({"key": KEY, "value": "two", "effective_from": "2027-01-01", "legal_ref": "x"}, 422),
    ({"key": KEY, "value": -1, "effective_from": "2027-01-01", "legal_ref": "x"}, 422),
    ({"key": KEY, "value": True, "effective_from": "2027-01-01", "legal_ref": "x"}, 422),
    ({"key": KEY, "value": 2, "effective_from": "2027-02-30", "legal_ref": "x"}, 422),
    ({"key": KEY, "value": 2, "effective_from": "2027-01-01"}, 422),
])
async def test_bad_versions_change_nothing(suite, body, status):
    econ = suite.client("registry")
    before = (await econ.get("/api/v1/policy/history")).json()["items"]
    assert (await econ.put("/api/v1/policy", json=body)).status_code == status
    assert (await econ.get("/api/v1/policy/history")).json()["items"] == before


async def test_roles(suite):
    body = {"key": KEY, "value": 2, "effective_from": "2030-01-01", "legal_ref": "x"}
    assert (await suite.client("registry", role="treasury").put("/api/v1/policy", json=body)).status_code == 403
    assert (await suite.client("registry", role=None).get("/api/v1/policy")).status_code == 401
    assert (await suite.client("registry", role="bank", org="B1").get("/api/v1/policy")).status_code == 200
