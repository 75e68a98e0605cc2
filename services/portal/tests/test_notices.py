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


async def test_each_delivery_is_listed_and_a_missing_address_is_recorded_from_it(portal, suite):
    """After sending: each delivery by enterprise and channel with its state and why it was skipped; econ
    records the enterprise's contact from there (prefilled, a bad phone beside the field, the rest kept),
    sends again and dispatches now; the auditor reads the deliveries, has no contact page."""
    from services.portal.tests.test_words import no_raw_code
    u = make_uscc()
    await promote(suite, u, name="北京逐条送达测试有限公司", township="窦店镇")
    out = suite.client("outreach")
    assert (await out.put(f"/api/v1/enterprises/{u}/contact", json={"wechat_openid": "oKeep"})).status_code == 200
    await portal.login("econ")
    r = await portal.post("/notices", {"programme": "2026年专精特新认定", "title": f"逐条送达{u[-4:]}", "body": "请按期申报",
                                       "window_opens": "2026-03-01", "window_closes": "2026-04-30",
                                       "target_usccs": u, "usccs": u, "townships": "窦店镇",
                                       "channels": ["inbox", "email"], "form_id": f"nd{u}"}, page="/notices")
    assert r.status_code == 303, r.text
    path = r.headers["location"]
    assert (await portal.post(path + "/send", {}, page=path)).status_code == 303
    r = await portal.post(path + "/dispatch", {}, page=path)
    assert r.status_code == 303
    page = (await portal.http.get(path)).text
    assert "逐条送达情况" in page and "已派送到期的送达" in page and "北京逐条送达测试有限公司" in page
    assert "已跳过" in page and f'href="/enterprises/{u}/contact?back={path}"' in page  # no e-mail address
    no_raw_code(page, path)

    contact = f"/enterprises/{u}/contact"
    page = (await portal.http.get(contact, params={"back": "javascript:alert(1)"})).text
    assert 'value="oKeep"' in page and "javascript:" not in page  # prefilled; a foreign link dropped
    r = await portal.post(contact, {"email": "office@example.cn", "wechat_openid": "oKeep", "phone": "12345",
                                    "back": path}, page=contact)
    assert r.status_code == 422 and 'id="contact-phone-error"' in r.text and 'value="office@example.cn"' in r.text
    r = await portal.post(contact, {"email": "office@example.cn", "wechat_openid": "oKeep", "phone": "", "back": path},
                          page=contact)
    assert r.status_code == 303 and r.headers["location"] == path
    got = (await out.get(f"/api/v1/enterprises/{u}/contact")).json()
    assert (got["email"], got["wechat_openid"], got["phone"]) == ("office@example.cn", "oKeep", None)

    await portal.login("auditor")
    assert "逐条送达情况" in (await portal.http.get(path)).text
    assert (await portal.http.get(contact)).status_code == 403
    assert (await portal.post(path + "/dispatch", {}, page=path)).status_code == 403
