"""The service list (专精特新企业服务名单), kept from registry events: promotion, revocation,
re-promotion, out-of-order and repeated delivery, the sync view and who may read it."""
import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from services.finance.tables import ServiceListEntry
from services.finance.tests.helpers import (
    all_items,
    cert,
    certify,
    deliver,
    demoted,
    entry,
    listed_enterprise,
    promoted,
    raw_event,
    record,
    register,
    registered,
    registry_event,
    revoke,
    revoked,
    wait_entry,
)
from shared.clock import today
from shared.projection import record_of
from shared.tables import Outbox, RegistryRecord
from shared.testing import make_uscc

D = dt.date

LIST = "/api/v1/service-list"


def count(suite, model, *where):
    with suite.db("finance").reader() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def version(suite, uscc) -> int | None:
    """The version of the registry's record finance holds."""
    with suite.db("finance").reader() as s:
        r = record_of(s, uscc)
        return r and r.version


async def test_promotion_lists_it_for_any_bank(suite):
    uscc = await register(suite, "北京琉璃河精密制造有限公司")
    await certify(suite, uscc, "municipal_srdi", "2025-06-01")
    e = await wait_entry(suite, uscc, "listing after promotion", listed=True)
    assert e == {"uscc": uscc, "name": "北京琉璃河精密制造有限公司", "tier": "municipal_srdi",
                 "since": "2025-06-01", "listed": True, "removed_on": None,
                 "removed_reason": None}
    for org in ("DEMO", "B2"):
        items = await all_items(suite.client("finance", role="bank", org=org))
        mine = [i for i in items if i["uscc"] == uscc]
        assert mine == [{"uscc": uscc, "name": "北京琉璃河精密制造有限公司", "tier": "municipal_srdi",
                         "since": "2025-06-01"}]
        assert all(i["tier"] not in ("sme", "innovative", "potential") for i in items)


async def test_below_threshold_is_not_listed(suite):
    uscc = await register(suite)
    await certify(suite, uscc, "innovative", "2025-06-01")
    await certify(suite, uscc, "potential", "2025-07-01")
    await suite.settled()
    assert version(suite, uscc) == 3  # registered and two titles: the newest record held
    assert await entry(suite, uscc) is None
    assert uscc not in {i["uscc"] for i in await all_items(suite.client("finance", role="bank", org="B1"))}


async def test_revocation_removes_with_date_and_re_promotion_puts_back(suite):
    # revocations not for cause: one for cause bars a new title for years (registry rule), and the
    # point here is the re-listing
    uscc = await register(suite)
    cert = await certify(suite, uscc, "municipal_srdi", "2025-03-01")
    await wait_entry(suite, uscc, "listed", listed=True, since="2025-03-01")
    await certify(suite, uscc, "national_little_giant", "2025-08-01")
    await wait_entry(suite, uscc, "tier rises on the list", tier="national_little_giant", since="2025-03-01")
    little_giant = (await suite.client("registry").get(f"/api/v1/enterprises/{uscc}")).json()["certifications"][1]
    await revoke(suite, little_giant["id"], "2025-09-01", for_cause=False)
    # still an SRDI enterprise: stays listed, tier falls back, same period
    await wait_entry(suite, uscc, "back to SRDI", tier="municipal_srdi", listed=True, since="2025-03-01")
    await revoke(suite, cert, "2025-10-01", for_cause=False)
    e = await wait_entry(suite, uscc, "removal", listed=False)
    assert (e["removed_on"], e["tier"], e["since"], e["removed_reason"]) == ("2025-10-01", "sme", "2025-03-01",
                                                                              "revoked")
    bank = suite.client("finance", role="bank", org="B1")
    assert uscc not in {i["uscc"] for i in await all_items(bank)}
    synced = {i["uscc"]: i for i in await all_items(bank, changed_since="2025-10-01")}
    assert synced[uscc]["removed_on"] == "2025-10-01" and synced[uscc]["listed"] is False
    assert synced[uscc]["removed_reason"] == "revoked"  # why, for the bank's copy

    await certify(suite, uscc, "municipal_srdi", "2026-01-15")
    e = await wait_entry(suite, uscc, "re-listing", listed=True)
    assert (e["since"], e["removed_on"], e["tier"]) == ("2026-01-15", None, "municipal_srdi")
    assert uscc in {i["uscc"] for i in await all_items(bank)}


