"""Policy notices: targeting, the inbox, e-mail over SMTP, a WeChat adapter, retries with back-off,
read status, and no duplicates on resend or re-dispatch."""
import asyncio
import datetime as dt

import pytest
from sqlalchemy import update

from services.outreach import rules
from services.outreach.notices import dispatch as jobs
from services.outreach.notices.channels import EmailChannel, WeChatTemplateChannel, channels_of
from shared.settings import Settings
from services.outreach.tables import Delivery
from services.outreach.tests.helpers import district_enterprise
from services.outreach.tests.smtpsink import SmtpSink
from shared.db import utcnow
from shared.params import Param
from shared.testing import make_uscc, wrong_check

NOTICE = {"programme": "2026年度专精特新中小企业认定", "title": "关于开展2026年度专精特新申报的通知",
          "body": "请符合条件的企业于窗口期内申报。", "window_opens": "2026-03-01", "window_closes": "2026-04-30",
          "criteria_url": "https://jxj.bjfsh.gov.cn/srdi/2026"}


@pytest.fixture
async def sink(suite):
    s = await SmtpSink().start()
    channels = channels_of(suite.apps["outreach"])
    before = channels["email"]
    channels["email"] = EmailChannel(Settings(smtp_host="127.0.0.1", smtp_port=s.port, smtp_timeout_s=5))
    yield s
    channels["email"] = before
    await s.stop()


def test_backoff_doubles_and_caps():
    ps = {k: Param(1, k, v, dt.date(2022, 1, 1), "t") for k, v in
          {"outreach.notice.retry_base_s": 60, "outreach.notice.retry_max_s": 300,
           "outreach.notice.max_attempts": 3}.items()}
    assert [rules.backoff(n, ps).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 300]
    assert not rules.gives_up(2, ps) and rules.gives_up(3, ps)
    assert rules.targeted({"tiers": ["sme"], "townships": []}, {"tier": "sme", "township": "x"})
    assert not rules.targeted({"tiers": ["sme"], "townships": ["窦店镇"]}, {"tier": "sme", "township": "x"})


def due_now(suite, notice_id):
    """Make failed deliveries due (as if the back-off had passed)."""
    with suite.db("outreach").transaction() as s:
        s.execute(update(Delivery).where(Delivery.notice_id == notice_id, Delivery.state == "failed")
                  .values(next_attempt_at=dt.datetime(2000, 1, 1)))


async def deliveries(econ, notice_id, **params):
    r = await econ.get(f"/api/v1/notices/{notice_id}/deliveries", params=params)
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def test_notice_validation_and_auth(suite):
    econ = suite.client("outreach")
    for bad in ({**NOTICE, "window_closes": "2026-01-01"}, {**NOTICE, "channels": ["fax"]},
                {**NOTICE, "channels": []}, {**NOTICE, "criteria_url": "javascript:alert(1)"},
                {**NOTICE, "target": {"tiers": "sme"}}, {**NOTICE, "target": {"usccs": ["bad"]}}):
        r = await econ.post("/api/v1/notices", json=bad)
        assert r.status_code == 422, (bad, r.text)
    assert (await suite.client("outreach", role="platform").post("/api/v1/notices", json=NOTICE)).status_code == 403
    assert (await suite.client("outreach", role=None).post("/api/v1/notices/1/send")).status_code == 401
    assert (await econ.post("/api/v1/notices/2147483647/send")).status_code == 404
    assert (await econ.post("/api/v1/notices/2147483647/dispatch")).status_code == 404
    r = await econ.put("/api/v1/enterprises/911101110000000000/contact", json={"email": "a@b.cn"})
    assert r.status_code == 422
    u = await district_enterprise(suite)
    assert (await econ.put(f"/api/v1/enterprises/{u}/contact", json={"email": "not-an-email"})).status_code == 422


