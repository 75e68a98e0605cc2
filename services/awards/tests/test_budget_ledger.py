"""Budgets bound approvals, the ledger records every movement, exports, and the what-if costing."""
import csv
import io

import openpyxl
import pytest

from services.awards.tests.test_flow import awards_of, certify, known, register
from shared import clock
from shared.testing import make_uscc

X, Y = make_uscc(), make_uscc()
YEAR = clock.today().year  # an award's budget is the approval date's year


def treasury(suite):
    return suite.client("awards", role="treasury")


async def tier_award(suite, uscc, tier="municipal_srdi", on="2024-03-01"):
    await register(suite, uscc)
    cert = await certify(suite, uscc, tier, on)
    award = (await suite.wait_for(lambda: awards_of(suite, uscc, program="tier"), "the tier award"))[0]
    return award, cert


async def act(suite, award_id, action, role, body=None):
    return await suite.client("awards", role=role).post(f"/api/v1/awards/{award_id}/{action}", json=body)


async def budget(suite, program="tier", role="treasury"):
    r = await suite.client("awards", role=role).get(f"/api/v1/budgets/{YEAR}")
    assert r.status_code == 200, r.text
    return {i["program"]: i for i in r.json()["items"]}.get(program)


@pytest.fixture(scope="module")
async def paid(suite):
    """X and Y each earn 300,000; the tier budget of 500,000 pays one of them (Y), X is rejected."""
    ax, _ = await tier_award(suite, X)
    ay, cy = await tier_award(suite, Y)
    for a in (ax, ay):
        assert (await act(suite, a["id"], "review", "econ")).status_code == 200
    none = await act(suite, ax["id"], "approve", "treasury")
    assert none.status_code == 409 and none.json()["type"].endswith("/no-budget")
    assert f"budgets/{YEAR}/tier" in none.json()["detail_en"]
    r = await treasury(suite).put(f"/api/v1/budgets/{YEAR}/tier", json={"allocated_yuan": 500_000})
    assert r.status_code == 200 and r.json()["remaining_yuan"] == 500_000
    assert (await act(suite, ax["id"], "approve", "treasury")).json()["budget_year"] == YEAR
    assert (await budget(suite))["reserved_yuan"] == 300_000
    over = await act(suite, ay["id"], "approve", "treasury")
    assert over.status_code == 409 and over.json()["type"].endswith("/budget-exceeded")
    assert over.json()["remaining_yuan"] == 200_000
    assert (await suite.client("awards").get(f"/api/v1/awards/{ay['id']}")).json()["state"] == "reviewed"
    assert (await act(suite, ax["id"], "reject", "treasury", {"reason": "材料不全"})).status_code == 200
    assert (await budget(suite))["reserved_yuan"] == 0  # a rejection releases the reservation
    assert (await act(suite, ay["id"], "approve", "treasury")).status_code == 200
    r = await act(suite, ay["id"], "disburse", "treasury", {"voucher": "FS-付-0001"})
    assert r.status_code == 200
    return {"x": ax, "y": ay, "y_cert": cy}


async def test_budget_figures(paid, suite):
    fig = await budget(suite)
    assert (fig["allocated_yuan"], fig["reserved_yuan"], fig["disbursed_yuan"], fig["remaining_yuan"]) == (
        500_000, 0, 300_000, 200_000)
    assert (await budget(suite, role="auditor")) == fig and (await budget(suite, role="econ")) == fig


async def test_budget_roles_and_bad_input(paid, suite):
    path = f"/api/v1/budgets/{YEAR}/tier"
    assert (await suite.client("awards", role=None).put(path, json={"allocated_yuan": 1})).status_code == 401
    assert (await suite.client("awards").put(path, json={"allocated_yuan": 1})).status_code == 403
    assert (await suite.client("awards", role="bank", org="B1").get(f"/api/v1/budgets/{YEAR}")).status_code == 403
    assert (await suite.client("awards", role="park", org="P1").get(f"/api/v1/budgets/{YEAR}")).status_code == 403
    for bad_path, body in ((path, {"allocated_yuan": -5}), (path, {"allocated_yuan": 1.5}),
                           (f"/api/v1/budgets/{YEAR}/lottery", {"allocated_yuan": 1}),
                           ("/api/v1/budgets/1900/tier", {"allocated_yuan": 1})):
        assert (await treasury(suite).put(bad_path, json=body)).status_code == 422
    low = await treasury(suite).put(path, json={"allocated_yuan": 299_999})  # below what is already paid
    assert low.status_code == 409 and low.json()["committed_yuan"] == 300_000
    assert (await budget(suite))["allocated_yuan"] == 500_000


