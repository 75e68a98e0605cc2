"""事件与死信 (issue 17: every service's event admin in the portal): each service's backlog and dead
letters, the event named in Chinese; econ replays one (a still-broken event stays a dead letter and
says so); the auditor reads without the button; other roles are refused."""
from __future__ import annotations

import orjson
from sqlalchemy import func, select

from services.portal.tests.test_words import no_raw_code
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
