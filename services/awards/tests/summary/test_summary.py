"""The awards summary (the leadership report's awards part): per programme per year, from the ledger."""
import datetime as dt

import pytest

from services.awards.summary import rules
from services.awards.tables import Award, LedgerEntry
from shared.clock import today
from shared.testing import Suite, make_uscc

D = dt.date


def test_rules_lay_out_programmes_and_years():
    rows = [("tier", 2024, "reserved", 2, 600_000), ("tier", 2024, "disbursed", 1, 300_000),
            ("tier", 2025, "recovered", 1, 100_000), ("tier", 2025, "released", 1, 300_000),
            ("listing", 2030, "reserved", 1, 1)]  # outside the years: left out
    [tier] = rules.summary(rows, 2024, 2025)
    assert tier["program"] == "tier" and [y["year"] for y in tier["years"]] == [2024, 2025]
    assert (tier["years"][0]["approved_count"], tier["years"][0]["approved_yuan"], tier["years"][0]["paid_yuan"]) == (
        2, 600_000, 300_000)
    assert tier["years"][1]["recovered_yuan"] == 100_000 and tier["total"]["approved_yuan"] == 600_000


@pytest.fixture
async def awards_alone(tmp_path):
    s = await Suite(tmp_path, services=("awards",)).start()
    yield s
    await s.stop()


async def test_summary_from_the_ledger(awards_alone):
    suite = awards_alone
    with suite.db("awards").transaction() as s:
        awards = []
        for i, program in enumerate(("tier", "tier", "listing")):
            u = make_uscc()
            a = Award(award_key=f"summary-test:{u}", program=program, uscc=u, payee=u, payee_type="enterprise",
                      amount_yuan=300_000 * (i + 1), basis={}, decided_on=D(2024, 3, 1), source_event_id=f"t{i}")
            s.add(a)
            s.flush()
            awards.append(a)

        def book(a, kind, on, amount=None):
            s.add(LedgerEntry(kind=kind, award_id=a.id, program=a.program, uscc=a.uscc, payee=a.payee,
                              payee_type="enterprise", amount_yuan=amount or a.amount_yuan, booked_on=on,
                              budget_year=on.year, actor="test"))
        book(awards[0], "reserved", D(2024, 4, 1))
        book(awards[0], "disbursed", D(2024, 5, 1))
        book(awards[0], "clawed_back", D(2025, 2, 1))
        book(awards[0], "recovered", D(2025, 3, 1), 100_000)
        book(awards[1], "reserved", D(2025, 4, 1))
        book(awards[2], "reserved", D(2025, 4, 1))
        book(awards[2], "disbursed", D(2025, 6, 1))
    econ = suite.client("awards")
    r = await econ.get("/api/v1/awards/summary", params={"from_year": 2024, "to_year": 2025})
    assert r.status_code == 200, r.text
    body = r.json()
    by = {p["program"]: p for p in body["programs"]}
    assert set(by) == {"tier", "listing"} and by["listing"]["program_zh"]
    t24, t25 = by["tier"]["years"]
    assert (t24["year"], t24["approved_count"], t24["approved_yuan"], t24["paid_yuan"]) == (2024, 1, 300_000, 300_000)
    assert (t25["approved_yuan"], t25["clawed_back_yuan"], t25["recovered_yuan"]) == (600_000, 300_000, 100_000)
    assert by["listing"]["years"][1]["paid_yuan"] == 900_000
    assert body["total"][1]["approved_yuan"] == 1_500_000 and body["total"][0]["approved_count"] == 1
    for bad in ({"from_year": 2025, "to_year": 2024}, {"from_year": 2024, "to_year": today().year + 1},
                {"from_year": 2024}):
        r = await econ.get("/api/v1/awards/summary", params=bad)
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), bad
    assert (await suite.client("awards", role="park", org="P").get(
        "/api/v1/awards/summary?from_year=2024&to_year=2025")).status_code == 403
    for role in ("treasury", "auditor"):
        assert (await suite.client("awards", role=role).get(
            "/api/v1/awards/summary?from_year=2024&to_year=2025")).status_code == 200
    await suite.settled()
