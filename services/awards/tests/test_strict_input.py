"""Input that is not what it claims to be is a bilingual 422 and changes nothing: a ?uscc= that is no
USCC (not an empty page that reads as "none found"), and an amount in 元 sent as a JSON string or a
number with a decimal point (money is a JSON integer)."""
import pytest

from services.awards.tables import Award, Budget
from services.awards.tests.test_claims import count
from shared import clock
from shared.testing import make_uscc

YEAR = clock.today().year
NOT_A_USCC = ["91110111MA01R2XJ3X", "not-a-code", "9111011"]  # a wrong check character, nothing like one, too short


def bilingual_422(r, loc):
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["detail_zh"] and problem["detail_en"]
    assert problem["errors"][0]["loc"] == loc, problem
    return problem


@pytest.mark.parametrize("path, params", [
    ("/api/v1/awards", {}), ("/api/v1/awards/totals", {}), ("/api/v1/ledger", {"year": YEAR}),
    ("/api/v1/receivables", {}),
])
@pytest.mark.parametrize("code", NOT_A_USCC)
async def test_a_uscc_filter_that_is_no_uscc_is_a_bilingual_422(suite, path, params, code):
    for role in ("treasury", "auditor"):
        r = await suite.client("awards", role=role).get(path, params={**params, "uscc": code})
        problem = bilingual_422(r, ["query", "uscc"])
        assert "统一社会信用代码" in problem["errors"][0]["msg"]
    # a valid code (in lower case too) still filters: nothing of it yet
    r = await suite.client("awards", role="treasury").get(path, params={**params, "uscc": make_uscc().lower()})
    assert r.status_code == 200, r.text
    assert r.json().get("items", []) == [] and r.json().get("count", 0) == 0


@pytest.mark.parametrize("amount", ["100", "1e2", 100.0, 100.5])
async def test_a_budget_is_a_json_integer(suite, amount):
    treasury = suite.client("awards", role="treasury")
    assert (await treasury.put(f"/api/v1/budgets/{YEAR}/relocation", json={"allocated_yuan": 500})).status_code == 200
    r = await treasury.put(f"/api/v1/budgets/{YEAR}/relocation", json={"allocated_yuan": amount})
    bilingual_422(r, ["body", "allocated_yuan"])
    assert count(suite, Budget, Budget.year == YEAR, Budget.program == "relocation", Budget.allocated_yuan == 500) == 1


@pytest.mark.parametrize("amount", ["1000000", 1000000.0])
async def test_a_municipal_award_is_a_json_integer(suite, amount):
    uscc = make_uscc()
    r = await suite.client("awards", role="econ").post("/api/v1/claims", json={
        "program": "listing", "uscc": uscc, "municipal_award_yuan": amount, "municipal_award_ref": "京经信〔2024〕7号"})
    problem = bilingual_422(r, ["body", "listing", "municipal_award_yuan"])
    assert problem["errors"] and count(suite, Award, Award.uscc == uscc) == 0


@pytest.mark.parametrize("amount", ["100", 100.0])
async def test_a_repayment_is_a_json_integer(suite, amount):
    r = await suite.client("awards", role="treasury").post("/api/v1/receivables/1/repayments", json={
        "amount_yuan": amount, "on": clock.today().isoformat(), "voucher": "FS-收-9001"})
    bilingual_422(r, ["body", "amount_yuan"])
