"""Batched consumers and the pipelined relay (issue 15): a fetched batch is one transaction with a
savepoint per event, so a failing event in the middle spoils none of its neighbours; the relay
publishes a claimed batch at once, and a crashed relay's rows come back after a short lease."""
import asyncio
import datetime as dt
import os

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from services.awards.handlers import handlers as award_handlers
from services.awards.tables import Award
from shared import bus as bus_module
from shared.consumer import handle_batch
from shared.db import Database, utcnow
from shared.events import emit, new_event
from shared.tables import DeadLetter, Inbox, Outbox
from shared.testing import Suite, make_uscc, promotion_event
from tests.test_exactly_once import count, promote


class Poisoned:
    """The awards handlers, except that chosen events fail after their effect is written: by a
    Python error, or by a database error that aborts the transaction on PostgreSQL (a duplicate
    inbox key) — either way the savepoint must undo the award and the inbox row."""

    def __init__(self, bad: dict[str, str], taken: str):
        self.bad, self.taken = bad, taken

    def get(self, subject):
        real = award_handlers.get(subject)

        def handle(s, event):
            real(s, event)
            how = self.bad.get(event.id)
            if how == "error":
                raise RuntimeError("poisoned after its effect")
            if how == "constraint":
                s.add(Inbox(consumer="awards", event_id=self.taken, subject=event.nats_subject))
                s.flush()
        return handle


def _deliveries(events):
    return [(e.nats_subject, orjson.dumps(e.envelope())) for e in events]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(2, 12), data=st.data())
