"""Carry-over (issue 19): an approval refused for lack of budget is recorded; the treasury carries the
award to the next year, whose budget shows it as a commitment until its approval there reserves it."""
import datetime as dt

import pytest

from services.awards.tests.test_budget_ledger import act, tier_award, treasury
from shared import clock
from shared.testing import make_uscc

YEAR = clock.today().year
NEXT = YEAR + 1
A, B, D = make_uscc(), make_uscc(), make_uscc()


async def figures(suite, year, role="treasury"):
    r = await suite.client("awards", role=role).get(f"/api/v1/budgets/{year}")
    assert r.status_code == 200, r.text
    return {i["program"]: i for i in r.json()["items"]}.get("tier")


def kind(r):
    return r.json()["type"].rsplit("/", 1)[1]


@pytest.fixture(scope="module")
async def refused(suite):
    """This year's tier budget of 300,000 pays A; B's approval is refused (budget-exceeded); D is reviewed."""
    awards = {}
    for name, uscc in (("a", A), ("b", B), ("d", D)):
        awards[name], _ = await tier_award(suite, uscc)
        assert (await act(suite, awards[name]["id"], "review", "econ")).status_code == 200
    assert kind(await act(suite, awards["b"]["id"], "approve", "treasury")) == "no-budget"
    r = await treasury(suite).put(f"/api/v1/budgets/{YEAR}/tier", json={"allocated_yuan": 300_000})
    assert r.status_code == 200
    assert (await act(suite, awards["a"]["id"], "approve", "treasury")).status_code == 200
    over = await act(suite, awards["b"]["id"], "approve", "treasury")
    assert over.status_code == 409 and kind(over) == "budget-exceeded" and over.json()["remaining_yuan"] == 0
    return {k: v["id"] for k, v in awards.items()}


async def test_refusals_are_listed_for_the_treasury(refused, suite):
    r = await suite.client("awards", role="econ").get(f"/api/v1/budgets/{YEAR}/refusals")
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(i["award_id"], i["code"], i["refusals"], i["state"], i["carried_to_year"]) for i in body["items"]] == [
        (refused["b"], "budget-exceeded", 2, "reviewed", None)]
    assert body["amount_yuan"] == 300_000 and body["items"][0]["refused_on"] == clock.today().isoformat()
    award = (await suite.client("awards").get(f"/api/v1/awards/{refused['b']}")).json()
    assert (award["state"], award["budget_year"]) == ("reviewed", None)  # the refusal changed nothing of the award
    assert (await suite.client("awards", role="park", org="P1").get(
        f"/api/v1/budgets/{YEAR}/refusals")).status_code == 403


