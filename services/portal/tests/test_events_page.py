"""事件与死信 (issue 17: every service's event admin in the portal): each service's backlog and dead
letters, the event named in Chinese; econ replays one (a still-broken event stays a dead letter and
says so; one whose cause has passed is handled, once) and a service's whole stream after a
confirmation; the auditor reads without the buttons; other roles are refused."""
from __future__ import annotations

import datetime as dt
import re

import orjson
from sqlalchemy import func, select

from services.portal.tests.test_words import no_raw_code
from shared.clock import today
from shared.events import new_event
from shared.tables import DeadLetter
from shared.testing import make_uscc


def letters(suite, event_id: str) -> int:
    with suite.db("awards").reader() as s:
        return s.scalar(select(func.count()).select_from(DeadLetter).where(DeadLetter.event_id == event_id))


async def test_dead_letters_are_seen_named_and_replayed(portal, suite):
    js = suite.apps["awards"].state.bus.js  # a promotion without its record: the awards handler cannot apply it
    bad = new_event("registry", "enterprise.promoted.v1", "X", {"uscc": make_uscc(), "to_tier": "municipal_srdi"})
    await js.publish(bad.nats_subject, orjson.dumps(bad.envelope()), headers={"Nats-Msg-Id": bad.id})
    await suite.wait_for(lambda: letters(suite, bad.id) == 1, "the dead letter", timeout=30)
    status = (await suite.client("awards").get("/api/v1/admin/events")).json()
    letter = next(d for d in status["dead_letters"] if d["event_id"] == bad.id)

    await portal.login("econ")
    page = await portal.http.get("/events")
    assert page.status_code == 200, page.text
    html = page.text
    assert "事件与死信" in (await portal.http.get("/")).text
    for name in ("企业库服务", "奖励服务", "人才服务", "金融服务", "园区服务"):
        assert f'<th scope="row">{name}</th>' in html
    row = html[html.index(f'id="letter-awards-{letter["id"]}"'):]
    row = row[:row.index("</tr>")]
    assert "企业晋级" in row and bad.id in row and f'action="/events/awards/{letter["id"]}/replay"' in row
    assert "srdi.registry" not in row  # the event by its name, not its subject
    no_raw_code(html, "/events")

    # Still broken: the replay fails, it stays a dead letter, and the page says why.
    r = await portal.post(f"/events/awards/{letter['id']}/replay", {}, page="/events")
    assert r.status_code == 303 and r.headers["location"] == "/events#svc-awards", r.text
    html = (await portal.http.get("/events")).text
    assert f"奖励服务死信 {letter['id']} 未重放成功" in html and letters(suite, bad.id) == 1
    assert f'action="/events/awards/{letter["id"]}/replay"' in html  # still to be handled

    await portal.login("auditor")
    html = (await portal.http.get("/events")).text
    assert f'id="letter-awards-{letter["id"]}"' in html and "/replay" not in html and "待处理" in html
    r = await portal.post(f"/events/awards/{letter['id']}/replay", {}, page="/events")
    assert r.status_code == 403 and "只有区经信局" in r.text

    for role in ("treasury", "talent"):
        await portal.login(role)
        r = await portal.http.get("/events")
        assert r.status_code == 403 and "无权访问" in r.text, role


# -- a dead letter whose cause has passed, replayed from the page (issue 17) ---------------------
def talent_letters(suite, event_id: str) -> list[DeadLetter]:
    with suite.db("talent").reader() as s:
        return list(s.scalars(select(DeadLetter).where(DeadLetter.event_id == event_id)))


def backlog_row(html: str, service: str) -> str:
    row = html[html.index(f'<tr id="row-{service}">'):]
    return row[:row.index("</tr>")]


