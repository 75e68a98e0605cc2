"""An enterprise's contact (where notices reach it) is read back by the bureau and the enterprise portal
before a change, so a change of one field keeps the others (PUT replaces all three); personal data,
so no other role reads it."""
from __future__ import annotations

from services.outreach.tests.helpers import district_enterprise
from shared.testing import make_uscc


async def test_the_contact_reads_back_and_only_for_the_bureau_and_the_portal(suite):
    econ = suite.client("outreach")
    u = await district_enterprise(suite)
    got = (await econ.get(f"/api/v1/enterprises/{u}/contact")).json()
    assert (got["uscc"], got["email"], got["wechat_openid"], got["phone"]) == (u, None, None, None)
    r = await econ.put(f"/api/v1/enterprises/{u}/contact", json={"email": "office@example.cn", "phone": "13800138000"})
    assert r.status_code == 200, r.text
    got = (await suite.client("outreach", role="platform").get(f"/api/v1/enterprises/{u}/contact")).json()
    assert (got["email"], got["phone"], got["wechat_openid"]) == ("office@example.cn", "13800138000", None)
    for role in ("auditor", "treasury", "finance"):
        assert (await suite.client("outreach", role=role).get(f"/api/v1/enterprises/{u}/contact")).status_code == 403
    r = await econ.get(f"/api/v1/enterprises/{make_uscc()}/contact")  # not in the registry: the path names none
    assert r.status_code == 404 and r.json()["detail_zh"]