async def test_targeted_delivery_over_inbox_and_email_without_duplicates(suite, sink):
    econ = suite.client("outreach")
    township = "霞云岭乡"  # a unit of the registry's township list no other test here uses
    a = await district_enterprise(suite, township=township, tier=("municipal_srdi", "2025-01-10"))
    b = await district_enterprise(suite, township=township)
    await district_enterprise(suite, township="蒲洼乡")
    await econ.put(f"/api/v1/enterprises/{a}/contact", json={"email": "boss@a.example.cn"})
    n = (await econ.post("/api/v1/notices", json={**NOTICE, "target": {"townships": [township]},
                                                  "channels": ["inbox", "email", "inbox"]})).json()
    assert n["channels"] == ["inbox", "email"]
    r = await econ.post(f"/api/v1/notices/{n['id']}/send")
    assert r.json() == {"notice_id": n["id"], "enterprises": 2, "queued": 4, "already_queued": 0, "requeued": 0}
    r = await econ.post(f"/api/v1/notices/{n['id']}/dispatch")
    assert r.status_code == 200, r.text
    got = {(d["uscc"], d["channel"]): d for d in await deliveries(econ, n["id"])}
    assert len(got) == 4
    assert got[(a, "inbox")]["state"] == got[(b, "inbox")]["state"] == got[(a, "email")]["state"] == "sent"
    # No address: skipped with the reason, not retried.
    assert got[(b, "email")]["state"] == "skipped" and "e-mail" in got[(b, "email")]["last_error"]
    assert got[(b, "email")]["attempts"] == 0
    assert len(sink.messages) == 1
    m = sink.messages[0]
    assert m["To"] == "boss@a.example.cn" and m["Message-ID"] == f"<notice-{n['id']}-{a}-email@srdi.fangshan.gov.cn>"
    assert "窗口" in m.get_content() or "申报时间" in m.get_content()
    # Resending and re-dispatching send nothing twice.
    due_now(suite, n["id"])
    await econ.post(f"/api/v1/notices/{n['id']}/dispatch")  # nothing due: the skipped one is not retried
    r = await econ.post(f"/api/v1/notices/{n['id']}/send")
    assert r.json()["queued"] == 0 and r.json()["already_queued"] == 4 and r.json()["requeued"] == 1
    await econ.post(f"/api/v1/notices/{n['id']}/dispatch")  # still no address: skipped again, a's not resent
    assert len(sink.messages) == 1
    # b gets an address: a resend queues its skipped e-mail again, which goes out once.
    await econ.put(f"/api/v1/enterprises/{b}/contact", json={"email": "b@b.example.cn"})
    assert (await econ.post(f"/api/v1/notices/{n['id']}/send")).json()["requeued"] == 1
    await econ.post(f"/api/v1/notices/{n['id']}/dispatch")
    await econ.post(f"/api/v1/notices/{n['id']}/dispatch")
    assert sorted(x["To"] for x in sink.messages) == ["b@b.example.cn", "boss@a.example.cn"]
    # The inbox and read status.
    inbox = (await econ.get(f"/api/v1/enterprises/{a}/inbox")).json()["items"]
    assert [(i["notice"]["id"], i["state"], i["read_at"]) for i in inbox] == [(n["id"], "sent", None)]
    # The enterprise signed in reads its own inbox; another's is empty to it, the district's lists closed.
    own = suite.client("outreach", role="enterprise", org=a)
    assert [i["notice"]["id"] for i in (await own.get(f"/api/v1/enterprises/{a}/inbox")).json()["items"]] == [n["id"]]
    assert (await own.get(f"/api/v1/enterprises/{b}/inbox")).json()["items"] == []
    assert (await own.get(f"/api/v1/notices/{n['id']}")).status_code == 403
    platform = suite.client("outreach", role="platform")
    r = await platform.post(f"/api/v1/notices/{n['id']}/read/{a}")
    assert r.status_code == 200 and all(d["read_at"] for d in r.json()["items"])
    detail = (await econ.get(f"/api/v1/notices/{n['id']}")).json()
    assert detail["deliveries"]["inbox"] == {"sent": 2, "read": 1}
    assert (await platform.post(f"/api/v1/notices/{n['id']}/read/{wrong_check(b)}")).status_code == 422
    assert (await platform.post(f"/api/v1/notices/{n['id']}/read/{make_uscc()}")).status_code == 404
    # A newly registered enterprise in the township is reached by a resend, the others are not.
    c = await district_enterprise(suite, township=township)
    r = await econ.post(f"/api/v1/notices/{n['id']}/send")
    assert r.json()["queued"] == 2 and r.json()["enterprises"] == 3
    await econ.post(f"/api/v1/notices/{n['id']}/dispatch")
    assert len(sink.messages) == 2
    assert {(d["uscc"], d["channel"]) for d in await deliveries(econ, n["id"], state="sent")} >= {
        (c, "inbox"), (a, "email"), (b, "email")}