async def test_ledger_entries_are_the_record(paid, suite):
    r = await suite.client("awards", role="auditor").get("/api/v1/ledger", params={"year": YEAR, "limit": 500})
    assert r.status_code == 200
    mine = [e for e in r.json()["items"] if e["award_id"] in (paid["x"]["id"], paid["y"]["id"])]
    assert [(e["kind"], e["award_id"] == paid["y"]["id"]) for e in mine] == [
        ("reserved", False), ("released", False), ("reversed", False), ("reserved", True), ("disbursed", True)]
    assert mine[-1]["voucher"] == "FS-付-0001" and mine[-1]["amount_yuan"] == 300_000
    created = (await suite.client("awards").get("/api/v1/ledger", params={"year": 2024, "uscc": Y})).json()["items"]
    assert [(e["kind"], e["amount_yuan"], e["booked_on"]) for e in created] == [("awarded", 300_000, "2024-03-01")]
    assert (await suite.client("awards", role=None).get("/api/v1/ledger", params={"year": YEAR})).status_code == 401
    assert (await suite.client("awards", role="bank", org="B").get("/api/v1/ledger",
                                                                   params={"year": YEAR})).status_code == 403
    park = await suite.client("awards", role="park", org="P1").get("/api/v1/ledger", params={"year": YEAR})
    assert park.status_code == 200 and park.json()["items"] == []
    assert (await suite.client("awards").get("/api/v1/ledger")).status_code == 422  # the year is required


