"""A batch read ahead beside another replica (PostgreSQL; SQLite's BEGIN IMMEDIATE holds replicas
off): what a replica commits while the batch runs is seen as one event at a time would see it.

- A replica's first record of an enterprise committed between the batch's read and its insert
  counts as held before the batch, whatever its version (shared.projection.read_ahead).
- Parks' incubatee announcement, handled by a replica while the batch decides the enterprise's
  first promotion, is still paid (awards reads announcements ahead only for enterprises whose
  record row the batch holds locked from its start)."""
import datetime as dt
import importlib
import os
import uuid

import orjson
import pytest
from sqlalchemy import create_engine, event, select, text

from services.awards.tables import Award
from shared import projection
from shared.cli import spec_of
from shared.consumer import handle_batch, handle_one
from shared.contracts.parks import IncubateePromoted
from shared.contracts.registry import EnterpriseRegistered
from shared.db import Database
from shared.events import new_event
from shared.migrate import upgrade
from shared.tables import PolicyParameter
from shared.testing import enterprise_record, make_uscc, promotion_event, registry_event

PG = os.environ.get("SRDI_TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not PG, reason="PostgreSQL only (SQLite's BEGIN IMMEDIATE holds replicas off)")


def _database(service: str):
    server = PG if PG.startswith("postgresql+psycopg://") else "postgresql+psycopg://" + PG.split("://", 1)[1]
    name = f"srdi_ahead_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    d = Database(server.rsplit("/", 1)[0] + f"/{name}")
    upgrade(d.engine, service, spec_of(service).migrations, spec_of(service).metadata)
    try:
        yield d
    finally:
        d.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def talent_db():
    yield from _database("talent")


@pytest.fixture
def awards_db():
    for d in _database("awards"):
        with d.transaction() as s:
            s.add(PolicyParameter(key="award.incubation.per_enterprise", value=50_000,
                                  effective_from=dt.date(2022, 1, 2), legal_ref="test", set_by="test"))
        yield d


@pytest.mark.parametrize("replica_version", [5, 3, 7], ids=["same-version", "older", "newer"])
def test_a_replicas_first_record_committed_meanwhile_counts_as_held(talent_db, replica_version):
    db, uscc = talent_db, make_uscc()
    replica = enterprise_record(uscc, replica_version, name="replica")
    batch = enterprise_record(uscc, 5, name="batch")
    fired = []
    with db.transaction() as s:
        @event.listens_for(s.connection(), "before_cursor_execute")
        def replica_commits(conn, cursor, statement, parameters, context, executemany):
            if not fired and "ON CONFLICT" in statement:  # after the batch's read found no row
                fired.append(1)
                with db.transaction() as other:
                    projection.keep_newest(other, replica)
        projection.read_ahead(s, [batch])
        seen = projection.record_of(s, uscc, lock=True)
        before = projection.remember(s, batch)
    assert fired, "the replica's transaction ran between the read and the insert"
    # One event at a time, the handler's first statement comes after the replica's commit
    assert seen is not None and seen.version == replica_version
    assert (before is batch) if replica_version >= 5 else (before is not None and before.version == 3)
    with db.reader() as s:
        assert projection.record_of(s, uscc).version == max(5, replica_version)


def _delivery(e):
    return e.nats_subject, orjson.dumps(e.envelope())


def test_a_parks_announcement_a_replica_handles_meanwhile_is_paid(awards_db):
    db, handlers = awards_db, importlib.import_module("services.awards.handlers").handlers
    uscc = make_uscc()
    batch = [_delivery(registry_event(EnterpriseRegistered, enterprise_record(uscc, 1))),
             _delivery(promotion_event(uscc, "municipal_srdi", "2024-03-01", version=2))]
    park = new_event("parks", IncubateePromoted.NAME, uscc, IncubateePromoted(
        park_id="park-r", uscc=uscc, to_tier="municipal_srdi", recognized_on=dt.date(2024, 3, 1),
        incubation_id=7).model_dump(mode="json"))
    fired = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def replica(conn, cursor, statement, parameters, context, executemany):
        if not fired and statement.lstrip().startswith("INSERT INTO award "):  # the batch's tier award
            fired.append(1)
            assert handle_one(db, "awards", handlers, *_delivery(park)) == "handled"
    try:
        assert handle_batch(db, "awards", handlers, batch) == ["handled", "handled"]
    finally:
        event.remove(db.engine, "before_cursor_execute", replica)
    assert fired
    with db.reader() as s:
        assert sorted(a.program for a in s.scalars(select(Award).where(Award.uscc == uscc))) == ["incubation", "tier"]
