"""Corrections of the record (issue 18) on the service list: a departed enterprise's entry ends with
its reason, a voided certification re-derives the entry — each event published through the real bus,
and delivered twice."""
import datetime as dt
import uuid

import orjson
from sqlalchemy import select

from services.finance.tests.helpers import (all_items, cert, entry, payload, promoted, record, registry_event,
                                            wait_entry)
from shared.clock import today
from shared.contracts.registry import CertificationVoided, EnterpriseDeparted, EnterpriseRecord
from shared.events import Event
from shared.tables import Inbox, Outbox
from shared.testing import make_uscc

D = dt.date
CHANGED = "srdi.finance.service_list.changed.v1"


async def publish(suite, event: Event, msg_id: str | None = None) -> None:
    """Publish to JetStream as the registry's relay would (msg_id: the Nats-Msg-Id, default the event id)."""
    js = suite.apps["finance"].state.bus.js
    await js.publish(event.nats_subject, orjson.dumps(event.envelope()), headers={"Nats-Msg-Id": msg_id or event.id})


async def twice(suite, event: Event) -> None:
    """The event, the same event redelivered, and its facts under another event id."""
    await publish(suite, event)
    await publish(suite, event, msg_id=str(uuid.uuid4()))
    twin = Event(str(uuid.uuid4()), event.type, event.source, event.subject, event.time, event.data)
    await publish(suite, twin)
    await suite.settled()
    with suite.db("finance").reader() as s:
        assert len(s.scalars(select(Inbox).where(Inbox.event_id.in_([event.id, twin.id]))).all()) == 2


def announced(suite, uscc: str) -> list[dict]:
    with suite.db("finance").reader() as s:
        rows = s.scalars(select(Outbox.payload).where(Outbox.subject == CHANGED).order_by(Outbox.created_at)).all()
    return [e["data"] for e in map(orjson.loads, rows) if e["subject"] == uscc]


def with_status(rec: EnterpriseRecord, version: int, status: str, on: dt.date) -> EnterpriseRecord:
    return rec.model_copy(update={"version": version, "status": status, "status_on": on})


async def listed(suite, *certs) -> tuple[str, EnterpriseRecord]:
    uscc = make_uscc()
    rec = record(uscc, 2, *certs)
    await publish(suite, registry_event(promoted(rec, certs[-1])))
    await wait_entry(suite, uscc, "listed", listed=True)
    return uscc, rec


async def test_a_departed_enterprise_leaves_the_list_with_its_reason(suite):
    srdi = cert(1, "municipal_srdi", D(2025, 6, 1))
    gone_on = today() - dt.timedelta(days=3)
    bank = suite.client("finance", role="bank", org="B1")
    for status in ("moved_out", "closed"):
        uscc, rec = await listed(suite, srdi)
        gone = with_status(rec, 3, status, gone_on)
        await twice(suite, registry_event(payload(EnterpriseDeparted, gone, status=status, status_on=gone_on,
                                                  on=gone_on, reason="整体迁往河北省涿州市")))
        e = await wait_entry(suite, uscc, "removed on departure", listed=False)
        assert (e["removed_on"], e["removed_reason"], e["since"]) == (gone_on.isoformat(), status, "2025-06-01")
        assert e["tier"] == "municipal_srdi"  # its titles are the city's: they stay in the record
        assert uscc not in {i["uscc"] for i in await all_items(bank)}
        synced = {i["uscc"]: i for i in await all_items(bank, changed_since=gone_on.isoformat())}
        assert (synced[uscc]["listed"], synced[uscc]["removed_reason"]) == (False, status)
        # the day before it left it was on the list
        r = await suite.client("finance", role="finance").get(
            f"/api/v1/service-list/{uscc}", params={"on": (gone_on - dt.timedelta(days=1)).isoformat()})
        assert r.json()["listed"] is True and r.json()["removed_reason"] is None
        # one removal announced, with its reason, however often the departure came
        [joined, left] = announced(suite, uscc)
        assert joined["listed"] is True and joined["reason"] is None
        assert (left["listed"], left["removed_on"], left["reason"]) == (False, gone_on.isoformat(), status)

    # A bank cannot open a loan case for an enterprise no longer on the list.
    r = await bank.post("/api/v1/loans", json={"uscc": uscc, "applied_yuan": 1_000_000,
                                               "applied_on": today().isoformat()})
    assert r.status_code == 422 and r.json()["type"].endswith("not-on-service-list"), r.text


