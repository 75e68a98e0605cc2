"""The relay's hand-off (issue 15, item 3): while a service's relay runs, a transaction's outbox rows
are born claimed by it (its lease) and handed to it at commit, so they go out with no claim
transaction; a savepoint that rolls back hands nothing; a stopped relay leaves rows to be claimed as
before. And the dated parameters' cache answers what is in force after every change."""
import asyncio
import datetime as dt

import pytest
from sqlalchemy import select

from shared import params, policy
from shared.db import Database, utcnow
from shared.events import emit, new_event
from shared.tables import Outbox
from shared.testing import Suite, make_uscc
from tests.test_exactly_once import count


def _event(probe: str):
    return new_event("registry", "enterprise.registered.v1", make_uscc(), {"probe": probe})


async def test_committed_rows_are_handed_over_and_rolled_back_ones_are_not(tmp_path):
    suite = await Suite(tmp_path, services=("registry",)).start()
    try:
        db = suite.db("registry")
        await suite.apps["registry"].state.bus.stop()  # this test is the relay
        assert db.handoff is None
        handed: list = []
        db.handoff, db.handoff_lease = handed.extend, dt.timedelta(seconds=5)
        kept, undone = _event("kept"), _event("undone")
        with db.transaction() as s:
            emit(s, kept)
            try:
                with s.begin_nested():
                    emit(s, undone)
                    s.flush()
                    raise RuntimeError("this event's savepoint rolls back")
            except RuntimeError:
                pass
        assert [r[0] for r in handed] == [kept.id]  # only what committed
        with db.reader() as s:
            rows = {r.id: r for r in s.scalars(select(Outbox))}
        assert set(rows) == {kept.id}
        assert utcnow() < rows[kept.id].claimed_until <= utcnow() + dt.timedelta(seconds=5)  # born claimed
        assert await asyncio.to_thread(suite.apps["registry"].state.bus._claim) == []  # no other relay takes it

        with pytest.raises(RuntimeError), db.transaction() as s:  # a transaction that fails hands nothing
            emit(s, _event("failed"))
            s.flush()
            raise RuntimeError("rolled back")
        assert len(handed) == 1

        db.handoff = None  # no relay running: rows are born unclaimed, for the next relay's claim
        free = _event("free")
        with db.transaction() as s:
            emit(s, free)
        with db.reader() as s:
            assert s.get(Outbox, free.id).claimed_until is None
        assert len(handed) == 1
    finally:
        await suite.stop()


async def test_a_running_relay_publishes_what_is_handed_without_claiming(tmp_path, monkeypatch):
    """With the relay's poll an hour away, a commit's rows are published on the hand-off alone; the
    claim (the relay's read and write transaction) is not on the way."""
    suite = await Suite(tmp_path, services=("registry",), relay_interval_s=3600).start()
    try:
        bus, db = suite.apps["registry"].state.bus, suite.db("registry")
        await suite.wait_for(lambda: db.handoff == bus._take, "the relay to run")
        claimed = []  # what the relay's claims found (on PostgreSQL a NOTIFY may wake one: it finds nothing)
        real_claim = bus._claim

        def claim():
            rows = real_claim()
            claimed.extend(rows)
            return rows
        monkeypatch.setattr(bus, "_claim", claim)
        events = [_event(f"handed {i}") for i in range(3)]
        with db.transaction() as s:
            for e in events:
                emit(s, e)
        await suite.wait_for(lambda: count(suite, "registry", Outbox, Outbox.published_at.is_(None)) == 0,
                             "the handed rows published", timeout=20)
        assert claimed == []
        assert count(suite, "registry", Outbox, Outbox.id.in_([e.id for e in events])) == 3

        await bus.stop()  # a stopped relay takes nothing more: the next rows wait unclaimed
        assert db.handoff is None
        later = _event("after the stop")
        with db.transaction() as s:
            emit(s, later)
        with db.reader() as s:
            row = s.get(Outbox, later.id)
            assert row.claimed_until is None and row.published_at is None
    finally:
        await suite.stop()


async def test_parameters_in_force_follow_every_version_added_or_withdrawn(tmp_path):
    """The cache is keyed by the table's stamp: a version added or withdrawn — in this process or by
    another replica (another connection pool on the same database) — is read at once."""
    suite = await Suite(tmp_path, services=("awards",)).start()
    try:
        db = suite.db("awards")
        with db.reader() as s:
            before = params.in_force(s, dt.date(2030, 1, 1), "award.")
        key = next(k for k, p in before.items() if isinstance(p.value, int) and not isinstance(p.value, bool))
        other_replica = Database(suite.settings.db_url("awards"))
        try:
            with other_replica.transaction() as s:
                added = policy.add_version(s, "econ:test", policy.PolicyVersionIn(
                    key=key, value=before[key].value + 1000, effective_from=dt.date(2029, 6, 1), legal_ref="test"))
                added_id = added.id
        finally:
            other_replica.dispose()
        with db.reader() as s:
            assert params.in_force(s, dt.date(2030, 1, 1), "award.")[key].value == before[key].value + 1000
            assert params.in_force(s, dt.date(2029, 5, 31), "award.")[key].value == before[key].value
        with db.transaction() as s:  # uncommitted, in this very transaction, it is in force for it
            policy.add_version(s, "econ:test", policy.PolicyVersionIn(
                key=key, value=before[key].value + 2000, effective_from=dt.date(2029, 9, 1), legal_ref="test"))
            assert params.in_force(s, dt.date(2030, 1, 1), "award.")[key].value == before[key].value + 2000
            s.rollback()
        with db.reader() as s:
            assert params.in_force(s, dt.date(2030, 1, 1), "award.")[key].value == before[key].value + 1000
        with db.transaction() as s:
            policy.withdraw(s, "econ:test", added_id, "a typo", dt.date(2026, 1, 1))
        with db.reader() as s:
            assert params.in_force(s, dt.date(2030, 1, 1), "award.")[key].value == before[key].value
    finally:
        await suite.stop()
