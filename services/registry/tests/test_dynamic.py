"""Dynamic management: the 3-year re-application ban after a revocation for cause."""
import datetime as dt

import pytest

from services.registry import rules
from services.registry.tests import listgen
from shared.testing import make_uscc

D = dt.date


@pytest.mark.parametrize("revoked, on, banned_until", [
    ([D(2024, 5, 10)], D(2024, 5, 10), D(2027, 5, 10)),
    ([D(2024, 5, 10)], D(2027, 5, 9), D(2027, 5, 10)),     # the last banned day
    ([D(2024, 5, 10)], D(2027, 5, 10), None),              # the third anniversary: allowed
    ([D(2024, 5, 10)], D(2024, 5, 9), None),               # before the revocation
    ([D(2024, 2, 29)], D(2027, 2, 28), D(2027, 3, 1)),     # leap day
    ([D(2020, 1, 1), D(2024, 5, 10)], D(2025, 1, 1), D(2027, 5, 10)),
    ([], D(2025, 1, 1), None),
])
def test_reapply_ban(revoked, on, banned_until):
    ban = rules.reapply_ban(revoked, on, 3)
    assert (ban[1] if ban else None) == banned_until


async def test_certification_within_the_ban_is_409(suite):
    econ = suite.client("registry")
    u, v = make_uscc(), make_uscc()
    for x in (u, v):
        await econ.post("/api/v1/enterprises", json={"uscc": x, "name": "撤销禁入测试"})
    c = (await econ.post(f"/api/v1/enterprises/{u}/certifications",
                         json={"tier": "municipal_srdi", "recognized_on": "2022-03-01"})).json()
    r = await econ.post(f"/api/v1/certifications/{c['id']}/revoke",
                        json={"reason": "虚假申报", "for_cause": True, "revoked_on": "2023-05-10"})
    assert r.status_code == 200
    r = await econ.post(f"/api/v1/enterprises/{u}/certifications", json={"tier": "innovative", "recognized_on": "2026-05-09"})
    assert r.status_code == 409 and r.json()["banned_until"] == "2026-05-10"
    assert r.json()["type"].endswith("/reapplication-banned") and r.json()["basis"]["value"] == 3
    r = await econ.post(f"/api/v1/enterprises/{u}/certifications", json={"tier": "innovative", "recognized_on": "2026-05-10"})
    assert r.status_code == 201
    # A revocation not for cause bans nothing.
    c = (await econ.post(f"/api/v1/enterprises/{v}/certifications",
                         json={"tier": "municipal_srdi", "recognized_on": "2023-03-01"})).json()
    await econ.post(f"/api/v1/certifications/{c['id']}/revoke",
                    json={"reason": "企业迁出", "for_cause": False, "revoked_on": "2024-05-10"})
    r = await econ.post(f"/api/v1/enterprises/{v}/certifications", json={"tier": "innovative", "recognized_on": "2024-08-12"})
    assert r.status_code == 201
    # An imported row within the ban is rejected with the reason; the other rows import.
    w = make_uscc()
    body = listgen.to_csv([[1, "撤销禁入测试", u, "房山区", "专精特新中小企业", "2025年第一批", "2025-06-18"],
                           [2, "新企业", w, "房山区", "创新型中小企业", "2025年第一批", "2025-06-18"]])
    r = await econ.post("/api/v1/imports/recognition-lists", files={"file": ("l.csv", body, "text/csv")})
    assert r.status_code == 200 and r.json()["created"] == 1
    assert r.json()["rejected"][0]["row"] == 1 and "2026-05-10" in r.json()["rejected"][0]["errors"][0]
    await suite.settled()


@pytest.mark.parametrize("recognized, expires, upto, years", [
    (D(2024, 8, 12), D(2027, 8, 11), D(2027, 6, 1), [2025, 2026, 2027]),
    (D(2024, 8, 12), D(2027, 8, 11), D(2026, 4, 29), [2025]),            # 2026's deadline not reached
    (D(2024, 8, 12), D(2027, 8, 11), D(2026, 4, 30), [2025, 2026]),      # reached on the day
    (D(2024, 4, 30), D(2027, 4, 29), D(2030, 1, 1), [2025, 2026]),       # recognised on a deadline: not owed
])
def test_annual_deadlines(recognized, expires, upto, years):
    assert [y for y, _ in rules.annual_deadlines(recognized, expires, upto, "04-30")] == years


def test_missed_updates_and_dates():
    deadlines = [(2025, D(2025, 4, 30)), (2026, D(2026, 4, 30))]
    assert rules.missed_updates(deadlines, {2025: D(2025, 4, 30), 2026: D(2026, 3, 1)}) == []
    assert rules.missed_updates(deadlines, {2025: D(2025, 5, 1)}) == [2025, 2026]
    assert rules.change_due(D(2025, 11, 30), 3) == D(2026, 2, 28)
    assert rules.add_months(D(2024, 8, 31), 6) == D(2025, 2, 28)
    assert rules.renewal_due(D(2027, 2, 28), D(2026, 8, 28), 6) and not rules.renewal_due(D(2027, 3, 1), D(2026, 8, 28), 6)


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


async def test_targets_and_progress(suite):
    econ = suite.client("registry")
    for tier in ("national_little_giant", "municipal_srdi", "potential"):
        u = make_uscc()
        await econ.post("/api/v1/enterprises", json={"uscc": u, "name": "目标测试"})
        await econ.post(f"/api/v1/enterprises/{u}/certifications", json={"tier": tier, "recognized_on": "2021-06-01"})
    r = await econ.get("/api/v1/targets/2021")
    assert r.status_code == 422  # no targets in force for 2021 (from 2022)
    r = await econ.get("/api/v1/targets/2022")
    assert r.status_code == 200 and r.json()["basis"]["value"]["national_little_giant"] == 10
    t = {x["key"]: x for x in r.json()["targets"]}
    assert t["listing"]["actual"] == 0 and t["municipal_srdi"]["target"] == 30  # no listing in 2022
    assert t["national_little_giant"]["actual"] == 0 and t["national_little_giant"]["shortfall"] == 10
    assert (await suite.client("registry", role="auditor").get("/api/v1/targets/2022")).status_code == 200
    assert (await suite.client("registry", role="bank", org="B1").get("/api/v1/targets/2022")).status_code == 403
    assert (await suite.client("registry", role=None).get("/api/v1/targets/2022")).status_code == 401
    assert (await econ.get("/api/v1/targets/99")).status_code == 422
    await suite.settled()