async def test_a_revocation_from_the_first_day_says_revoked(suite):
    """A title revoked with effect from the day it was recognised (撤销 back to its start: by the record
    it never counted) takes the enterprise off the list as a void does, but a bank must be told it was
    revoked — a sanction — not that a clerk's entry was voided. Until the tenth session the sync view,
    the announcement and the export said `voided`."""
    uscc = await register(suite)
    cert = await certify(suite, uscc, "municipal_srdi", "2025-06-01")
    await wait_entry(suite, uscc, "listed", listed=True)
    bank = suite.client("finance", role="bank", org="B1")
    synced_on = today().isoformat()  # the bank's copy holds it from this sync
    assert uscc in {i["uscc"] for i in await all_items(bank, changed_since=synced_on)}
    await revoke(suite, cert, "2025-06-01")  # for cause, effective from its first day
    await suite.settled()
    assert await entry(suite, uscc) is None  # by the record it was never on the list
    assert uscc not in {i["uscc"] for i in await all_items(bank)}
    synced = {i["uscc"]: i for i in await all_items(bank, changed_since=synced_on)}
    assert (synced[uscc]["listed"], synced[uscc]["since"], synced[uscc]["removed_reason"]) == (False, None, "revoked")
    with suite.db("finance").reader() as s:
        rows = s.scalars(select(Outbox.payload).where(Outbox.subject == "srdi.finance.service_list.changed.v1")
                         .order_by(Outbox.created_at)).all()
    said = [e["data"] for e in map(json.loads, rows) if e["subject"] == uscc]
    assert [(a["listed"], a["reason"]) for a in said] == [(True, None), (False, "revoked")]
    # a later look (the daily sweep re-judging it) keeps saying why, and announces nothing more
    r = await suite.client("finance", role="finance").post(f"{LIST}/rebuild")
    assert r.status_code == 200, r.text
    synced = {i["uscc"]: i for i in await all_items(bank, changed_since=synced_on)}
    assert synced[uscc]["removed_reason"] == "revoked"


async def test_changed_since_returns_changes_and_removals_only(suite):
    stay = await listed_enterprise(suite, on="2025-06-01")
    gone = await register(suite)
    cert = await certify(suite, gone, "municipal_srdi", "2025-06-01")
    await wait_entry(suite, gone, "listed", listed=True)
    await revoke(suite, cert, "2025-11-01")
    await wait_entry(suite, gone, "removed", listed=False)
    bank = suite.client("finance", role="bank", org="B1")
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    assert await all_items(bank, changed_since=tomorrow) == []  # nothing changed after today
    recent = {i["uscc"]: i for i in await all_items(bank, changed_since=today().isoformat())}
    assert recent[gone]["removed_on"] == "2025-11-01" and recent[stay]["removed_on"] is None
    assert recent[stay]["listed"] is True
    plain = {i["uscc"] for i in await all_items(bank)}
    assert stay in plain and gone not in plain
    r = await bank.get(LIST, params={"changed_since": "2025-13-01"})
    assert r.status_code == 422


