"""上级项目申报: econ adds a programme, records an enterprise's application and moves it to granted with the
amount; the window closing soon lists it with its applicants still preparing, and the reminder is
sent; bad input beside its field with what was typed, outreach's refusals in words; the auditor
reads without forms, its posts 403."""
from __future__ import annotations

import datetime as dt

from services.portal.tests.helpers import promote
from services.portal.tests.test_words import no_raw_code
from shared.clock import today
from shared.testing import make_uscc


async def test_econ_takes_an_application_from_preparing_to_granted(portal, suite):
    u = make_uscc()
    await promote(suite, u, name="北京上级项目申报测试有限公司")
    name = f"北京市专精特新专项{u[-5:]}"
    opens, closes = today() - dt.timedelta(days=20), today() + dt.timedelta(days=5)
    await portal.login("econ")
    page = (await portal.http.get("/programmes")).text
    assert "登记上级项目" in page
    r = await portal.post("/programmes", {"name": name, "level": "", "authority": "北京市经信局",
                                          "window_opens": opens.isoformat(), "window_closes": closes.isoformat(),
                                          "max_wan": "五十"}, page="/programmes")
    assert r.status_code == 422 and 'id="prog-level-error"' in r.text and 'id="prog-max_wan-error"' in r.text
    assert f'value="{name}"' in r.text and 'value="五十"' in r.text
    r = await portal.post("/programmes", {"name": name, "level": "municipal", "authority": "北京市经信局",
                                          "window_opens": opens.isoformat(), "window_closes": closes.isoformat(),
                                          "max_wan": "50", "form_id": f"prog{u}"}, page="/programmes")
    assert r.status_code == 303, r.text
    path = r.headers["location"]
    pid = int(path.rsplit("/", 1)[1])
    got = (await suite.client("outreach").get(f"/api/v1/programmes/{pid}")).json()
    assert (got["level"], got["max_amount_yuan"]) == ("municipal", 500_000)

    r = await portal.post(f"{path}/applications", {"uscc": u, "requested_wan": "80"}, page=path)
    assert r.status_code == 422 and 'id="app-' in r.text and 'value="80"' in r.text  # above the maximum: outreach says so
    assert not (await suite.client("outreach").get(f"/api/v1/programmes/{pid}")).json()["applications"]
    r = await portal.post(f"{path}/applications", {"uscc": u.lower(), "requested_wan": "30", "note": "已准备材料",
                                                   "form_id": f"app{u}"}, page=path)
    assert r.status_code == 303, r.text
    app = (await suite.client("outreach").get(f"/api/v1/programmes/{pid}")).json()["applications"][0]
    assert (app["uscc"], app["stage"], app["requested_yuan"]) == (u, "preparing", 300_000)

    page = (await portal.http.get("/programmes")).text
    assert f"{name}</a>（市级），{closes.isoformat()} 截止" in page and "北京上级项目申报测试有限公司" in page
    r = await portal.post("/programmes/reminders", {}, page="/programmes")
    assert r.status_code == 303
    assert "已为" in (await portal.http.get("/programmes")).text  # the flash says what was queued

    aid = app["id"]
    r = await portal.post(f"{path}/applications/{aid}", {"stage": "granted", "granted_wan": "30"}, page=path)
    assert r.status_code == 422 and f'id="move-{aid}-error"' in r.text  # a skipped step: outreach's 409 in words
    for stage in ("submitted", "approved"):
        r = await portal.post(f"{path}/applications/{aid}", {"stage": stage}, page=path)
        assert r.status_code == 303, r.text
    r = await portal.post(f"{path}/applications/{aid}", {"stage": "granted", "granted_wan": ""}, page=path)
    assert r.status_code == 422 and "获批金额" in r.text
    r = await portal.post(f"{path}/applications/{aid}", {"stage": "granted", "granted_wan": "25"}, page=path)
    assert r.status_code == 303, r.text
    app = (await suite.client("outreach").get(f"/api/v1/programmes/{pid}")).json()["applications"][0]
    assert (app["stage"], app["granted_yuan"]) == ("granted", 250_000)
    page = (await portal.http.get(path)).text
    assert "已获支持" in page and "25 万元" in page and "北京上级项目申报测试有限公司" in page
    no_raw_code(page, path)

    await portal.login("auditor")
    page = (await portal.http.get(path)).text
    assert "已获支持" in page and "登记申报企业" not in page
    assert (await portal.post(f"{path}/applications", {"uscc": u}, page=path)).status_code == 403
    assert (await portal.post("/programmes/reminders", {}, page="/programmes")).status_code == 403
