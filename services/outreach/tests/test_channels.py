"""Channels that deliver: the WeChat template-message client and the SMS provider adapter against
their local simulators (token cached, refreshed before expiry and when refused; rate limits
retried; refusals given up at once), no address or no configuration → skipped, the recipients
preview, and an empty target refused."""
import datetime as dt

import httpx
import pytest
from sqlalchemy import func, select, update

from services.outreach.notices.channels import (NO_OPENID, NO_PHONE, SMS_NOT_CONFIGURED, WECHAT_NOT_CONFIGURED,
                                                SmsChannel, WeChatTemplateChannel, channels_of, default_channels)
from services.outreach.notices.errors import ChannelError
from services.outreach.notices.simulators import (SmsSim, WeChatSim, make_sms_simulator, make_wechat_simulator,
                                                  running)
from services.outreach.notices.sms import HttpSmsProvider
from services.outreach.notices.wechat import WeChatApi
from services.outreach.tables import Delivery, Notice
from services.outreach.tests.helpers import district_enterprise
from shared.settings import Settings
from shared.testing import Suite

NOTICE = {"programme": "2026年度专精特新中小企业认定", "title": "关于开展2026年度专精特新申报的通知",
          "body": "请符合条件的企业于窗口期内申报。", "window_opens": "2026-03-01", "window_closes": "2026-04-30"}
TEMPLATE = "TPL-srdi-notice"
MSG = {"touser": "oA", "template_id": TEMPLATE, "data": {"first": {"value": "x"}}}


@pytest.fixture(scope="module")
async def suite(tmp_path_factory):
    """Registry and outreach, no background dispatcher: the tests dispatch themselves."""
    s = await Suite(tmp_path_factory.mktemp("channels"), services=("registry", "outreach"),
                    background_jobs=False).start()
    yield s
    await s.stop()


@pytest.fixture
def wechat():
    sim = WeChatSim(templates={TEMPLATE})
    with running(make_wechat_simulator(sim)) as url:
        yield sim, url


@pytest.fixture
def sms():
    sim = SmsSim()
    with running(make_sms_simulator(sim)) as url:
        yield sim, url


def refused(call) -> ChannelError:
    with pytest.raises(ChannelError) as e:
        call()
    return e.value


# -- the clients against the simulators ----------------------------------------------------------
def test_wechat_token_cached_refreshed_before_expiry_and_when_refused(wechat):
    sim, url = wechat
    now = [1000.0]
    api = WeChatApi(url, sim.appid, sim.secret, clock=lambda: now[0])
    for _ in range(5):
        api.send_template(MSG)
    assert (sim.token_requests, api.token_fetches, len(sim.sent)) == (1, 1, 5)  # one token, many sends
    now[0] += 7200 - 300 - 1  # still fresh: not fetched
    api.send_template(MSG)
    assert sim.token_requests == 1
    now[0] += 2  # within five minutes of its end: fetched again before the API would refuse it
    api.send_template(MSG)
    assert sim.token_requests == 2 and sim.sends == 7
    sim.expire_tokens()  # revoked early: 42001, refreshed once, the same message sent again
    api.send_template(MSG)
    assert sim.token_requests == 3 and sim.sends == 9 and len(sim.sent) == 8
    bad = WeChatApi(url, sim.appid, "wrong-secret")
    e = refused(lambda: bad.send_template(MSG))
    assert not e.permanent and "40125" in str(e) and "wrong-secret" not in str(e)


def test_wechat_errors_retry_or_give_up(wechat):
    sim, url = wechat
    api = WeChatApi(url, sim.appid, sim.secret)
    sim.rate_limit_next, sim.busy_next = 1, 1
    assert not (e := refused(lambda: api.send_template(MSG))).permanent and "45009" in str(e)
    assert not (e := refused(lambda: api.send_template(MSG))).permanent and "-1" in str(e)
    sim.refuse.update({"oNotFollowing": 43004, "oBad": 40003})
    for openid, code in (("oNotFollowing", 43004), ("oBad", 40003)):
        e = refused(lambda: api.send_template({**MSG, "touser": openid}))  # noqa: B023 - called at once
        assert e.permanent and str(code) in str(e)
    e = refused(lambda: api.send_template({**MSG, "template_id": "placeholder"}))
    assert e.permanent and "40037" in str(e)
    assert api.token_fetches == 1 and sim.sent == []
    gateway = httpx.Client(base_url="http://wx", transport=httpx.MockTransport(lambda r: httpx.Response(502)))
    assert not refused(lambda: WeChatApi("http://wx", "a", "s", client=gateway).send_template(MSG)).permanent
    down = WeChatApi("http://127.0.0.1:9", "a", "s", timeout_s=2)  # nothing listens: a network error
    assert not refused(lambda: down.send_template(MSG)).permanent