async def test_pagination_and_tier_filter(suite):
    made = {await listed_enterprise(suite, tier="municipal_little_giant", on="2025-05-01") for _ in range(3)}
    bank = suite.client("finance", role="bank", org="B1")
    pages, cursor, seen = 0, None, []
    while True:
        r = await bank.get(LIST, params={"limit": 2, "tier": "municipal_little_giant",
                                         **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200 and len(r.json()["items"]) <= 2
        seen += [i["uscc"] for i in r.json()["items"]]
        pages += 1
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert made <= set(seen) and len(seen) == len(set(seen)) and pages >= 2
    assert seen == sorted(seen)
    assert (await bank.get(LIST, params={"cursor": "%%%"})).status_code == 422
    assert (await bank.get(LIST, params={"limit": 501})).status_code == 422
    assert (await bank.get(LIST, params={"tier": "gold"})).status_code == 422


async def test_out_of_order_events_give_the_right_final_state(suite):
    uscc = make_uscc()
    name = "北京窦店乱序科技有限公司"
    title = cert(1, "municipal_srdi", D(2025, 2, 1))
    reg = registry_event(registered(record(uscc, 1, name=name)))
    up = registry_event(promoted(record(uscc, 2, title, name=name), title))
    gone = cert(1, "municipal_srdi", D(2025, 2, 1), revoked_on=D(2025, 9, 1))
    down = registry_event(revoked(record(uscc, 3, gone, name=name), gone))
    # newest first: its record says everything, when the period began included
    assert await deliver(suite, down) == "handled"
    e = await entry(suite, uscc)
    assert (e["listed"], e["removed_on"], e["since"], e["tier"], e["name"]) == (False, "2025-09-01", "2025-02-01",
                                                                                "sme", name)
    outbox = count(suite, Outbox)
    # the late, older records change nothing (and announce nothing)
    assert await deliver(suite, up) == "handled"
    assert await deliver(suite, reg) == "handled"
    assert await entry(suite, uscc) == e
    assert count(suite, Outbox) == outbox
    with suite.db("finance").reader() as s:
        assert record_of(s, uscc).version == 3


async def test_duplicate_events_change_nothing(suite):
    uscc = make_uscc()
    title = cert(7, "municipal_little_giant", D(2025, 4, 1))
    up = registry_event(promoted(record(uscc, 2, title, name="重复投递测试"), title))
    outbox_before = count(suite, Outbox)
    assert await deliver(suite, up) == "handled"
    after_first = count(suite, Outbox)
    assert after_first == outbox_before + 1  # one service_list.changed event
    assert await deliver(suite, up) == "duplicate"  # same event id: the inbox absorbs it
    # the same record under another event id (a relay that published twice after the dedup window)
    again = registry_event(promoted(record(uscc, 2, title, name="重复投递测试"), title))
    assert again.id != up.id
    assert await deliver(suite, again) == "handled"
    assert count(suite, RegistryRecord, RegistryRecord.uscc == uscc) == 1
    assert count(suite, Outbox) == after_first
    with suite.db("finance").reader() as s:
        row = s.get(ServiceListEntry, uscc)
        assert (row.listed, row.tier, row.version, row.since) == (True, "municipal_little_giant", 2, D(2025, 4, 1))


async def test_a_stale_event_does_not_undo_a_newer_one(suite):
    uscc = make_uscc()
    srdi, giant = cert(3, "municipal_srdi", D(2025, 1, 1)), cert(4, "national_little_giant", D(2025, 8, 1))
    newer = registry_event(promoted(record(uscc, 3, srdi, giant), giant, "municipal_srdi"))
    older = registry_event(promoted(record(uscc, 2, srdi), srdi))
    await deliver(suite, newer)
    e = await entry(suite, uscc)
    assert (e["tier"], e["since"], e["listed"]) == ("national_little_giant", "2025-01-01", True)
    await deliver(suite, older)
    assert await entry(suite, uscc) == e


@pytest.mark.parametrize("data", [
    {"name": "x", "from_tier": "sme", "to_tier": "municipal_srdi", "recognized_on": "2025-01-01"},  # no record
    {"name": "x", "enterprise_version": 2, "from_tier": "sme", "to_tier": "gold", "certification_id": 1,
     "recognized_on": "2025-01-01", "expires_on": "2027-12-31", "first_time_at_tier": True,
     "record": {"name": "x", "version": 2, "certifications": []}},
    {"name": "x", "enterprise_version": 2, "from_tier": "sme", "to_tier": "municipal_srdi", "certification_id": 1,
     "recognized_on": "2025-01-01", "expires_on": "2027-12-31", "first_time_at_tier": True,
     "record": {"name": "x", "version": 2, "certifications": [
         {"id": 1, "tier": "municipal_srdi", "recognized_on": "2025-13-01", "expires_on": "2027-12-31"}]}},
])
async def test_a_broken_event_fails_and_changes_nothing(suite, data):
    """It fails (so the consumer retries it, then dead-letters it), and leaves nothing behind."""
    uscc = make_uscc()
    if "record" in data:
        data["record"]["uscc"] = uscc
    outbox = count(suite, Outbox)
    with pytest.raises(ValueError):  # pydantic's ValidationError
        await deliver(suite, raw_event("enterprise.promoted.v1", uscc, data))
    assert count(suite, RegistryRecord, RegistryRecord.uscc == uscc) == 0
    assert count(suite, ServiceListEntry, ServiceListEntry.uscc == uscc) == 0
    assert count(suite, Outbox) == outbox


async def test_service_list_auth(suite):
    uscc = await listed_enterprise(suite)
    unlisted = await register(suite)
    await suite.settled()
    for path in (LIST, f"{LIST}/{uscc}"):
        r = await suite.client("finance", role=None).get(path)
        assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
        for role, org in (("talent", None), ("treasury", None), ("park", "P-A"), ("platform", None)):
            assert (await suite.client("finance", role=role, org=org).get(path)).status_code == 403, (path, role)
        for role, org in (("bank", "B9"), ("finance", None), ("econ", None), ("auditor", None)):
            assert (await suite.client("finance", role=role, org=org).get(path)).status_code == 200, (path, role)
    # out of scope: an enterprise that is not (and never was) on the list is not found
    r = await suite.client("finance", role="bank", org="B9").get(f"{LIST}/{unlisted}")
    assert r.status_code == 404 and r.json()["status"] == 404


async def test_rebuild_auth_and_no_op(suite):
    await listed_enterprise(suite)
    assert (await suite.client("finance", role=None).post(f"{LIST}/rebuild")).status_code == 401
    assert (await suite.client("finance", role="bank", org="B1").post(f"{LIST}/rebuild")).status_code == 403
    r = await suite.client("finance", role="finance").post(f"{LIST}/rebuild")
    assert r.status_code == 200 and r.json() == {"changed": 0}


async def test_through_jetstream_out_of_order_and_twice(suite):
    """Published on the real stream: the demotion first, then the promotion twice (a relay that
    retried after JetStream's duplicate window), then the registration."""
    import orjson

    from shared.tables import Inbox

    uscc = make_uscc()
    name = "北京燕山流式测试有限公司"
    title = cert(1, "municipal_srdi", D(2025, 2, 1), expires_on=D(2025, 11, 30))
    reg = registry_event(registered(record(uscc, 1, name=name)))
    up = registry_event(promoted(record(uscc, 2, title, name=name), title))
    down = registry_event(demoted(record(uscc, 3, title, name=name), title, "municipal_srdi", D(2025, 12, 1)))
    js = suite.apps["finance"].state.bus.js
    for i, ev in enumerate([down, up, up, reg]):
        await js.publish(ev.nats_subject, orjson.dumps(ev.envelope()), headers={"Nats-Msg-Id": f"{ev.id}-{i}"})

    def handled():
        with suite.db("finance").reader() as s:
            return s.scalar(select(func.count()).select_from(Inbox).where(Inbox.event_id.in_([down.id, up.id, reg.id])))
    await suite.wait_for(lambda: handled() == 3, "three events handled")
    await suite.settled()
    e = await entry(suite, uscc)
    assert (e["listed"], e["since"], e["removed_on"], e["tier"]) == (False, "2025-02-01", "2025-12-01", "sme")
    assert count(suite, Inbox, Inbox.event_id == up.id) == 1
    with suite.db("finance").reader() as s:
        assert record_of(s, uscc).version == 3


async def test_expiry_removes_from_the_day_after_the_last_valid_day(suite):
    """No sweep is needed: the record says when the title ends, and every read is for its day."""
    uscc = await register(suite)
    r = await suite.client("registry").post(f"/api/v1/enterprises/{uscc}/certifications", json={
        "tier": "municipal_srdi", "recognized_on": "2022-03-01"})  # last valid day 2025-02-28
    assert r.status_code == 201 and r.json()["expires_on"] == "2025-02-28"
    await suite.wait_for(lambda: version(suite, uscc) == 2, "the title's record")
    fin = suite.client("finance", role="finance")
    e = (await fin.get(f"{LIST}/{uscc}")).json()  # the registry's sweep has not run for it
    assert (e["listed"], e["since"], e["removed_on"], e["tier"]) == (False, "2022-03-01", "2025-03-01", "sme")
    on_last_day = (await fin.get(f"{LIST}/{uscc}", params={"on": "2025-02-28"})).json()
    assert (on_last_day["listed"], on_last_day["tier"], on_last_day["removed_on"]) == (True, "municipal_srdi", None)
    listed_then = {i["uscc"] for i in await all_items(fin, on="2025-02-28")}
    assert uscc in listed_then and uscc not in {i["uscc"] for i in await all_items(fin)}
    r = await suite.client("finance", role="bank", org="B1").post("/api/v1/loans", json={
        "uscc": uscc, "applied_yuan": 1_000_000, "applied_on": today().isoformat()})
    assert r.status_code == 422 and r.json()["type"].endswith("not-on-service-list")
    # the registry's sweep announces it; the answer stays the same
    assert (await suite.client("registry").post("/api/v1/admin/expire")).status_code == 200
    await suite.wait_for(lambda: version(suite, uscc) == 3, "the expiry's record")
    assert await entry(suite, uscc) == e


async def test_only_visible_changes_are_announced(suite):
    uscc = await register(suite)
    await suite.settled()
    outbox = count(suite, Outbox)
    await certify(suite, uscc, "innovative", "2025-06-01")
    await suite.wait_for(lambda: version(suite, uscc) == 2, "the innovative title's record")
    assert count(suite, Outbox) == outbox  # not on the list, before or after: nothing for banks
    await certify(suite, uscc, "municipal_srdi", "2025-07-01")
    await wait_entry(suite, uscc, "listed", listed=True)
    with suite.db("finance").reader() as s:
        rows = s.scalars(select(Outbox).where(Outbox.subject == "srdi.finance.service_list.changed.v1",
                                              Outbox.payload.contains(uscc))).all()
    assert len(rows) == 1
    data = json.loads(rows[0].payload)["data"]
    assert (data["uscc"], data["listed"], data["since"], data["tier"]) == (uscc, True, "2025-07-01", "municipal_srdi")