async def test_a_departure_dated_later_keeps_the_entry_until_then(suite):
    uscc, rec = await listed(suite, cert(1, "municipal_srdi", D(2025, 6, 1)))
    later = today() + dt.timedelta(days=10)
    await twice(suite, registry_event(payload(EnterpriseDeparted, with_status(rec, 3, "moved_out", later),
                                              status="moved_out", status_on=later, on=later)))
    assert (await entry(suite, uscc))["listed"] is True
    assert len(announced(suite, uscc)) == 1


async def test_a_departure_dated_before_the_title_says_it_left_not_voided(suite):
    """A departure the registry records as dated before the enterprise's only title: by the corrected
    record it was never on the list, and the banks that were told it was hear that it moved out (until
    the tenth session they heard `voided`, as if a clerk had entered the title by mistake)."""
    uscc, rec = await listed(suite, cert(1, "municipal_srdi", D(2025, 6, 1)))
    gone_on = D(2025, 5, 1)
    await twice(suite, registry_event(payload(EnterpriseDeparted, with_status(rec, 3, "moved_out", gone_on),
                                              status="moved_out", status_on=gone_on, on=gone_on)))
    await suite.wait_for(lambda: announced(suite, uscc)[-1]["listed"] is False, "the departure announced")
    assert await entry(suite, uscc) is None
    assert [(a["listed"], a["reason"]) for a in announced(suite, uscc)] == [(True, None), (False, "moved_out")]
    bank = suite.client("finance", role="bank", org="B1")
    synced = {i["uscc"]: i for i in await all_items(bank, changed_since=today().isoformat())}
    assert (synced[uscc]["listed"], synced[uscc]["since"], synced[uscc]["removed_reason"]) == (False, None, "moved_out")


async def test_a_voided_certification_re_derives_the_entry(suite):
    """Voided: it never counted. The tier on the list falls back to the title beside it; voiding
    the only title takes the enterprise off the list as if it had never been on it."""
    srdi, giant = cert(1, "municipal_srdi", D(2024, 3, 1)), cert(2, "municipal_little_giant", D(2025, 3, 1))
    uscc, _ = await listed(suite, srdi, giant)
    await wait_entry(suite, uscc, "little giant", tier="municipal_little_giant")
    void = giant.model_copy(update={"state": "voided"})
    await twice(suite, registry_event(payload(
        CertificationVoided, record(uscc, 3, srdi, void), certification_id=2, tier=giant.tier,
        recognized_on=giant.recognized_on, reason="误录")))
    e = await wait_entry(suite, uscc, "back to SRDI", tier="municipal_srdi")
    assert (e["listed"], e["since"], e["removed_on"]) == (True, "2024-03-01", None)
    assert [a["tier"] for a in announced(suite, uscc)] == ["municipal_little_giant", "municipal_srdi"]

    only, _ = await listed(suite, cert(7, "municipal_srdi", D(2025, 6, 1)))
    void = cert(7, "municipal_srdi", D(2025, 6, 1)).model_copy(update={"state": "voided"})
    await twice(suite, registry_event(payload(
        CertificationVoided, record(only, 3, void), certification_id=7, tier="municipal_srdi",
        recognized_on=void.recognized_on, reason="误将培育库企业录为北京市专精特新")))
    await suite.wait_for(lambda: announced(suite, only)[-1]["listed"] is False, "the void announced")
    assert await entry(suite, only) is None  # never on the list, by the corrected record
    bank = suite.client("finance", role="bank", org="B1")
    assert only not in {i["uscc"] for i in await all_items(bank)}
    assert len(announced(suite, only)) == 2
    assert announced(suite, only)[-1]["reason"] == "voided"
    # A bank that synced the list before the void learns from its sync view to drop the enterprise.
    synced = {i["uscc"]: i for i in await all_items(bank, changed_since=today().isoformat())}
    assert (synced[only]["listed"], synced[only]["since"], synced[only]["removed_reason"]) == (False, None, "voided")
    assert uscc not in synced or synced[uscc]["listed"] is True  # the first one is still on the list
    # …and keeps learning it on a later look at the same day, however often the void is delivered.
    await twice(suite, registry_event(payload(
        CertificationVoided, record(only, 3, void), certification_id=7, tier="municipal_srdi",
        recognized_on=void.recognized_on, reason="误将培育库企业录为北京市专精特新")))
    synced = {i["uscc"]: i for i in await all_items(bank, changed_since=today().isoformat())}
    assert synced[only]["removed_reason"] == "voided" and len(announced(suite, only)) == 2
    # An enterprise whose void came before any listing was never announced: not in the sync view.
    never = make_uscc()
    await twice(suite, registry_event(payload(
        CertificationVoided, record(never, 2, void), certification_id=7, tier="municipal_srdi",
        recognized_on=void.recognized_on, reason="误录")))
    assert never not in {i["uscc"] for i in await all_items(bank, changed_since="2020-01-01")}