def test_sms_provider_codes(sms):
    sim, url = sms
    p = HttpSmsProvider(url, sim.api_key, "SRDI_NOTICE")
    assert p.send("13800138000", {"title": "t"}, "k1") == "sim-1"
    assert sim.sent[0] == {"phone": "13800138000", "template": "SRDI_NOTICE", "params": {"title": "t"},
                           "client_msg_id": "k1"}
    sim.rate_limit_next, sim.fail_next = 1, 1
    assert not (e := refused(lambda: p.send("13800138000", {}, "k"))).permanent and "1001" in str(e)
    assert not refused(lambda: p.send("13800138000", {}, "k")).permanent  # 503
    sim.refuse["13900000000"] = 1003
    assert refused(lambda: p.send("13900000000", {}, "k")).permanent
    assert refused(lambda: p.send("12345", {}, "k")).permanent  # 1002 invalid number
    assert refused(lambda: HttpSmsProvider(url, sim.api_key, "NOPE").send("13800138000", {}, "k")).permanent
    assert not refused(lambda: HttpSmsProvider(url, "wrong", "SRDI_NOTICE").send("13800138000", {}, "k")).permanent
    assert len(sim.sent) == 1


def test_channels_without_settings_are_not_configured():
    plain = default_channels(Settings())
    assert plain["wechat"].transport is None and plain["sms"].provider is None
    configured = default_channels(Settings(wechat_appid="wx1", wechat_secret="s", wechat_template_id=TEMPLATE,
                                           sms_api_url="http://sms", sms_api_key="k", sms_template="T"))
    assert configured["wechat"].template_id == TEMPLATE and configured["sms"].provider.template == "T"


# -- deliveries through the dispatcher ---------------------------------------------------------
def due_now(suite, notice_id):
    with suite.db("outreach").transaction() as s:
        s.execute(update(Delivery).where(Delivery.notice_id == notice_id, Delivery.state == "failed")
                  .values(next_attempt_at=dt.datetime(2000, 1, 1)))


async def states(econ, notice_id) -> dict:
    r = await econ.get(f"/api/v1/notices/{notice_id}/deliveries")
    assert r.status_code == 200, r.text
    return {(d["uscc"], d["channel"]): d for d in r.json()["items"]}


@pytest.fixture
def live_channels(suite, wechat, sms):
    """Outreach's WeChat and SMS channels pointed at the simulators."""
    channels = channels_of(suite.apps["outreach"])
    before = dict(channels)
    (wsim, wurl), (ssim, surl) = wechat, sms
    api = WeChatApi(wurl, wsim.appid, wsim.secret)
    channels["wechat"] = WeChatTemplateChannel(api.send_template, TEMPLATE)
    channels["sms"] = SmsChannel(HttpSmsProvider(surl, ssim.api_key, "SRDI_NOTICE"))
    yield wsim, ssim
    channels.update(before)


