"""Econ's record-keeping in the portal: register an enterprise (a bad code or a duplicate said beside
the form), record a certification (its award follows), revoke one for cause (the award taken back)."""
from __future__ import annotations

from services.portal.tests.helpers import award_of
from shared.testing import make_uscc, wrong_check


async def test_econ_registers_certifies_and_revokes(portal, suite):
    u = make_uscc()
    await portal.login("econ")
    r = await portal.post("/enterprises", {"uscc": wrong_check(u), "name": "北京登记测试有限公司"}, page="/enterprises")
    assert r.status_code == 422 and 'id="reg-error"' in r.text and "北京登记测试有限公司" in r.text
    r = await portal.post("/enterprises", {"uscc": u, "name": "北京登记测试有限公司", "township": "良乡地区",
                                           "form_id": "e1"}, page="/enterprises")
    assert r.status_code == 303 and r.headers["location"] == f"/enterprises/{u}"
    got = (await suite.client("registry").get(f"/api/v1/enterprises/{u}")).json()
    assert got["name"] == "北京登记测试有限公司" and got["township"].startswith("良乡")  # as the registry names it
    r = await portal.post("/enterprises", {"uscc": u, "name": "重复登记"}, page="/enterprises")
    assert r.status_code == 422 and 'id="reg-error"' in r.text  # the registry's 409, in words

    r = await portal.post(f"/enterprises/{u}/certifications", {"tier": "", "recognized_on": ""}, page=f"/enterprises/{u}")
    assert r.status_code == 422 and 'id="cert-error"' in r.text
    r = await portal.post(f"/enterprises/{u}/certifications", {"tier": "municipal_srdi", "recognized_on": "2099-01-01"},
                          page=f"/enterprises/{u}")
    assert r.status_code == 422 and 'id="cert-error"' in r.text  # a future date: the registry refuses it
    r = await portal.post(f"/enterprises/{u}/certifications", {"tier": "municipal_srdi", "recognized_on": "2025-04-01",
                                                               "batch": "2025年第一批", "form_id": "c1"},
                          page=f"/enterprises/{u}")
    assert r.status_code == 303, r.text
    await suite.settled()
    award = await award_of(suite, u)
    assert award["state"] == "computed"
    [cert] = (await suite.client("registry").get(f"/api/v1/enterprises/{u}")).json()["certifications"]
    page = (await portal.http.get(f"/enterprises/{u}")).text
    assert "已登记认定" in page and f'action="/certifications/{cert["id"]}/revoke"' in page
    # A municipal SRDI title grants no household-registration quota: the page promises none.
    assert "该称号享有的奖励、落户指标和金融服务名单（不享有的不办理）" in page and "随之办理" not in page

    r = await portal.post(f"/certifications/{cert['id']}/revoke", {"uscc": u, "reason": "", "for_cause": "1"},
                          page=f"/enterprises/{u}")
    assert r.status_code == 422 and f'id="revoke-err-{cert["id"]}"' in r.text
    r = await portal.post(f"/certifications/{cert['id']}/revoke", {"uscc": u, "reason": "虚假申报", "for_cause": "1",
                                                                  "form_id": "r1"}, page=f"/enterprises/{u}")
    assert r.status_code == 303
    await suite.settled()
    assert (await award_of(suite, u))["state"] == "rejected"

    await portal.login("auditor")  # reads, records nothing
    assert 'id="reg-uscc"' not in (await portal.http.get("/enterprises")).text
    assert (await portal.post("/enterprises", {"uscc": make_uscc(), "name": "x"}, page="/enterprises")).status_code == 403
