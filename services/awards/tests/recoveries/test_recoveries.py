"""Recoveries (issue 19): a claw-back opens a receivable; partial repayments close it, each a ledger
entry, the budget of the award's year showing what was clawed back, recovered and still owed."""
import datetime as dt

import pytest

from services.awards.tests.test_budget_ledger import act, budget, tier_award, treasury
from services.awards.tests.test_flow import awards_of
from shared import clock
from shared.testing import make_uscc

YEAR = clock.today().year
X, W = make_uscc(), make_uscc()


async def claw_back(suite, uscc, cert_id):
    r = await suite.client("registry").post(f"/api/v1/certifications/{cert_id}/revoke",
                                            json={"reason": "虚假申报", "for_cause": True, "revoked_on": "2025-01-01"})
    assert r.status_code == 200, r.text

    async def clawed():
        return (await awards_of(suite, uscc))[0]["state"] == "clawed_back"
    await suite.wait_for(clawed, "the claw-back")


async def paid_award(suite, uscc, voucher):
    award, cert = await tier_award(suite, uscc)
    assert (await act(suite, award["id"], "review", "econ")).status_code == 200
    assert (await act(suite, award["id"], "approve", "treasury")).status_code == 200, "budget"
    assert (await act(suite, award["id"], "disburse", "treasury", {"voucher": voucher})).status_code == 200
    return award, cert


async def receivables(suite, role="treasury", org=None, **params):
    r = await suite.client("awards", role=role, org=org).get("/api/v1/receivables", params=params)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def repay(suite, rid, amount, voucher, on=None, role="treasury"):
    body = {"amount_yuan": amount, "voucher": voucher, "on": (on or clock.today()).isoformat()}
    return suite.client("awards", role=role).post(f"/api/v1/receivables/{rid}/repayments", json=body)


def money(fig):
    return {k: fig[k] for k in ("clawed_back_yuan", "recovered_yuan", "written_off_yuan", "receivable_yuan",
                                "disbursed_yuan", "remaining_yuan")}


@pytest.fixture(scope="module")
async def clawed(suite):
    """X and W are each paid 300,000 from this year's tier budget of 1,000,000, then clawed back."""
    r = await treasury(suite).put(f"/api/v1/budgets/{YEAR}/tier", json={"allocated_yuan": 1_000_000})
    assert r.status_code == 200
    ax, cx = await paid_award(suite, X, "FS-付-X1")
    aw, cw = await paid_award(suite, W, "FS-付-W1")
    await claw_back(suite, X, cx["id"])
    await claw_back(suite, W, cw["id"])
    await suite.settled()
    by_award = {r["award_id"]: r for r in await receivables(suite, state="open", year=YEAR)}
    return {"x": by_award[ax["id"]], "w": by_award[aw["id"]], "x_award": ax}