async def test_wechat_and_sms_deliveries_through_the_simulators(suite, live_channels):
    wsim, ssim = live_channels
    econ = suite.client("outreach")
    a, b, c = sorted([await district_enterprise(suite) for _ in range(3)])
    await econ.put(f"/api/v1/enterprises/{a}/contact", json={"wechat_openid": "oA", "phone": "13800138001"})
    await econ.put(f"/api/v1/enterprises/{b}/contact", json={"wechat_openid": "oB", "phone": "13800138002"})
    wsim.refuse["oB"], ssim.refuse["13800138002"] = 43004, 1002
    n = (await econ.post("/api/v1/notices", json={**NOTICE, "target": {"usccs": [a, b, c]},
                                                  "channels": ["wechat", "sms"]})).json()
    # The preview: who would be reached and who skipped, nothing sent or queued.
    p = (await econ.get(f"/api/v1/notices/{n['id']}/preview")).json()
    assert p["enterprises"] == 3 and p["channels"] == {"wechat": {"send": 2, "skip": 1, "queued": 0},
                                                       "sms": {"send": 2, "skip": 1, "queued": 0}}
    skips = {(i["uscc"], i["channel"]): i["reason"] for i in p["items"] if i["outcome"] == "skip"}
    assert skips == {(c, "wechat"): NO_OPENID, (c, "sms"): NO_PHONE}
    assert (wsim.sends, ssim.sends) == (0, 0) and not await states(econ, n["id"])
    # Send: the first WeChat and SMS sends meet a rate limit; b is refused for good; c has no address.
    wsim.rate_limit_next = ssim.rate_limit_next = 1
    assert (await econ.post(f"/api/v1/notices/{n['id']}/send")).json()["queued"] == 6
    r = (await econ.post(f"/api/v1/notices/{n['id']}/dispatch")).json()
    assert r == {"claimed": 6, "failed": 2, "abandoned": 2, "skipped": 2}
    got = await states(econ, n["id"])
    assert {k: d["state"] for k, d in got.items()} == {
        (a, "wechat"): "failed", (a, "sms"): "failed", (b, "wechat"): "abandoned", (b, "sms"): "abandoned",
        (c, "wechat"): "skipped", (c, "sms"): "skipped"}
    assert "45009" in got[(a, "wechat")]["last_error"] and "1001" in got[(a, "sms")]["last_error"]
    assert "43004" in got[(b, "wechat")]["last_error"] and got[(b, "wechat")]["attempts"] == 1
    assert "1002" in got[(b, "sms")]["last_error"]
    assert got[(c, "wechat")]["last_error"] == NO_OPENID and got[(c, "wechat")]["attempts"] == 0
    assert got[(c, "sms")]["last_error"] == NO_PHONE and got[(c, "sms")]["next_attempt_at"] is None
    assert wsim.token_requests == 1
    # Not yet due: nothing. Due, with the token revoked meanwhile: refreshed once, then delivered.
    assert (await econ.post(f"/api/v1/notices/{n['id']}/dispatch")).json()["claimed"] == 0
    wsim.expire_tokens()
    due_now(suite, n["id"])
    assert (await econ.post(f"/api/v1/notices/{n['id']}/dispatch")).json() == {"claimed": 2, "sent": 2}
    got = await states(econ, n["id"])
    assert got[(a, "wechat")]["state"] == got[(a, "sms")]["state"] == "sent"
    assert got[(a, "wechat")]["attempts"] == 2 and wsim.token_requests == 2
    assert [m["touser"] for m in wsim.sent] == ["oA"] and [m["phone"] for m in ssim.sent] == ["13800138001"]
    assert wsim.sent[0]["template_id"] == TEMPLATE and wsim.sent[0]["client_msg_id"] == f"notice-{n['id']}-{a}-wechat"
    # Given up and skipped are not retried; a re-dispatch sends nothing.
    due_now(suite, n["id"])
    assert (await econ.post(f"/api/v1/notices/{n['id']}/dispatch")).json()["claimed"] == 0
    assert (len(wsim.sent), len(ssim.sent), wsim.sends) == (1, 1, 4)
    # c binds WeChat: the preview shows it, a resend queues its skipped deliveries, the WeChat one goes out.
    await econ.put(f"/api/v1/enterprises/{c}/contact", json={"wechat_openid": "oC"})
    p = (await econ.get(f"/api/v1/notices/{n['id']}/preview")).json()
    assert p["channels"] == {"wechat": {"send": 1, "skip": 0, "queued": 2}, "sms": {"send": 0, "skip": 1, "queued": 2}}
    assert (await econ.post(f"/api/v1/notices/{n['id']}/send")).json()["requeued"] == 2
    assert (await econ.post(f"/api/v1/notices/{n['id']}/dispatch")).json() == {"claimed": 2, "sent": 1, "skipped": 1}
    assert [m["touser"] for m in wsim.sent] == ["oA", "oC"] and wsim.token_requests == 2
    detail = (await econ.get(f"/api/v1/notices/{n['id']}")).json()
    assert detail["deliveries"] == {"wechat": {"sent": 2, "abandoned": 1}, "sms": {"sent": 1, "abandoned": 1,
                                                                                  "skipped": 1}}