async def test_a_dead_letter_whose_cause_has_passed_is_replayed_once(portal, suite, monkeypatch):
    """Talent grants no quota ahead of a title's date: a promotion dated tomorrow (the registry
    refuses such dates; a clock ahead elsewhere could still send one) fails and becomes a dead letter,
    by design to be replayed once the date has come. The next day econ replays it from the page: it
    leaves the letters to be handled, and its quotas are granted exactly once — a second replay and
    a redelivery of the same event change nothing."""
    import services.talent.handlers as talent_handlers
    from services.talent.tests.support import granted, handled, outbox, promotion, publish
    tomorrow = today() + dt.timedelta(days=1)
    uscc = make_uscc()
    event = promotion(uscc, "national_little_giant", tomorrow.isoformat())
    await publish(suite, event)
    await suite.wait_for(lambda: len(talent_letters(suite, event.id)) == 1, "the promotion's dead letter",
                         timeout=30)
    [letter] = talent_letters(suite, event.id)
    assert "after today" in letter.error and await granted(suite, uscc) == {}

    await portal.login("econ")
    html = (await portal.http.get("/events")).text
    row = html[html.index(f'id="letter-talent-{letter.id}"'):]
    row = row[:row.index("</tr>")]
    assert "企业晋级" in row and f'action="/events/talent/{letter.id}/replay"' in row
    open_before = int(re.findall(r'<td class="n">(\d+)</td>', backlog_row(html, "talent"))[1])
    assert open_before >= 1

    # The date has come (the talent service's clock says tomorrow): econ replays it from the page.
    monkeypatch.setattr(talent_handlers, "today", lambda: tomorrow)
    r = await portal.post(f"/events/talent/{letter.id}/replay", {}, page="/events")
    assert r.status_code == 303 and r.headers["location"] == "/events#svc-talent", r.text
    html = (await portal.http.get("/events")).text
    assert f"人才服务死信 {letter.id} 已重放：已处理。" in html
    row = html[html.index(f'id="letter-talent-{letter.id}"'):]
    row = row[:row.index("</tr>")]
    assert "已于" in row and "重放" in row and "/replay" not in row  # no longer a letter to handle
    assert int(re.findall(r'<td class="n">(\d+)</td>', backlog_row(html, "talent"))[1]) == open_before - 1
    no_raw_code(html, "/events")

    # Its effect, once: three years of one quota each, one quota.granted event per year.
    years = {tomorrow.year: 1, tomorrow.year + 1: 1, tomorrow.year + 2: 1}
    assert await granted(suite, uscc) == years
    sent = outbox(suite, "talent", "srdi.talent.quota.granted.v1", uscc)
    assert sorted(e["year"] for e in sent) == sorted(years)
    assert handled(suite, event.id) == 1

    # Replayed again (the API: the page no longer offers it) and redelivered: nothing more.
    again = await suite.client("talent").post(f"/api/v1/admin/dead-letters/{letter.id}/replay")
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    await publish(suite, event, msg_id=f"{event.id}-again")
    await suite.settled()
    assert await granted(suite, uscc) == years
    assert len(outbox(suite, "talent", "srdi.talent.quota.granted.v1", uscc)) == 3
    assert handled(suite, event.id) == 1 and len(talent_letters(suite, event.id)) == 1


# -- 重放事件流 (issue 17): a service's whole stream, after a confirmation ---------------------------
def flash_of(html: str) -> str:
    m = re.search(r'<p class="flash ok"[^>]*>(.*?)</p>', html, re.S) or re.search(
        r'<p class="flash error"[^>]*>(.*?)</p>', html, re.S)
    return m.group(1) if m else ""


async def talent_events_on_stream(suite) -> int:
    """The stream's events on the subjects talent consumes, as NATS counts them."""
    bus = suite.apps["talent"].state.bus
    info = await bus.js.stream_info(suite.settings.stream, subjects_filter=">")
    return sum(n for subject, n in (info.state.subjects or {}).items() if subject in bus.handlers)