async def test_a_claw_back_is_repaid_in_two_parts(clawed, suite):
    rx = clawed["x"]
    assert (rx["amount_yuan"], rx["outstanding_yuan"], rx["state"], rx["payee"], rx["budget_year"]) == (
        300_000, 300_000, "open", X, YEAR)
    assert rx["due_on"] == (dt.date.fromisoformat(rx["opened_on"]) + dt.timedelta(days=90)).isoformat()
    assert rx["reason"] and not rx["overdue"]
    assert money(await budget(suite)) == {"clawed_back_yuan": 600_000, "recovered_yuan": 0, "written_off_yuan": 0,
                                          "receivable_yuan": 600_000, "disbursed_yuan": 600_000,
                                          "remaining_yuan": 400_000}

    first = await repay(suite, rx["id"], 100_000, "FS-收-0001")
    assert first.status_code == 200, first.text
    assert (first.json()["state"], first.json()["recovered_yuan"], first.json()["outstanding_yuan"]) == (
        "partly_repaid", 100_000, 200_000)
    fig = await budget(suite)
    assert (fig["recovered_yuan"], fig["receivable_yuan"], fig["remaining_yuan"]) == (100_000, 500_000, 400_000)

    second = await repay(suite, rx["id"], 200_000, " fs-收-0002 ")
    assert second.status_code == 200, second.text
    body = second.json()
    assert (body["state"], body["recovered_yuan"], body["outstanding_yuan"]) == ("repaid", 300_000, 0)
    assert [(p["amount_yuan"], p["voucher"]) for p in body["repayments"]] == [
        (100_000, "FS-收-0001"), (200_000, "fs-收-0002")]
    fig = await budget(suite)
    assert (fig["recovered_yuan"], fig["receivable_yuan"]) == (300_000, 300_000)  # W's is still owed

    again = await repay(suite, rx["id"], 1, "FS-收-0003")
    assert again.status_code == 409 and again.json()["state"] == "repaid"

    # the ledger is balanced: what was clawed back is what came back (and W's, still owed)
    entries = (await suite.client("awards", role="auditor").get("/api/v1/ledger", params={
        "year": YEAR, "uscc": X})).json()["items"]
    kinds = [(e["kind"], e["amount_yuan"]) for e in entries]
    assert kinds[-3:] == [("clawed_back", 300_000), ("recovered", 100_000), ("recovered", 200_000)]
    assert sum(a for k, a in kinds if k == "recovered") == sum(a for k, a in kinds if k == "clawed_back")
    assert entries[-1]["voucher"] == "fs-收-0002" and entries[-1]["budget_year"] == YEAR
    assert [r["id"] for r in await receivables(suite, state="repaid")] == [rx["id"]]
    got = await suite.client("awards", role="econ").get(f"/api/v1/receivables/{rx['id']}")
    assert got.status_code == 200 and len(got.json()["repayments"]) == 2


async def test_bad_repayments_change_nothing(clawed, suite):
    rw = clawed["w"]
    today = clock.today()
    cases = [
        (400_000, "FS-收-W1", None, 409, "exceeds-outstanding"),
        (0, "FS-收-W1", None, 422, "not-positive"),
        (-5, "FS-收-W1", None, 422, "validation"),
        (1_000, "FS-收-W1", today + dt.timedelta(days=1), 422, "validation"),
        (1_000, "FS-收-W1", today - dt.timedelta(days=1), 422, "before-claw-back"),
        (1_000, "FS-付-X1", None, 409, "voucher-used"),  # the voucher that paid X's award
    ]
    for amount, voucher, on, status, code in cases:
        r = await repay(suite, rw["id"], amount, voucher, on)
        assert (r.status_code, r.json()["type"].rsplit("/", 1)[1]) == (status, code), (amount, voucher, r.text)
        assert r.json()["detail_zh"] and r.json()["detail_en"]
    assert (await repay(suite, rw["id"], 1_000, "FS-收-W1", role="econ")).status_code == 403
    assert (await repay(suite, 999_999, 1_000, "FS-收-W1")).status_code == 404
    extra = await treasury(suite).post(f"/api/v1/receivables/{rw['id']}/repayments",
                                       json={"amount_yuan": 1, "voucher": "V", "on": today.isoformat(), "x": 1})
    assert extra.status_code == 422
    got = (await suite.client("awards").get(f"/api/v1/receivables/{rw['id']}")).json()
    assert (got["state"], got["recovered_yuan"], got["repayments"]) == ("open", 0, [])
    # a park sees no other's receivable; the bank and the anonymous none at all
    assert await receivables(suite, role="park", org="P1") == []
    assert (await suite.client("awards", role="park", org="P1").get(
        f"/api/v1/receivables/{rw['id']}")).status_code == 404
    assert (await suite.client("awards", role="bank", org="B1").get("/api/v1/receivables")).status_code == 403
    assert (await suite.client("awards", role=None).get("/api/v1/receivables")).status_code == 401
    assert (await suite.client("awards").get("/api/v1/receivables", params={"state": "lost"})).status_code == 422


