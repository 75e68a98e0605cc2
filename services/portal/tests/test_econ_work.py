"""The lead bureau's hotline page (热线咨询): record a call, list it by name with its status; a missing
field is said beside the form with what was typed, 422, nothing recorded; another role cannot record
(the owning departments answer on the same page: test_hotline_answers)."""
from __future__ import annotations

from shared.testing import make_uscc


async def test_hotline_record_and_list(portal, suite):
    econ = suite.client("registry")
    u = make_uscc()
    assert (await econ.post("/api/v1/enterprises", json={"uscc": u, "name": "热线来电科技有限公司"})).status_code == 201
    await portal.login("econ")
    page = await portal.http.get("/hotline")
    assert page.status_code == 200, page.text
    assert "热线咨询" in page.text
    r = await portal.post("/hotline", data={"uscc": u, "category": "", "question": "补贴何时申报？"}, page="/hotline")
    assert r.status_code == 422 and "请填写类别" in r.text and "补贴何时申报？" in r.text
    before = (await econ.get("/api/v1/hotline-questions")).json()["items"]
    assert not [q for q in before if q.get("uscc") == u]
    r = await portal.post("/hotline", data={"uscc": u, "category": "subsidy", "question": "研发补贴何时申报？",
                                            "caller_phone": "138-1234-5678"}, page="/hotline")
    assert r.status_code in (200, 303), r.text
    page = await portal.http.get("/hotline")
    assert "热线来电科技有限公司" in page.text and "研发补贴何时申报？" in page.text and "待答复" in page.text
    assert "资金补贴" in page.text and ">subsidy<" not in page.text
    saved = [q for q in (await econ.get("/api/v1/hotline-questions")).json()["items"] if q.get("uscc") == u]
    assert len(saved) == 1 and saved[0]["department"]


async def test_hotline_recording_is_the_lead_bureaus(portal):
    await portal.login("treasury")  # the treasury answers its questions there (test_hotline_answers), records none
    page = await portal.http.get("/hotline")
    assert page.status_code == 200 and 'action="/hotline"' not in page.text
    r = await portal.post("/hotline", data={"category": "subsidy", "question": "研发补贴何时申报？"}, page="/hotline")
    assert r.status_code == 403 and "只有区经信局可以登记热线咨询" in r.text
    await portal.login("bank", "BOB")
    assert (await portal.http.get("/hotline")).status_code == 403