async def test_econ_replays_a_service_stream_after_a_confirmation(portal, suite):
    """Econ delivers talent's stream to it again — all of it, then from a day — after a page saying
    what will happen; the flash says how many events the service re-delivers, and nothing is
    granted twice. A start the service refuses (past the stream's end) is said beside its field."""
    from nats.js.api import DeliverPolicy

    from services.talent.tables import QuotaGrant
    from services.talent.tests.support import certify, enterprise, wait_granted
    from shared.tables import Inbox
    u = await enterprise(suite)
    await certify(suite, u, "national_little_giant", f"{today().year}-01-15")
    y = today().year
    await wait_granted(suite, u, {y: 1, y + 1: 1, y + 2: 1})
    await suite.settled()

    def counts():
        with suite.db("talent").reader() as s:
            return (s.scalar(select(func.count()).select_from(QuotaGrant)),
                    s.scalar(select(func.count()).select_from(Inbox)))
    before = counts()

    await portal.login("econ")
    html = (await portal.http.get("/events")).text
    assert 'action="/events/replay"' in html and "重放事件流" in html
    # First a confirmation, saying what will happen; nothing is replayed yet.
    r = await portal.post("/events/replay", {"service": "talent", "since": "", "from_sequence": ""}, page="/events")
    assert r.status_code == 200, r.text
    assert "确认重放事件流" in r.text and "将把<strong>全部事件</strong>重新交给<strong>人才服务</strong>处理" in r.text
    assert '<input type="hidden" name="confirmed" value="1">' in r.text and "返回，不重放" in r.text
    expected = await talent_events_on_stream(suite)
    assert expected >= 3
    r = await portal.post("/events/replay", {"service": "talent", "since": "", "from_sequence": "",
                                             "confirmed": "1"}, page="/events")
    assert r.status_code == 303 and r.headers["location"] == "/events#replay", r.text
    said = flash_of((await portal.http.get("/events")).text)
    assert said == (f"人才服务已开始重放事件流（全部事件）：该服务订阅的 {expected} 个事件将重新交给它处理；"
                    "已处理过的事件不会重复生效。"), said
    info = await suite.apps["talent"].state.bus.js.consumer_info(suite.settings.stream, "talent")
    assert info.config.deliver_policy == DeliverPolicy.ALL  # a new consumer, from the stream's start
    await suite.settled()
    assert counts() == before  # every event handled before: nothing happens twice

    # From a day (Beijing midnight), in words.
    day = today().isoformat()
    r = await portal.post("/events/replay", {"service": "talent", "since": day, "from_sequence": "",
                                             "confirmed": "1"}, page="/events")
    assert r.status_code == 303, r.text
    said = flash_of((await portal.http.get("/events")).text)
    assert said.startswith(f"人才服务已开始重放事件流（自 {day}（北京时间零时）起的事件）："), said
    info = await suite.apps["talent"].state.bus.js.consumer_info(suite.settings.stream, "talent")
    assert info.config.deliver_policy == DeliverPolicy.BY_START_TIME
    await suite.settled()
    assert counts() == before

    # Past the end of the stream: the service refuses, said beside the field, the number kept.
    last = (await suite.apps["talent"].state.bus.js.stream_info(suite.settings.stream)).state.last_seq
    r = await portal.post("/events/replay", {"service": "talent", "since": "", "from_sequence": str(last + 100),
                                             "confirmed": "1"}, page="/events")
    assert r.status_code == 422, r.text
    beside = re.search(r'id="rp-seq-error">(.*?)</p>', r.text).group(1)
    assert f"起始序号超出事件流末尾（当前最后序号 {last}）" in beside, beside
    assert f'name="from_sequence" inputmode="numeric" maxlength="19" value="{last + 100}"' in r.text
    assert (await suite.apps["talent"].state.bus.js.consumer_info(suite.settings.stream, "talent")
            ).config.deliver_policy == DeliverPolicy.BY_START_TIME  # the consumer left as it was
    no_raw_code(r.text, "/events/replay refused")

    # What the portal refuses before asking: both starts, a day ahead, not a number.
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    for typed, field, words in (({"since": day, "from_sequence": "5"}, "rp-seq-error", "只能填写一个"),
                                ({"since": tomorrow, "from_sequence": ""}, "rp-since-error", "不晚于今天"),
                                ({"since": "", "from_sequence": "第五条"}, "rp-seq-error", "应为正整数")):
        r = await portal.post("/events/replay", {"service": "talent", **typed}, page="/events")
        assert r.status_code == 422 and words in re.search(rf'id="{field}">(.*?)</p>', r.text).group(1), typed

    # The auditor reads the page without the form; a replay posted anyway is refused.
    await portal.login("auditor")
    html = (await portal.http.get("/events")).text
    assert 'action="/events/replay"' not in html and "事件与死信" in html
    r = await portal.post("/events/replay", {"service": "talent", "confirmed": "1"}, page="/events")
    assert r.status_code == 403 and "只有区经信局可以重放事件流" in r.text