async def test_channels_not_configured_are_skipped_not_retried(suite):
    channels = channels_of(suite.apps["outreach"])
    before = dict(channels)
    channels["wechat"], channels["sms"] = WeChatTemplateChannel(), SmsChannel()  # the suite's settings have none
    try:
        econ = suite.client("outreach")
        u = await district_enterprise(suite)
        await econ.put(f"/api/v1/enterprises/{u}/contact", json={"wechat_openid": "oU", "phone": "13800138009"})
        n = (await econ.post("/api/v1/notices", json={**NOTICE, "target": {"usccs": [u]},
                                                      "channels": ["inbox", "wechat", "sms"]})).json()
        p = (await econ.get(f"/api/v1/notices/{n['id']}/preview")).json()
        assert {i["channel"]: i["reason"] for i in p["items"]} == {
            "inbox": None, "wechat": WECHAT_NOT_CONFIGURED, "sms": SMS_NOT_CONFIGURED}
        await econ.post(f"/api/v1/notices/{n['id']}/send")
        assert (await econ.post(f"/api/v1/notices/{n['id']}/dispatch")).json() == {
            "claimed": 3, "sent": 1, "skipped": 2}
        due_now(suite, n["id"])
        assert (await econ.post(f"/api/v1/notices/{n['id']}/dispatch")).json()["claimed"] == 0
        got = await states(econ, n["id"])
        assert got[(u, "wechat")]["state"] == "skipped" and "not configured" in got[(u, "wechat")]["last_error"]
        assert got[(u, "sms")]["state"] == "skipped" and got[(u, "sms")]["attempts"] == 0
    finally:
        channels.update(before)


def notices(suite) -> int:
    with suite.db("outreach").reader() as s:
        return s.scalar(select(func.count()).select_from(Notice))


async def test_an_empty_target_is_refused_and_everyone_only_when_asked(suite):
    econ = suite.client("outreach")
    u = await district_enterprise(suite)
    before = notices(suite)
    for body in (NOTICE, {**NOTICE, "target": {}}, {**NOTICE, "target": {"tiers": [], "usccs": []}}):
        r = await econ.post("/api/v1/notices", json=body)
        assert r.status_code == 422 and r.json()["type"].endswith("empty-target"), r.text
        assert "通知对象为空" in r.json()["detail_zh"] and "empty" in r.json()["detail_en"]
    r = await econ.post("/api/v1/notices", json={**NOTICE, "target": {"audience": "all", "usccs": [u]}})
    assert r.status_code == 422
    assert notices(suite) == before
    r = await econ.post("/api/v1/notices", json={**NOTICE, "target": {"audience": "all"}})
    assert r.status_code == 201 and r.json()["target"]["audience"] == "all"
    p = (await econ.get(f"/api/v1/notices/{r.json()['id']}/preview")).json()
    assert p["audience"] == "all" and p["enterprises"] >= 1 and u in {i["uscc"] for i in p["items"]}
    # A draft written before empty targets were refused is neither sent nor previewed.
    with suite.db("outreach").transaction() as s:
        old = Notice(**{k: v for k, v in NOTICE.items() if not k.startswith("window")},
                     window_opens=dt.date(2026, 3, 1), window_closes=dt.date(2026, 4, 30),
                     target={"tiers": [], "townships": []}, channels=["inbox"], created_by="econ:-:old")
        s.add(old)
        s.flush()
        old_id = old.id
    for r in (await econ.post(f"/api/v1/notices/{old_id}/send"), await econ.get(f"/api/v1/notices/{old_id}/preview")):
        assert r.status_code == 422 and r.json()["type"].endswith("empty-target")
    assert not await states(econ, old_id)
    # Preview is a reader's: 403 for others, 404 for an unknown notice.
    assert (await suite.client("outreach", role="treasury").get(f"/api/v1/notices/{old_id}/preview")).status_code == 403
    assert (await econ.get("/api/v1/notices/2147483647/preview")).status_code == 404
    assert (await econ.put(f"/api/v1/enterprises/{u}/contact", json={"phone": "12345"})).status_code == 422
