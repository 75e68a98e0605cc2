"""The recovery due period is the dated parameter award.recovery.due_days (seed 90 from 2022-01-01):
the rule is pure (days as an argument); a receivable opened on or after a new version's date falls due
by that version."""
import datetime as dt

import pytest

from services.awards.recoveries import rules
from services.awards.tests.recoveries.test_recoveries import claw_back, paid_award, receivables
from services.awards.tests.test_budget_ledger import treasury
from shared import clock
from shared.testing import make_uscc

YEAR = clock.today().year


@pytest.mark.parametrize("opened_on, days, due", [
    ("2025-01-02", 90, "2025-04-02"),
    ("2024-12-31", 90, "2025-03-31"),
    ("2024-02-28", 1, "2024-02-29"),     # a leap day
    ("2025-01-31", 30, "2025-03-02"),
    ("2025-06-30", 0, "2025-06-30"),
])
def test_due_on_table(opened_on, days, due):
    assert rules.due_on(dt.date.fromisoformat(opened_on), days) == dt.date.fromisoformat(due)


async def test_a_new_version_changes_the_due_date_of_receivables_opened_after_it(suite):
    policy = (await suite.client("awards", role="auditor").get("/api/v1/policy",
                                                               params={"on": "2022-01-01"})).json()
    seeded = {p["key"]: p for p in policy["parameters"]}["award.recovery.due_days"]
    assert (seeded["value"], seeded["effective_from"]) == (90, "2022-01-01") and seeded["legal_ref"]

    r = await treasury(suite).put(f"/api/v1/budgets/{YEAR}/tier", json={"allocated_yuan": 1_000_000})
    assert r.status_code == 200
    before, after = make_uscc(), make_uscc()
    a1, c1 = await paid_award(suite, before, "FS-付-D1")
    await claw_back(suite, before, c1["id"])
    await suite.settled()

    r = await suite.client("awards").put("/api/v1/policy", json={
        "key": "award.recovery.due_days", "value": 30, "effective_from": clock.today().isoformat(),
        "legal_ref": "区经信局确定（测试）：还款期限改为 30 天"})
    assert r.status_code == 201, r.text

    a2, c2 = await paid_award(suite, after, "FS-付-D2")
    await claw_back(suite, after, c2["id"])
    await suite.settled()
    by_award = {x["award_id"]: x for x in await receivables(suite, year=YEAR)}
    old, new = by_award[a1["id"]], by_award[a2["id"]]
    assert dt.date.fromisoformat(old["due_on"]) - dt.date.fromisoformat(old["opened_on"]) == dt.timedelta(days=90)
    assert dt.date.fromisoformat(new["due_on"]) - dt.date.fromisoformat(new["opened_on"]) == dt.timedelta(days=30)