async def test_smtp_failure_is_visible_retried_with_backoff_and_abandoned(suite, sink):
    econ = suite.client("outreach")
    u = await district_enterprise(suite)
    await econ.put(f"/api/v1/enterprises/{u}/contact", json={"email": "x@y.cn"})
    n = (await econ.post("/api/v1/notices", json={**NOTICE, "target": {"usccs": [u]}, "channels": ["email"]})).json()
    await econ.post(f"/api/v1/notices/{n['id']}/send")
    sink.fail_next = 1
    await econ.post(f"/api/v1/notices/{n['id']}/dispatch")
    [d] = await deliveries(econ, n["id"])
    assert d["state"] == "failed" and d["attempts"] == 1 and "451" in d["last_error"]
    wait = dt.datetime.fromisoformat(d["next_attempt_at"].rstrip("Z")) - dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert 30 < wait.total_seconds() <= 60  # outreach.notice.retry_base_s
    await econ.post(f"/api/v1/notices/{n['id']}/dispatch")  # not yet due: nothing happens
    assert (await deliveries(econ, n["id"]))[0]["attempts"] == 1
    due_now(suite, n["id"])
    await econ.post(f"/api/v1/notices/{n['id']}/dispatch")
    [d] = await deliveries(econ, n["id"])
    assert d["state"] == "sent" and d["attempts"] == 2 and d["last_error"] is None
    assert len(sink.messages) == 1
    # A server that never answers: abandoned after outreach.notice.max_attempts.
    n2 = (await econ.post("/api/v1/notices", json={**NOTICE, "target": {"usccs": [u]}, "channels": ["email"]})).json()
    await econ.post(f"/api/v1/notices/{n2['id']}/send")
    sink.fail_next = 100
    for _ in range(6):
        due_now(suite, n2["id"])
        await econ.post(f"/api/v1/notices/{n2['id']}/dispatch")
    [d] = await deliveries(econ, n2["id"])
    assert d["state"] == "abandoned" and d["attempts"] == 5
    sink.fail_next = 0


async def test_wechat_adapter_behind_the_interface(suite):
    econ = suite.client("outreach")
    u = await district_enterprise(suite)
    channels = channels_of(suite.apps["outreach"])
    n = (await econ.post("/api/v1/notices", json={**NOTICE, "target": {"usccs": [u]}, "channels": ["wechat"]})).json()
    await econ.post(f"/api/v1/notices/{n['id']}/send")
    await econ.post(f"/api/v1/notices/{n['id']}/dispatch")
    [d] = await deliveries(econ, n["id"])  # the suite has no WeChat settings: skipped, not retried
    assert d["state"] == "skipped" and "not configured" in d["last_error"] and d["attempts"] == 0
    sent = []
    before = channels["wechat"]
    channels["wechat"] = WeChatTemplateChannel(transport=sent.append, template_id="TPL-notice")
    try:
        await econ.post(f"/api/v1/notices/{n['id']}/send")  # a resend queues the skipped delivery again
        await econ.post(f"/api/v1/notices/{n['id']}/dispatch")
        [d] = await deliveries(econ, n["id"])
        assert d["state"] == "skipped" and "openid" in d["last_error"]
        await econ.put(f"/api/v1/enterprises/{u}/contact", json={"wechat_openid": "oWX-123"})
        await econ.post(f"/api/v1/notices/{n['id']}/send")
        await econ.post(f"/api/v1/notices/{n['id']}/dispatch")
        await econ.post(f"/api/v1/notices/{n['id']}/dispatch")
    finally:
        channels["wechat"] = before
    [d] = await deliveries(econ, n["id"])
    assert d["state"] == "sent" and d["attempts"] == 1 and sent[0]["template_id"] == "TPL-notice"
    assert len(sent) == 1 and sent[0]["touser"] == "oWX-123"
    assert sent[0]["client_msg_id"] == f"notice-{n['id']}-{u}-wechat"


