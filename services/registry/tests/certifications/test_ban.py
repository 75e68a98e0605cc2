"""The 3-year re-application ban after a revocation for cause."""
import datetime as dt

import pytest

from services.registry.certifications import rules
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
