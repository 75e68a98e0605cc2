"""The listing target's progress (issue 6, targets): the registry consumes the finance office's
srdi.finance.enterprise.listed.v1 into its listing projection, idempotently, and counts the year's
listings as the `listing` target's actual."""
import asyncio

import orjson
import pytest
from sqlalchemy import func, select

from services.finance.tests.helpers import listed_enterprise
from services.registry.tables import Listing
from shared.events import new_event
from shared.tables import Inbox, Outbox
from shared.testing import make_uscc


async def _listing_actual(suite, year: int):
    r = await suite.client("registry", role="auditor").get(f"/api/v1/targets/{year}")
    assert r.status_code == 200, r.text
    return {t["key"]: t for t in r.json()["targets"]}["listing"]


def _listed_event(suite, uscc: str) -> dict:
    with suite.db("finance").reader() as s:
        rows = [orjson.loads(o.payload) for o in s.scalars(
            select(Outbox).where(Outbox.subject == "srdi.finance.enterprise.listed.v1"))]
    [event] = [e for e in rows if e["data"]["uscc"] == uscc]
    return event


def _projection(suite) -> list[tuple]:
    with suite.db("registry").reader() as s:
        return [(r.uscc, r.board, r.listed_on.isoformat()) for r in s.scalars(select(Listing).order_by(Listing.uscc))]


def _handled(suite, event_id: str) -> bool:
    with suite.db("registry").reader() as s:
        return s.get(Inbox, ("registry", event_id)) is not None


async def test_a_finance_listing_counts_once_towards_the_target(suite):
    before = await _listing_actual(suite, 2025)
    assert (before["actual"], before["target"], before["met"], before["shortfall"]) == (0, 2, False, 2)
    uscc = await listed_enterprise(suite)
    fin = suite.client("finance", role="finance")
    path = f"/api/v1/listings/{uscc}/stages"
    for stage, on in (("shareholding_reform", "2024-03-01"), ("coaching_filed", "2024-05-01"),
                      ("application_accepted", "2025-03-01"), ("registered", "2025-09-01")):
        assert (await fin.put(path, json={"stage": stage, "on": on})).status_code in (200, 201)
    r = await fin.put(path, json={"stage": "listed", "on": "2025-10-20", "board": "star"})
    assert r.status_code == 200, r.text
    event = _listed_event(suite, uscc)
    await suite.wait_for(lambda: _handled(suite, event["id"]), "the registry to handle enterprise.listed")
    assert _projection(suite) == [(uscc, "star", "2025-10-20")]
    got = await _listing_actual(suite, 2025)
    assert (got["actual"], got["shortfall"], got["met"]) == (1, 1, False)
    assert (await _listing_actual(suite, 2024))["actual"] == 0  # listed_on falls in 2025

    # JetStream redelivers the same event (a lost ack): the inbox absorbs it
    bus = suite.apps["registry"].state.bus
    raw = orjson.dumps(event)
    assert await asyncio.to_thread(bus.handle_raw, "srdi.finance.enterprise.listed.v1", raw) == "duplicate"
    # the same event published again under another message id goes through NATS to the consumer
    await bus.js.publish("srdi.finance.enterprise.listed.v1", raw, headers={"Nats-Msg-Id": f"again-{event['id']}"})
    await suite.settled()
    # a second event for the same listing (a finance replay with new ids): the projection's key holds
    again = new_event("finance", "enterprise.listed.v1", uscc, {"uscc": uscc, "board": "star", "listed_on": "2025-10-20"})
    assert await asyncio.to_thread(bus.handle_raw, again.nats_subject, orjson.dumps(again.envelope())) == "handled"
    later = new_event("finance", "enterprise.listed.v1", uscc, {"uscc": uscc, "board": "bse", "listed_on": "2025-12-01"})
    assert await asyncio.to_thread(bus.handle_raw, later.nats_subject, orjson.dumps(later.envelope())) == "handled"
    assert _projection(suite) == [(uscc, "star", "2025-10-20")]
    assert (await _listing_actual(suite, 2025))["actual"] == 1
    with suite.db("registry").reader() as s:
        assert s.scalar(select(func.count()).select_from(Inbox).where(Inbox.event_id == event["id"])) == 1
    await suite.settled()


async def test_a_malformed_listing_event_is_refused(suite):
    bus = suite.apps["registry"].state.bus
    for data in ({"uscc": "NOT-A-USCC", "board": "star", "listed_on": "2025-01-01"},
                 {"uscc": make_uscc(), "board": "star", "listed_on": "someday"}, {"board": "star"}):
        bad = new_event("finance", "enterprise.listed.v1", "x", data)
        with pytest.raises((ValueError, KeyError)):
            await asyncio.to_thread(bus.handle_raw, bad.nats_subject, orjson.dumps(bad.envelope()))
        assert not _handled(suite, bad.id)  # rolled back with its inbox row: redelivered, then a dead letter
    assert all(u != "NOT-A-USCC" for u, _, _ in _projection(suite))