def expire_leases(suite, notice_id):
    """Let the lease of deliveries left `sending` run out (as outreach.notice.lease_s later)."""
    with suite.db("outreach").transaction() as s:
        s.execute(update(Delivery).where(Delivery.notice_id == notice_id, Delivery.state == "sending")
                  .values(next_attempt_at=dt.datetime(2000, 1, 1)))


@pytest.fixture
async def quiet(tmp_path):
    """Registry and outreach with no background dispatcher: the test is the only one dispatching."""
    from shared.testing import Suite
    suite = await Suite(tmp_path, services=("registry", "outreach"), background_jobs=False).start()
    yield suite
    await suite.stop()


async def test_a_crash_mid_dispatch_sends_nothing_twice(quiet):
    """A dispatcher that dies after claiming (or after the SMTP server's 250 but before recording
    it) leaves its deliveries `sending`: nothing touches them until the lease runs out, then each
    goes out once more — the e-mail with the same Message-ID — and never again."""
    suite = quiet
    sink = await SmtpSink().start()
    channels_of(suite.apps["outreach"])["email"] = EmailChannel(
        Settings(smtp_host="127.0.0.1", smtp_port=sink.port, smtp_timeout_s=5))
    try:
        await _crash_mid_dispatch(suite, sink)
    finally:
        await sink.stop()


async def _crash_mid_dispatch(suite, sink):
    econ = suite.client("outreach")
    u = await district_enterprise(suite)
    await econ.put(f"/api/v1/enterprises/{u}/contact", json={"email": "crash@u.example.cn"})
    n = (await econ.post("/api/v1/notices", json={**NOTICE, "target": {"usccs": [u]},
                                                  "channels": ["inbox", "email"]})).json()
    assert (await econ.post(f"/api/v1/notices/{n['id']}/send")).json()["queued"] == 2
    app = suite.apps["outreach"]
    claimed, _ = await asyncio.to_thread(jobs._claim, app.state.db, utcnow(), n["id"])
    assert sorted(ch for _, _, ch in claimed) == ["email", "inbox"]
    [email_msg] = [m for _, m, ch in claimed if ch == "email"]
    # The SMTP server took it (the sink runs on this loop, so send from a thread); then the process died.
    await asyncio.to_thread(channels_of(app)["email"].send, email_msg)
    assert len(sink.messages) == 1
    # Within the lease: a resend queues nothing, a dispatch claims nothing.
    r = (await econ.post(f"/api/v1/notices/{n['id']}/send")).json()
    assert (r["queued"], r["already_queued"]) == (0, 2)
    assert (await econ.post(f"/api/v1/notices/{n['id']}/dispatch")).json()["claimed"] == 0
    assert {d["state"] for d in await deliveries(econ, n["id"])} == {"sending"}
    # The lease runs out: claimed again and settled once.
    expire_leases(suite, n["id"])
    r = (await econ.post(f"/api/v1/notices/{n['id']}/dispatch")).json()
    assert (r["claimed"], r.get("sent")) == (2, 2)
    got = {d["channel"]: d for d in await deliveries(econ, n["id"])}
    assert {ch: (d["state"], d["attempts"]) for ch, d in got.items()} == {"inbox": ("sent", 2), "email": ("sent", 2)}
    # The one re-sent e-mail carries the same Message-ID, for the mail system to de-duplicate.
    assert [m["Message-ID"] for m in sink.messages] == [f"<notice-{n['id']}-{u}-email@srdi.fangshan.gov.cn>"] * 2
    # Sent is final: neither a resend, nor a re-dispatch, nor an expired-looking row sends again.
    expire_leases(suite, n["id"])
    await econ.post(f"/api/v1/notices/{n['id']}/send")
    assert (await econ.post(f"/api/v1/notices/{n['id']}/dispatch")).json()["claimed"] == 0
    assert len(sink.messages) == 2
    inbox = (await econ.get(f"/api/v1/enterprises/{u}/inbox")).json()["items"]
    assert [i["notice_id"] for i in inbox] == [n["id"]]
    assert (await econ.get("/api/v1/notices/2147483647/deliveries")).status_code == 404