async def test_exports_with_chinese_headers(paid, suite):
    auditor = suite.client("awards", role="auditor")
    r = await auditor.get("/api/v1/ledger/export", params={"year": YEAR, "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["序号", "记账日期", "类型", "奖励编号"]
    assert any(row[2] == "拨付" and row[10] == "FS-付-0001" for row in rows[1:])
    r = await auditor.get(f"/api/v1/disbursements/{YEAR}/export")
    assert r.status_code == 200 and "spreadsheetml" in r.headers["content-type"]
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("序号", "拨付日期", "奖励编号") and "金额（元）" in values[0]
    assert [(v[2], v[5], v[8], v[9]) for v in values[1:]] == [(paid["y"]["id"], Y, 300_000, "FS-付-0001")]
    csv_list = await auditor.get(f"/api/v1/disbursements/{YEAR}/export", params={"format": "csv"})
    assert "层级奖励" in csv_list.content.decode("utf-8-sig")
    assert (await auditor.get("/api/v1/ledger/export", params={"year": YEAR, "format": "pdf"})).status_code == 422
    assert (await suite.client("awards", role="bank", org="B").get(
        f"/api/v1/disbursements/{YEAR}/export")).status_code == 403
    anonymous = suite.client("awards", role=None)
    assert (await anonymous.get(f"/api/v1/disbursements/{YEAR}/export")).status_code == 401
    assert (await anonymous.get("/api/v1/ledger/export", params={"year": YEAR})).status_code == 401
    park = await suite.client("awards", role="park", org="P1").get(f"/api/v1/disbursements/{YEAR}/export",
                                                                   params={"format": "csv"})
    assert park.status_code == 200 and len(park.content.decode("utf-8-sig").strip().splitlines()) == 1


async def test_revocation_claws_back_with_a_ledger_entry(paid, suite):
    r = await suite.client("registry").post(f"/api/v1/certifications/{paid['y_cert']['id']}/revoke",
                                            json={"reason": "虚假申报", "for_cause": True, "revoked_on": "2025-01-01"})
    assert r.status_code == 200

    async def clawed():
        return (await awards_of(suite, Y))[0]["state"] == "clawed_back"
    await suite.wait_for(clawed, "the claw-back")
    await suite.settled()
    entries = (await suite.client("awards").get("/api/v1/ledger", params={"year": YEAR, "uscc": Y})).json()["items"]
    assert [e["kind"] for e in entries][-1] == "clawed_back" and entries[-1]["amount_yuan"] == 300_000
    assert (await suite.client("awards").get(f"/api/v1/enterprises/{Y}/awards")).json()["total_yuan"] == 0
    fig = await budget(suite)
    assert fig["clawed_back_yuan"] == 300_000 and fig["disbursed_yuan"] == 300_000


# -- what-if ----------------------------------------------------------------------------------------
async def test_simulation_seed_against_2025_measures(paid, suite):
    climber, renewer = make_uscc(), make_uscc()
    await register(suite, climber)
    await certify(suite, climber, "municipal_srdi", "2024-02-01")
    await certify(suite, climber, "national_little_giant", "2024-09-01")
    await register(suite, renewer)
    await certify(suite, renewer, "municipal_srdi", "2021-01-01")  # valid to 2023-12-31
    await certify(suite, renewer, "municipal_srdi", "2024-01-01")  # re-recognised after expiry: first renewal
    await suite.wait_for(lambda: awards_of(suite, climber, program="tier"), "the climber's awards")
    await suite.settled()
    period = {"from": "2024-01-01", "to": "2024-12-31"}
    sim = suite.client("awards", role="treasury")
    seed = (await sim.post("/api/v1/simulations", json={"period": period})).json()
    assert seed["parameter_set"] == "seed_proposal"
    assert seed["proposed"]["by_program"] == seed["in_force"]["by_program"]  # the seed is the policy in force
    assert seed["proposed"]["by_enterprise"][climber] == 1_000_000
    assert X not in seed["proposed"]["by_enterprise"] or seed["proposed"]["by_enterprise"][X] == 300_000
    assert Y not in seed["proposed"]["by_enterprise"]  # revoked for cause: costs nothing
    m25 = (await sim.post("/api/v1/simulations", json={"period": period, "parameter_set": "fangshan_2025"})).json()
    assert m25["proposed"]["by_enterprise"][climber] == 500_000     # 200,000 then the difference to 500,000
    assert m25["proposed"]["by_enterprise"][renewer] == 200_000     # paid again on first renewal
    assert m25["in_force"]["by_enterprise"].get(renewer, 0) == 0
    assert m25["difference"]["by_enterprise"][climber] == -500_000
    assert m25["difference"]["total_yuan"] == m25["proposed"]["total_yuan"] - m25["in_force"]["total_yuan"]
    assert {p["key"] for p in m25["parameters"]} >= {"award.tier.pay_first_renewal"}
    what_if = await sim.post("/api/v1/simulations", json={"period": period,
                                                           "parameters": {"award.tier.national_little_giant": 800_000}})
    assert what_if.json()["proposed"]["by_enterprise"][climber] == 800_000
    # A costing changes nothing.
    assert len(await awards_of(suite, renewer)) == 0


@pytest.mark.parametrize("body", [
    {"period": {"from": "2024-12-31", "to": "2024-01-01"}},
    {"period": {"from": "2024-01-01"}},
    {"period": {"from": "2024-01-01", "to": "2024-12-31"}, "parameter_set": "utopia"},
    {"period": {"from": "2024-01-01", "to": "2024-12-31"}, "parameters": {"award.tier.municipal_srdi": "lots"}},
    {"period": {"from": "2024-01-01", "to": "2024-12-31"}, "parameters": {"award.nothing": 1}},
])
async def test_simulation_bad_input(suite, body):
    assert (await suite.client("awards").post("/api/v1/simulations", json=body)).status_code == 422


async def test_simulation_roles(suite):
    body = {"period": {"from": "2024-01-01", "to": "2024-12-31"}}
    assert (await suite.client("awards", role=None).post("/api/v1/simulations", json=body)).status_code == 401
    assert (await suite.client("awards", role="bank", org="B").post("/api/v1/simulations", json=body)).status_code == 403
    assert (await suite.client("awards", role="park", org="P").post("/api/v1/simulations", json=body)).status_code == 403
    assert (await suite.client("awards", role="auditor").post("/api/v1/simulations", json=body)).status_code == 200


async def test_first_renewal_paid_when_the_policy_says_so(suite):
    """The real rule honours award.tier.pay_first_renewal: a first renewal pays, a second does not."""
    u = make_uscc()
    r = await suite.client("awards").put("/api/v1/policy", json={
        "key": "award.tier.pay_first_renewal", "value": True, "effective_from": "2025-04-28",
        "legal_ref": "《房山区促进高精尖产业发展扶持措施（试行）》（测试）"})
    assert r.status_code == 201
    await register(suite, u)
    await certify(suite, u, "municipal_srdi", "2022-05-01")   # to 2025-04-30
    await certify(suite, u, "municipal_srdi", "2025-05-01")   # first renewal, under the new policy
    await certify(suite, u, "municipal_srdi", "2026-06-01")   # second renewal (before the first lapses): nothing
    await known(suite, u, 3)
    await suite.wait_for(lambda: awards_of(suite, u, program="tier"), "the awards")
    await suite.settled()
    items = await awards_of(suite, u, program="tier")
    assert [(a["amount_yuan"], a["basis"]["rule"]) for a in items] == [
        (300_000, "tier_award_with_top_up"), (300_000, "tier_first_renewal_award")]
    # A renewal recognised before the earlier title lapsed raises no tier (certification.added), and is
    # a first renewal all the same.
    v = make_uscc()
    await register(suite, v)
    await certify(suite, v, "municipal_srdi", "2023-01-01")   # to 2025-12-31
    await certify(suite, v, "municipal_srdi", "2025-11-01")
    await known(suite, v, 2)

    async def renewed():
        return len(await awards_of(suite, v, program="tier")) == 2
    await suite.wait_for(renewed, "the renewal award")
    assert [a["basis"]["rule"] for a in await awards_of(suite, v, program="tier")] == [
        "tier_award_with_top_up", "tier_first_renewal_award"]
