"""Bad or extreme input gets a 4xx problem (or a right answer), never a 500, on SQLite and PostgreSQL."""
import pytest

from services.awards.tables import Award
from services.awards.tests.test_claims import count, signed
from services.awards.tests.test_flow import certify, known, register
from shared import pagination
from shared.testing import make_uscc

HUGE = "99999999999999999999"  # beyond any database integer
BIG = str(2**31)               # just beyond PostgreSQL's integer


@pytest.mark.parametrize("method, path", [
    ("get", f"/api/v1/awards/{HUGE}"), ("get", f"/api/v1/awards/{BIG}"),
    ("post", f"/api/v1/awards/{BIG}/review"), ("post", f"/api/v1/awards/{HUGE}/review"),
    ("get", "/api/v1/awards/0"), ("get", "/api/v1/awards/-1"), ("get", "/api/v1/awards/abc"),
])
async def test_award_ids_out_of_range_are_4xx(suite, method, path):
    r = await getattr(suite.client("awards"), method)(path)
    assert r.status_code in (404, 422), r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail_zh"] and r.json()["detail_en"]


@pytest.mark.parametrize("path, params", [
    ("/api/v1/awards", {}), ("/api/v1/ledger", {"year": 2024}),
])
@pytest.mark.parametrize("key", [HUGE, BIG, "-3", "x"])
async def test_cursors_out_of_range_are_not_500(suite, path, params, key):
    r = await suite.client("awards", role="auditor").get(path, params={**params, "cursor": pagination.encode(key)})
    assert r.status_code in (200, 422), r.text
    if r.status_code == 200:
        assert r.json()["items"] == [] or key in ("-3", "x")


async def test_budgets_beyond_two_billion_yuan(suite):
    """A district's yearly budget can pass 2^31 元: money columns are 64-bit integers."""
    big = 3_000_000_000
    r = await suite.client("awards", role="treasury").put("/api/v1/budgets/2031/tier", json={"allocated_yuan": big})
    assert r.status_code == 200, r.text
    assert r.json()["allocated_yuan"] == big and r.json()["remaining_yuan"] == big
    doc = (await suite.client("awards", role="auditor").get("/api/v1/budgets/2031")).json()
    assert doc["total"]["allocated_yuan"] == big


async def test_an_award_beyond_two_billion_yuan(suite):
    """5 % of a 100-billion contract is 5,000,000,000 元: stored and explained exactly."""
    supplier, buyer = make_uscc(), make_uscc()
    for u in (supplier, buyer):
        await register(suite, u)
    await certify(suite, supplier, "municipal_srdi", "2024-03-01")
    await known(suite, supplier, 1)
    await known(suite, buyer)
    await signed(suite, "ecosystem", uscc=supplier, buyer_uscc=buyer, contract_yuan=100_000_000_001, on="2024-06-01")
    ledger = (await suite.client("awards").get("/api/v1/ledger", params={"year": 2024, "uscc": supplier})).json()
    assert [(e["kind"], e["amount_yuan"]) for e in ledger["items"] if e["program"] == "ecosystem"] == [
        ("awarded", 5_000_000_000)]
    assert count(suite, Award, Award.uscc == supplier, Award.program == "ecosystem") == 1


@pytest.mark.parametrize("voucher", ["", "   ", "x" * 201, "FS\n1", 12345])
async def test_bad_vouchers_are_422(suite, voucher):
    r = await suite.client("awards", role="treasury").post("/api/v1/awards/1/disburse", json={"voucher": voucher})
    assert r.status_code == 422, r.text
