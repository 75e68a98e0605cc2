"""Dynamic management (动态管理): annual updates owed, change reports, the renewal due list."""
import datetime as dt

import pytest

from services.registry.screening import rules as dynamic
from shared.testing import make_uscc

D = dt.date


@pytest.mark.parametrize("recognized, expires, upto, years", [
    (D(2024, 8, 12), D(2027, 8, 11), D(2027, 6, 1), [2025, 2026, 2027]),
    (D(2024, 8, 12), D(2027, 8, 11), D(2026, 4, 29), [2025]),            # 2026's deadline not reached
    (D(2024, 8, 12), D(2027, 8, 11), D(2026, 4, 30), [2025, 2026]),      # reached on the day
    (D(2024, 4, 30), D(2027, 4, 29), D(2030, 1, 1), [2025, 2026]),       # recognised on a deadline: not owed
])
def test_annual_deadlines(recognized, expires, upto, years):
    assert [y for y, _ in dynamic.annual_deadlines(recognized, expires, upto, "04-30")] == years


def test_missed_updates_and_dates():
    deadlines = [(2025, D(2025, 4, 30)), (2026, D(2026, 4, 30))]
    assert dynamic.missed_updates(deadlines, {2025: D(2025, 4, 30), 2026: D(2026, 3, 1)}) == []
    assert dynamic.missed_updates(deadlines, {2025: D(2025, 5, 1)}) == [2025, 2026]
    assert dynamic.change_due(D(2025, 11, 30), 3) == D(2026, 2, 28)
    assert dynamic.add_months(D(2024, 8, 31), 6) == D(2025, 2, 28)
    assert dynamic.renewal_due(D(2027, 2, 28), D(2026, 8, 28), 6) and not dynamic.renewal_due(D(2027, 3, 1), D(2026, 8, 28), 6)


async def test_annual_updates_change_reports_and_renewal_list(suite):
    econ = suite.client("registry")
    a, b = make_uscc(), make_uscc()
    for u, park in ((a, "P-DYN"), (b, None)):
        await econ.post("/api/v1/enterprises", json={"uscc": u, "name": "复核测试", **({"park_id": park} if park else {})})
        await econ.post(f"/api/v1/enterprises/{u}/certifications", json={"tier": "municipal_srdi", "recognized_on": "2023-03-01"})
    for year, day in ((2023, "2023-04-01"), (2024, "2024-04-30"), (2025, "2025-04-02")):
        r = await econ.post(f"/api/v1/enterprises/{a}/annual-updates", json={"year": year, "submitted_on": day})
        assert r.status_code == 201, r.text
    await econ.post(f"/api/v1/enterprises/{b}/annual-updates", json={"year": 2024, "submitted_on": "2024-05-01"})
    again = await econ.post(f"/api/v1/enterprises/{a}/annual-updates", json={"year": 2024, "submitted_on": "2024-04-01"})
    assert again.status_code == 409 and again.json()["existing"]["submitted_on"] == "2024-04-30"
    due = (await econ.get("/api/v1/renewals/due?on=2026-01-01")).json()
    by = {i["uscc"]: i for i in due["items"]}
    assert by[a]["expires_on"] == "2026-02-28" and not by[a]["renewal_blocked"], by[a]["annual_updates_missed"]
    assert by[b]["annual_updates_missed"] == [2023, 2024, 2025] and by[b]["renewal_blocked"]
    assert a not in {i["uscc"] for i in (await econ.get("/api/v1/renewals/due?on=2025-08-27")).json()["items"]}
    assert a in {i["uscc"] for i in (await econ.get("/api/v1/renewals/due?on=2025-08-28")).json()["items"]}
    park = (await suite.client("registry", role="park", org="P-DYN").get("/api/v1/renewals/due?on=2026-01-01")).json()
    assert [i["uscc"] for i in park["items"]] == [a]
    # Renewed: off the list.
    await econ.post(f"/api/v1/enterprises/{a}/certifications", json={"tier": "municipal_srdi", "recognized_on": "2026-02-01"})
    assert a not in {i["uscc"] for i in (await econ.get("/api/v1/renewals/due?on=2026-01-01")).json()["items"]}
    # Major changes: due 3 months after the change.
    r = await econ.post(f"/api/v1/enterprises/{a}/change-reports",
                        json={"kind": "rename", "changed_on": "2025-11-30", "reported_on": "2026-02-28"})
    assert r.status_code == 201 and (r.json()["due_on"], r.json()["late"]) == ("2026-02-28", False)
    r = await econ.post(f"/api/v1/enterprises/{a}/change-reports",
                        json={"kind": "relocation", "changed_on": "2025-11-30", "reported_on": "2026-03-01"})
    assert r.json()["late"] is True
    assert len((await econ.get(f"/api/v1/enterprises/{a}/change-reports")).json()["items"]) == 2
    for body in ({"kind": "rename", "changed_on": "2025-11-30", "reported_on": "2025-11-01"}, {"kind": "x", "changed_on": "2025-11-30"},
                 {"changed_on": "2025-11-30"}):
        assert (await econ.post(f"/api/v1/enterprises/{a}/change-reports", json=body)).status_code == 422
    for body in ({"year": 1999, "submitted_on": "2024-01-01"}, {"year": 2024}, {"year": 2024, "submitted_on": "x"}):
        assert (await econ.post(f"/api/v1/enterprises/{a}/annual-updates", json=body)).status_code == 422
    assert (await econ.post(f"/api/v1/enterprises/{make_uscc()}/change-reports",
                            json={"kind": "rename", "changed_on": "2025-11-30"})).status_code == 404
    assert (await suite.client("registry", role="treasury").post(f"/api/v1/enterprises/{a}/change-reports",
                                                                 json={"kind": "rename", "changed_on": "2025-11-30"})).status_code == 403
    assert (await suite.client("registry", role=None).get("/api/v1/renewals/due")).status_code == 401
    assert (await suite.client("registry", role="bank", org="B1").get("/api/v1/renewals/due")).status_code == 403
    assert (await suite.client("registry", role="park", org="P-X").get(f"/api/v1/enterprises/{a}/change-reports")).status_code == 404
    assert (await econ.get("/api/v1/renewals/due?on=2026-02-30")).status_code == 422
    await suite.settled()