async def test_write_off_what_cannot_be_recovered(clawed, suite):
    rw = clawed["w"]
    assert rw["actions"] == {"repay": ["treasury"], "write_off": ["treasury"]}  # what a page offers, and to whom
    assert (await repay(suite, rw["id"], 50_000, "FS-收-W2")).status_code == 200
    assert (await repay(suite, rw["id"], 1, "fs-收-w2")).json()["type"].endswith("/voucher-used")
    path = f"/api/v1/receivables/{rw['id']}/write-off"
    assert (await treasury(suite).post(path, json={})).status_code == 422  # the reason is required
    assert (await suite.client("awards").post(path, json={"reason": "x"})).status_code == 403
    r = await treasury(suite).post(path, json={"reason": "企业已注销，无可追回财产"})
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["written_off_yuan"], r.json()["outstanding_yuan"]) == ("written_off", 250_000, 0)
    assert r.json()["actions"] == {}  # closed: nothing more to do
    assert (await treasury(suite).post(path, json={"reason": "again"})).status_code == 409
    fig = await budget(suite)
    assert (fig["clawed_back_yuan"], fig["recovered_yuan"], fig["written_off_yuan"], fig["receivable_yuan"]) == (
        600_000, 350_000, 250_000, 0)
    log = (await suite.client("awards", role="auditor").get(
        "/api/v1/audit-log", params={"object_type": "receivable", "object_id": str(rw["id"])})).json()["items"]
    assert {e["action"] for e in log} >= {"receivable.opened", "receivable.repaid", "receivable.written_off"}


async def published(suite, subject: str, key: str, value) -> list[dict]:
    """The data of awards' events of `subject` whose `key` is `value`, oldest first, once the relay has
    published every one of them (waited on, not slept)."""
    import orjson
    from sqlalchemy import select

    from shared.tables import Outbox

    def rows():
        with suite.db("awards").reader() as s:
            found = s.execute(select(Outbox.payload, Outbox.published_at).where(Outbox.subject == subject)
                              .order_by(Outbox.created_at)).all()
        return [(orjson.loads(p)["data"], at) for p, at in found if orjson.loads(p)["data"][key] == value]

    async def sent():
        return all(at is not None for _, at in rows())
    await suite.wait_for(sent, f"{subject} published")
    return [d for d, _ in rows()]


async def test_each_change_of_a_receivable_is_announced_whole(clawed, suite):
    """receivable.changed.v1: the whole record when opened, after each repayment and after the write-off,
    its version one more each time; a refused repayment announces nothing."""
    from shared.contracts.awards import ReceivableChanged

    subject = ReceivableChanged.subject()
    x = await published(suite, subject, "receivable_id", clawed["x"]["id"])
    assert [(d["version"], d["state"], d["recovered_yuan"], d["outstanding_yuan"]) for d in x] == [
        (1, "open", 0, 300_000), (2, "partly_repaid", 100_000, 200_000), (3, "repaid", 300_000, 0)]
    assert [d["last_repayment"] for d in x] == [
        None, {"amount_yuan": 100_000, "on": clock.today().isoformat(), "voucher": "FS-收-0001"},
        {"amount_yuan": 200_000, "on": clock.today().isoformat(), "voucher": "fs-收-0002"}]
    assert x[0]["award_id"] == clawed["x_award"]["id"] and x[0]["uscc"] == X and x[0]["budget_year"] == YEAR
    w = await published(suite, subject, "receivable_id", clawed["w"]["id"])
    assert [(d["version"], d["state"], d["written_off_yuan"], d["outstanding_yuan"]) for d in w] == [
        (1, "open", 0, 300_000), (2, "partly_repaid", 0, 250_000), (3, "written_off", 250_000, 0)]
    assert w[-1]["closed_reason"] == "企业已注销，无可追回财产"
    for d in x + w:
        ReceivableChanged.model_validate(d)  # the typed contract consumers parse