async def test_carry_over_into_next_years_budget(refused, suite, monkeypatch):
    b, d, a = refused["b"], refused["d"], refused["a"]
    ledger_before = len((await suite.client("awards").get("/api/v1/ledger", params={"year": YEAR})).json()["items"])
    # wrong state, never refused, a batch with one of them: 409, and nothing is carried
    assert kind(await treasury(suite).post(f"/api/v1/awards/{a}/carry-over")) == "invalid-state"
    assert kind(await treasury(suite).post(f"/api/v1/awards/{d}/carry-over")) == "not-refused"
    batch = await treasury(suite).post(f"/api/v1/budgets/{YEAR}/carry-over", json={"award_ids": [b, d]})
    assert batch.status_code == 409 and [x["award_id"] for x in batch.json()["refused"]] == [d]
    assert (await treasury(suite).post(f"/api/v1/budgets/{YEAR - 1}/carry-over",
                                       json={"award_ids": [b]})).status_code == 409  # refused this year, not last
    for bad in ({"award_ids": []}, {"award_ids": ["x"]}, {"award_ids": [b], "more": 1}):
        assert (await treasury(suite).post(f"/api/v1/budgets/{YEAR}/carry-over", json=bad)).status_code == 422
    assert (await treasury(suite).post("/api/v1/awards/999999/carry-over")).status_code == 404
    assert (await suite.client("awards").post(f"/api/v1/awards/{b}/carry-over")).status_code == 403
    assert (await suite.client("awards").get(f"/api/v1/budgets/{NEXT}/carried-over")).json()["items"] == []

    r = await treasury(suite).post(f"/api/v1/budgets/{YEAR}/carry-over", json={"award_ids": [b], "note": "预算用尽"})
    assert r.status_code == 200, r.text
    assert (r.json()["to_year"], [i["award_id"] for i in r.json()["items"]]) == (NEXT, [b])
    again = await treasury(suite).post(f"/api/v1/awards/{b}/carry-over", json={"note": "again"})
    assert again.status_code == 200 and (again.json()["to_year"], again.json()["note"]) == (NEXT, "预算用尽")
    log = (await suite.client("awards", role="auditor").get(
        "/api/v1/audit-log", params={"object_type": "award", "object_id": str(b)})).json()["items"]
    assert [e["action"] for e in log].count("award.carried_over") == 1  # idempotent
    assert [e["action"] for e in log].count("award.approval_refused") == 2

    nxt = await figures(suite, NEXT)
    assert (nxt["allocated_yuan"], nxt["carried_over_yuan"], nxt["remaining_yuan"]) == (0, 300_000, -300_000)
    assert (await figures(suite, YEAR))["carried_over_yuan"] == 0
    carried = (await suite.client("awards", role="auditor").get(f"/api/v1/budgets/{NEXT}/carried-over")).json()
    assert [(i["award_id"], i["from_year"], i["to_year"]) for i in carried["items"]] == [(b, YEAR, NEXT)]
    listed = (await suite.client("awards").get(f"/api/v1/budgets/{YEAR}/refusals")).json()["items"]
    assert [i["carried_to_year"] for i in listed] == [NEXT]
    ledger_after = len((await suite.client("awards").get("/api/v1/ledger", params={"year": YEAR})).json()["items"])
    assert ledger_after == ledger_before  # a carry-over is a commitment, not money moved

    # next year: the carried award is approved from that year's budget, ahead of the others
    monkeypatch.setattr(clock, "today", lambda: dt.date(NEXT, 1, 10))
    assert (await treasury(suite).put(f"/api/v1/budgets/{NEXT}/tier", json={"allocated_yuan": 500_000})
            ).status_code == 200
    assert (await figures(suite, NEXT))["remaining_yuan"] == 200_000
    assert kind(await act(suite, d, "approve", "treasury")) == "budget-exceeded"  # B's 300,000 is committed
    ok = await act(suite, b, "approve", "treasury")
    assert ok.status_code == 200, ok.text
    assert (ok.json()["state"], ok.json()["budget_year"]) == ("approved", NEXT)
    nxt = await figures(suite, NEXT)
    assert (nxt["carried_over_yuan"], nxt["reserved_yuan"], nxt["remaining_yuan"]) == (0, 300_000, 200_000)
    assert (await suite.client("awards").get(f"/api/v1/budgets/{NEXT}/carried-over")).json()["items"] == []
    assert kind(await treasury(suite).post(f"/api/v1/awards/{b}/carry-over")) == "invalid-state"


async def test_a_carry_over_is_announced_once(refused, suite):
    """award.carried_over.v1: the award's record with the carry-over, once however often it is carried."""
    from services.awards.tests.recoveries.test_recoveries import published
    from shared.contracts.awards import AwardCarriedOver

    [d] = await published(suite, AwardCarriedOver.subject(), "award_id", refused["b"])
    assert (d["from_year"], d["to_year"], d["state"], d["amount_yuan"], d["uscc"], d["note"]) == (
        YEAR, NEXT, "reviewed", 300_000, B, "预算用尽")
    AwardCarriedOver.model_validate(d)
    assert await published(suite, AwardCarriedOver.subject(), "award_id", refused["d"]) == []