def test_a_failing_event_in_a_batch_spoils_none_of_its_neighbours(suite, size, data):
    db = suite.db("awards")
    firms = [make_uscc() for _ in range(size)]
    events = [promotion_event(u, "municipal_srdi", "2024-03-01") for u in firms]
    bad_at = data.draw(st.sets(st.integers(0, size - 1), min_size=1, max_size=max(1, size // 3)), "bad")
    how = {events[i].id: data.draw(st.sampled_from(["error", "constraint"]), f"how {i}") for i in bad_at}
    handled_before = data.draw(st.sets(st.integers(0, size - 1).filter(lambda i: i not in bad_at), max_size=2),
                               "handled before")
    with db.transaction() as s:  # a key the "constraint" failure collides with
        taken = f"taken-{make_uscc()}"
        s.add(Inbox(consumer="awards", event_id=taken, subject="test"))
    if handled_before:
        handle_batch(db, "awards", award_handlers, _deliveries([events[i] for i in sorted(handled_before)]))
    batch = _deliveries(events) + _deliveries([events[0]])  # and the first one twice
    handlers = Poisoned(how, taken)

    for attempt in range(2):  # a redelivery of the whole batch changes nothing
        outcomes = handle_batch(db, "awards", handlers, batch)
        for i, outcome in enumerate(outcomes[:size]):
            if i in bad_at:
                assert isinstance(outcome, Exception), (i, outcome)
            elif i in handled_before or attempt:
                assert outcome == "duplicate", (i, outcome)
            else:
                assert outcome == "handled", (i, outcome)
        if 0 in bad_at:  # the first event, a second time in the same batch
            assert isinstance(outcomes[size], Exception)
        else:
            assert outcomes[size] == "duplicate"
        for i, u in enumerate(firms):
            assert count(suite, "awards", Award, Award.uscc == u) == (0 if i in bad_at else 1), (i, attempt)
            assert count(suite, "awards", Inbox, Inbox.event_id == events[i].id) == (0 if i in bad_at else 1)
            # its award's event too, written with the batch's others at its end (shared.db.deferring)
            assert count(suite, "awards", Outbox, Outbox.payload.contains(u)) == (0 if i in bad_at else 1), (i, attempt)


def test_a_batchs_outbox_and_audit_rows_are_one_insert_each_at_its_end(suite):
    """Without savepoints, the rows nothing reads back in the transaction wait for the batch's end:
    one INSERT for its events, one for its audit rows, in the order written; outside a batch, each
    is written at once."""
    from sqlalchemy import event as sa_event

    from shared import audit
    from shared.tables import AuditLog

    db = suite.db("awards")
    firms = [make_uscc() for _ in range(5)]

    def announces(s, event):
        emit(s, new_event("test", "thing.v1", event.subject, {"n": 1}))
        audit.record(s, "test", "thing.seen", "enterprise", event.subject)
        assert s.scalars(select(Outbox.id).where(Outbox.payload.contains(event.subject))).all() == []  # not yet

    inserts = []
    sa_event.listen(db.engine, "before_cursor_execute", listener := lambda conn, cursor, statement, params, context,
                    many: inserts.append((statement.split()[2], many)) if statement.startswith("INSERT") else None)
    try:
        batch = [("test.a", orjson.dumps(new_event("test", "thing.v1", u, {}).envelope())) for u in firms]
        assert handle_batch(db, "awards", {"test.a": announces}, batch) == ["handled"] * 5
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", listener)
    assert sorted(inserts) == [("audit_log", True), ("inbox", True), ("outbox", True)]
    with db.reader() as s:
        written = [orjson.loads(p)["subject"] for p in s.scalars(select(Outbox.payload).where(
            Outbox.subject == "srdi.test.thing.v1").order_by(Outbox.created_at))]
        assert written[-5:] == firms
        assert s.scalars(select(AuditLog.object_id).where(AuditLog.action == "thing.seen")
                         .order_by(AuditLog.id)).all()[-5:] == firms
    with db.transaction() as s:  # not a batch: at once, readable in the same transaction
        audit.record(s, "test", "thing.seen", "enterprise", "alone")
        assert s.scalar(select(AuditLog.id).where(AuditLog.object_id == "alone")) is not None


def test_a_transient_fault_in_a_batch_rolls_all_of_it_back(suite):
    """The database failing under one event is no fault of the event: nothing of the batch commits
    (the bus retries it whole), and the retry handles every event once."""
    db = suite.db("awards")
    firms = [make_uscc() for _ in range(4)]
    events = [promotion_event(u, "municipal_srdi", "2024-03-01") for u in firms]

    class Flaky:
        def get(self, subject):
            real = award_handlers.get(subject)

            def handle(s, event):
                real(s, event)
                if event.id == events[2].id:
                    raise OperationalError("INSERT", {}, Exception("database is locked"))
            return handle

    with pytest.raises(OperationalError):
        handle_batch(db, "awards", Flaky(), _deliveries(events))
    assert count(suite, "awards", Award, Award.uscc.in_(firms)) == 0
    assert count(suite, "awards", Inbox, Inbox.event_id.in_([e.id for e in events])) == 0
    assert handle_batch(db, "awards", award_handlers, _deliveries(events)) == ["handled"] * 4
    assert count(suite, "awards", Award, Award.uscc.in_(firms)) == 4


async def test_a_fetched_batch_with_a_poison_event_in_the_middle(tmp_path, monkeypatch):
    """Through NATS: nine promotions wait for the awards consumer with an unreadable one in the
    middle. They are handled in batches (one transaction each), every award is paid once, and only
    the poison event becomes a dead letter, after the same budget as when handled alone."""
    batches: list[int] = []

    def spy(db, service, handlers, deliveries):
        batches.append(len(deliveries))
        return handle_batch(db, service, handlers, deliveries)
    monkeypatch.setattr(bus_module, "handle_batch", spy)
    suite = await Suite(tmp_path, services=("registry", "awards"), dead_letter_after=2).start()
    try:
        bus = suite.apps["awards"].state.bus
        await bus.stop()  # the batch piles up while the consumer is away
        js = suite.apps["registry"].state.bus.js
        firms = [make_uscc() for _ in range(8)]
        events = [promotion_event(u, "municipal_srdi", "2024-03-01") for u in firms]
        bad = new_event("registry", "enterprise.promoted.v1", "X", {"uscc": make_uscc(), "to_tier": "municipal_srdi"})
        for e in events[:4] + [bad] + events[4:]:
            await js.publish(e.nats_subject, orjson.dumps(e.envelope()), headers={"Nats-Msg-Id": e.id})
        await bus.start()
        await suite.wait_for(lambda: count(suite, "awards", DeadLetter) == 1, "the poison's dead letter", timeout=30)
        await suite.settled(timeout=30)
        assert max(batches) > 1  # they did come as a batch
        assert count(suite, "awards", DeadLetter, DeadLetter.event_id == bad.id) == 1
        for u in firms:
            assert count(suite, "awards", Award, Award.uscc == u) == 1
        assert count(suite, "awards", Inbox, Inbox.event_id.in_([e.id for e in events])) == 8
    finally:
        await suite.stop()


async def test_a_crashed_relays_rows_are_published_after_a_short_lease(tmp_path):
    """A relay that claimed rows and died (its lease still running) leaves them to the next pass
    once `relay_lease_s` has passed: seconds, not half a minute; each effect still happens once."""
    suite = await Suite(tmp_path, services=("registry", "awards"), relay_lease_s=1.5).start()
    try:
        relay = suite.apps["registry"].state.bus
        await relay.stop()
        firms = [make_uscc() for _ in range(3)]
        for u in firms:
            await promote(suite, u, "municipal_srdi", "2024-03-01")
        claimed = await asyncio.to_thread(relay._claim)  # … and the relay "dies" holding them
        assert len(claimed) == 6
        assert await asyncio.to_thread(relay._claim) == []  # leased: nobody else takes them yet
        with suite.db("registry").reader() as s:
            leases = list(s.scalars(select(Outbox.claimed_until)))
        assert all(lease <= utcnow() + dt.timedelta(seconds=1.5) for lease in leases)
        await relay.start()
        await suite.wait_for(lambda: count(suite, "registry", Outbox, Outbox.published_at.is_(None)) == 0,
                             "the rows after the lease", timeout=10)
        await suite.wait_for(lambda: count(suite, "awards", Award) == 3, "the awards")
        await suite.settled()
        assert count(suite, "awards", Award) == 3
    finally:
        await suite.stop()


@pytest.mark.skipif(not os.environ.get("SRDI_TEST_DATABASE_URL"), reason="LISTEN/NOTIFY is PostgreSQL's")
async def test_a_commit_by_another_replica_wakes_the_relay(tmp_path):
    """PostgreSQL: an outbox row committed by another process (here: another connection pool, with
    no hook into this relay) is published on its NOTIFY, though this relay's poll is an hour away."""
    suite = await Suite(tmp_path, services=("registry",), relay_interval_s=3600).start()
    try:
        other_replica = Database(suite.settings.db_url("registry"))
        try:
            for probe in ("first", "second"):  # the second surely finds the relay waiting out its poll
                with other_replica.transaction() as s:
                    emit(s, new_event("registry", "enterprise.registered.v1", make_uscc(), {"probe": probe}))
                await suite.wait_for(lambda: count(suite, "registry", Outbox, Outbox.published_at.is_(None)) == 0,
                                     f"the other replica's {probe} row, published on its NOTIFY", timeout=20)
        finally:
            other_replica.dispose()
    finally:
        await suite.stop()


async def test_a_rolled_back_events_rows_never_stand_in_for_a_neighbours(suite):
    """Rows written by Core and read back as objects: when an event of a batch fails after creating
    its award, SQLite gives that rolled-back id to the next award its neighbour creates; the
    neighbour's award, ledger entry and event are its own, not the failed one's remembered object."""
    from services.awards.rules import Decision
    from services.awards.tables import LedgerEntry
    from services.awards.workflow.service import create

    db = suite.db("awards")
    failing, standing = make_uscc(), make_uscc()

    def decision(amount: int) -> Decision:
        return Decision("tier", amount, {"rule": "test", "explanation": "test"}, tier="municipal_srdi")

    def fails_after_creating(s, event):
        award = create(s, f"tier:{failing}:municipal_srdi", decision(300_000), failing, failing, "enterprise",
                       dt.date(2024, 3, 1), event.id)
        raise ValueError(f"fails after creating award {award.id}")  # its traceback keeps the object alive

    def creates(s, event):
        create(s, f"tier:{standing}:municipal_srdi", decision(500_000), standing, standing, "enterprise",
               dt.date(2024, 3, 1), event.id)

    handlers = {"test.a": fails_after_creating, "test.b": creates}
    batch = [(subject, orjson.dumps(new_event("test", "thing.v1", make_uscc(), {}).envelope()))
             for subject in ("test.a", "test.b")]
    outcomes = await asyncio.to_thread(handle_batch, db, "awards", handlers, batch)
    assert isinstance(outcomes[0], ValueError) and outcomes[1] == "handled"
    with db.reader() as s:
        assert s.scalars(select(Award).where(Award.uscc == failing)).all() == []
        award = s.scalars(select(Award).where(Award.uscc == standing)).one()
        assert (award.payee, award.amount_yuan) == (standing, 500_000)
        entries = s.scalars(select(LedgerEntry).where(LedgerEntry.award_id == award.id)).all()
        assert [(e.payee, e.amount_yuan) for e in entries] == [(standing, 500_000)]
        announced = [orjson.loads(r.payload)["data"] for r in s.scalars(select(Outbox).where(
            Outbox.subject == "srdi.awards.award.changed.v1"))]
        assert [(d["award_key"], d["amount_yuan"]) for d in announced if d["award_id"] == award.id] == [
            (f"tier:{standing}:municipal_srdi", 500_000)]


async def test_a_rolled_back_savepoints_grant_is_not_a_neighbours(suite):
    """The same in talent: a year's grant created in a savepoint that rolls back is not what the
    next enterprise's grants read back under the reused id."""
    from services.talent.quotas import repository as quotas

    db = suite.db("talent")
    first, second = make_uscc(), make_uscc()
    with db.transaction() as s:
        with pytest.raises(RuntimeError), s.begin_nested():
            held = quotas.grants_locked(s, first, [2024])  # still referenced after the rollback
            raise RuntimeError("its handler fails")
        assert held[2024].uscc == first
        grants = quotas.grants_locked(s, second, [2025])
        assert {y: (g.uscc, g.year) for y, g in grants.items()} == {2025: (second, 2025)}
