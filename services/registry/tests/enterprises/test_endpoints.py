"""Registry endpoints: the four cases (401, 403, out of scope, valid) and bad input."""
import datetime as dt

from sqlalchemy import func, select

from services.registry.tables import Certification, Enterprise
from shared.clock import today
from shared.tables import Outbox
from shared.testing import make_uscc, wrong_check


async def count(suite, model):
    with suite.db("registry").reader() as s:
        return s.scalar(select(func.count()).select_from(model))


async def test_register_and_read(suite, uscc):
    econ = suite.client("registry")
    r = await econ.post("/api/v1/enterprises", json={"uscc": uscc, "name": "北京测试科技有限公司", "township": "窦店镇"})
    assert r.status_code == 201, r.text
    assert r.json()["current_tier"] == "sme"
    r = await econ.get(f"/api/v1/enterprises/{uscc}")
    assert r.status_code == 200 and r.json()["name"] == "北京测试科技有限公司"
    r = await econ.post("/api/v1/enterprises", json={"uscc": uscc, "name": "again"})
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json")


async def test_lower_case_uscc_in_a_path_finds_the_enterprise(suite, uscc):
    econ = suite.client("registry")
    assert (await econ.post("/api/v1/enterprises", json={"uscc": uscc.lower(), "name": "北京小写代码有限公司"})).status_code == 201
    r = await econ.get(f"/api/v1/enterprises/{uscc.lower()}")
    assert r.status_code == 200 and r.json()["uscc"] == uscc
    r = await econ.post(f"/api/v1/enterprises/{uscc.lower()}/certifications",
                        json={"tier": "innovative", "recognized_on": "2024-05-01"})
    assert r.status_code == 201, r.text
    assert (await econ.get(f"/api/v1/enterprises/ {uscc.lower()} ")).json()["current_tier"] == "innovative"


async def test_auth(suite, uscc):
    r = await suite.client("registry", role=None).get(f"/api/v1/enterprises/{uscc}")
    assert r.status_code == 401 and r.json()["status"] == 401
    r = await suite.client("registry", role="bank", org="B1").get(f"/api/v1/enterprises/{uscc}")
    assert r.status_code == 403
    r = await suite.client("registry", role="treasury").post("/api/v1/enterprises", json={"uscc": uscc, "name": "x"})
    assert r.status_code == 403
    bad = suite.client("registry")
    bad.headers["Authorization"] = "Bearer not-a-token"
    assert (await bad.get("/api/v1/enterprises")).status_code == 401
    bad.headers["Authorization"] = f"Bearer {suite.token('econ')}"


async def test_park_sees_only_its_enterprises(suite):
    econ = suite.client("registry")
    mine, other = make_uscc(), make_uscc()
    await econ.post("/api/v1/enterprises", json={"uscc": mine, "name": "园内企业", "park_id": "P-A"})
    await econ.post("/api/v1/enterprises", json={"uscc": other, "name": "园外企业", "park_id": "P-B"})
    park = suite.client("registry", role="park", org="P-A")
    assert (await park.get(f"/api/v1/enterprises/{mine}")).status_code == 200
    assert (await park.get(f"/api/v1/enterprises/{other}")).status_code == 404
    listed = (await park.get("/api/v1/enterprises?limit=500")).json()["items"]
    assert {e["park_id"] for e in listed} == {"P-A"}


