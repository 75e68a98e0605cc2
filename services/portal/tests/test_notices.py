"""Econ's policy notices in the portal: a draft with a target (a missing field and an empty target
said beside the form), the recipients preview with who is skipped and why, then sent."""
from __future__ import annotations

from services.portal.tests.helpers import promote
from shared.testing import make_uscc


async def test_econ_drafts_previews_and_sends_a_notice(portal, suite):
    u = make_uscc()
    await promote(suite, u, name="北京通知对象测试有限公司", township="长阳镇")
    await portal.login("econ")
    page = (await portal.http.get("/notices")).text
    assert "起草通知" in page and 'name="channels"' in page
    base = {"programme": "2026年专精特新认定", "title": "申报通知", "body": "请按期申报", "window_opens": "2026-03-01",
            "window_closes": "2026-04-30", "channels": "inbox"}
    r = await portal.post("/notices", {**base, "title": ""}, page="/notices")
    assert r.status_code == 422 and 'id="notice-error"' in r.text and "标题" in r.text
    r = await portal.post("/notices", base, page="/notices")  # no target at all: outreach refuses an empty one
    assert r.status_code == 422 and 'id="notice-error"' in r.text
    r = await portal.post("/notices", {**base, "townships": "长阳镇", "channels": ["inbox", "email"], "form_id": "n1"},
                          page="/notices")
    assert r.status_code == 303, r.text
    path = r.headers["location"]
    page = (await portal.http.get(path)).text
    assert "通知对象预览" in page and "北京通知对象测试有限公司" in page and "将跳过" in page  # no e-mail address
    r = await portal.post(path + "/send", {}, page=path)
    assert r.status_code == 303
    page = (await portal.http.get(path)).text
    assert "通知已发送" in page and "已发送（" in page
    await portal.login("auditor")
    assert "确认发送" not in (await portal.http.get(path)).text and "再次发送" not in (await portal.http.get(path)).text