async def test_bad_input_changes_nothing(suite, uscc):
    econ = suite.client("registry")
    before = (await count(suite, Enterprise), await count(suite, Certification), await count(suite, Outbox))
    bad_uscc = wrong_check(uscc)
    for body in ({"uscc": bad_uscc, "name": "x"}, {"uscc": uscc}, {"uscc": uscc, "name": "x", "founded_on": "2024-13-01"},
                 {"uscc": uscc, "name": "x", "founded_on": (today() + dt.timedelta(days=1)).isoformat()},
                 {"uscc": uscc, "name": "x", "nonsense": 1}, [1, 2], "text"):
        r = await econ.post("/api/v1/enterprises", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["errors"] and "/" in r.json()["title"]
    r = await econ.post("/api/v1/enterprises", content=b"{garbage", headers={"content-type": "application/json"})
    assert r.status_code == 422
    await econ.post("/api/v1/enterprises", json={"uscc": uscc, "name": "x"})
    for body in ({"tier": "gold", "recognized_on": "2024-01-01"}, {"tier": "sme", "recognized_on": "2024-01-01"},
                 {"tier": "municipal_srdi", "recognized_on": "01/02/2024"},
                 {"tier": "municipal_srdi", "recognized_on": "2024-03-01", "expires_on": "2023-01-01"}):
        r = await econ.post(f"/api/v1/enterprises/{uscc}/certifications", json=body)
        assert r.status_code == 422, (body, r.text)
    r = await econ.post(f"/api/v1/enterprises/{make_uscc()}/certifications",
                        json={"tier": "municipal_srdi", "recognized_on": "2024-03-01"})
    assert r.status_code == 404
    after = (await count(suite, Enterprise), await count(suite, Certification), await count(suite, Outbox))
    assert after == (before[0] + 1, before[1], before[2] + 1)  # only the one valid registration


async def test_pagination_walks_every_enterprise(suite):
    econ = suite.client("registry")
    made = {make_uscc() for _ in range(7)}
    for u in made:
        await econ.post("/api/v1/enterprises", json={"uscc": u, "name": "分页测试", "township": "大安山乡"})
    seen, cursor = [], None
    while True:
        r = await econ.get("/api/v1/enterprises", params={"township": "大安山乡", "limit": 3, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200
        seen += [e["uscc"] for e in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(made)
    assert (await econ.get("/api/v1/enterprises?cursor=%%%")).status_code == 422
    assert (await econ.get("/api/v1/enterprises?limit=501")).status_code == 422


async def test_revocation_demotes_and_stats(suite, uscc):
    econ = suite.client("registry")
    await econ.post("/api/v1/enterprises", json={"uscc": uscc, "name": "撤销测试"})
    r = await econ.post(f"/api/v1/enterprises/{uscc}/certifications",
                        json={"tier": "national_little_giant", "recognized_on": "2025-08-01"})
    cert = r.json()
    assert cert["expires_on"] == "2028-07-31"
    stats = (await econ.get("/api/v1/stats/tiers?on=2025-09-01")).json()
    r = await econ.post(f"/api/v1/certifications/{cert['id']}/revoke",
                        json={"reason": "虚假申报", "for_cause": True, "revoked_on": "2025-09-01"})
    assert r.status_code == 200 and r.json()["state"] == "revoked"
    again = await econ.post(f"/api/v1/certifications/{cert['id']}/revoke", json={"reason": "x"})
    assert again.status_code == 409
    after = (await econ.get("/api/v1/stats/tiers?on=2025-09-01")).json()
    assert after["counts"]["national_little_giant"] == stats["counts"]["national_little_giant"] - 1
    assert (await econ.get(f"/api/v1/enterprises/{uscc}")).json()["current_tier"] == "sme"
    assert (await econ.get("/api/v1/stats/tiers?on=notadate")).status_code == 422
    await suite.settled()  # stop the module's suite with no events in flight


async def test_enterprise_tier_on_a_date(suite):
    """API.md: GET /enterprises/{uscc}?on= gives current_tier on that date (it was ignored: today's
    tier came back for any date)."""
    econ, uscc = suite.client("registry"), make_uscc()
    assert (await econ.post("/api/v1/enterprises", json={"uscc": uscc, "name": "按日层级测试"})).status_code == 201
    for tier, on in (("municipal_srdi", "2024-01-15"), ("national_little_giant", "2025-07-01")):
        r = await econ.post(f"/api/v1/enterprises/{uscc}/certifications", json={"tier": tier, "recognized_on": on})
        assert r.status_code == 201, r.text
    tier = {on: (await econ.get(f"/api/v1/enterprises/{uscc}", params={"on": on})).json()["current_tier"]
            for on in ("2023-12-31", "2024-06-01", "2025-07-01")}
    assert tier == {"2023-12-31": "sme", "2024-06-01": "municipal_srdi", "2025-07-01": "national_little_giant"}
    assert (await econ.get(f"/api/v1/enterprises/{uscc}")).json()["current_tier"] == "national_little_giant"
    bad = await econ.get(f"/api/v1/enterprises/{uscc}", params={"on": "2024-02-30"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    await suite.settled()


async def test_a_lapsed_title_reads_expired_without_the_sweep(suite):
    """The stored state waits for the sweep; state_on is the state on the date asked, from the dates."""
    econ, uscc = suite.client("registry"), make_uscc()
    assert (await econ.post("/api/v1/enterprises", json={"uscc": uscc, "name": "过期未扫企业"})).status_code == 201
    r = await econ.post(f"/api/v1/enterprises/{uscc}/certifications",
                        json={"tier": "municipal_srdi", "recognized_on": "2022-09-10"})
    assert r.status_code == 201
    [cert] = (await econ.get(f"/api/v1/enterprises/{uscc}")).json()["certifications"]
    assert cert["expires_on"] == "2025-09-09" and cert["state_on"] == "expired"
    [cert] = (await econ.get(f"/api/v1/enterprises/{uscc}", params={"on": "2024-01-01"})).json()["certifications"]
    assert cert["state_on"] == "active"
    [cert] = (await econ.get(f"/api/v1/enterprises/{uscc}", params={"on": "2022-01-01"})).json()["certifications"]
    assert cert["state_on"] == "not_yet"
