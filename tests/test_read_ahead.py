"""A batch read ahead decides what one event at a time decides (issue 15): awards and talent read the
registry's records of a fetched batch, and awards the enterprises' awards, in one statement each
before any handler runs (shared.projection.read_ahead, shared.handlers.before_batch). The same
random registry history, its events shuffled with duplicates, is delivered to each service twice, on
separate databases: one event at a time, and in batches of random sizes. Awards, quota grants and
entitlements, and the record held of each enterprise, must be the same."""
from __future__ import annotations

import datetime as dt
import importlib
import os

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from services.awards.tables import Award
from services.talent.tables import QuotaEntitlement, QuotaGrant
from shared import projection
from shared.cli import spec_of
from shared.consumer import handle_batch, handle_one
from shared.db import Database
from shared.migrate import upgrade
from shared.testing import make_uscc
from tests.test_record_property import SPAN, START, TIERS, events_of, op, run_registry

pytestmark = pytest.mark.skipif(bool(os.environ.get("SRDI_TEST_DATABASE_URL")),
                                reason="a property of the handlers over many examples: run once, in the SQLite pass")

SERVICES = ("awards", "talent")
# Besides the registry property's operations, many awarded titles and revocations for cause: what a
# stale record would decide differently (an award on a title already revoked).
awarded = st.tuples(st.just("certify"), st.integers(0, 1), st.sampled_from(TIERS[2:]),
                    st.integers(365 * 6, SPAN).map(lambda n: START + dt.timedelta(days=n)))
for_cause = st.tuples(st.just("revoke"), st.integers(0, 1), st.integers(0, 5), st.integers(0, 400), st.just(True))


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    folder = tmp_path_factory.mktemp("read_ahead")
    dbs = {}
    for name in ("registry", *SERVICES):
        spec = spec_of(name)
        for way in ("one", "batch"):
            if name == "registry" and way == "batch":
                continue
            db = Database(f"sqlite:///{folder / name}-{way}.db")
            upgrade(db.engine, name, spec.migrations, spec.metadata)
            dbs[name, way] = db
    yield dbs
    for db in dbs.values():
        db.dispose()


def outcome(db: Database, service: str, usccs: list[str]) -> dict:
    """What a department holds of these enterprises, ids left out (they differ between databases)."""
    with db.reader() as s:
        held = {u: (r.version if (r := projection.record_of(s, u)) else None) for u in usccs}
        if service == "awards":
            rows = s.scalars(select(Award).where(Award.uscc.in_(usccs))).all()
            return {"records": held, "awards": sorted((a.award_key, a.program, a.amount_yuan, a.state, a.flag or "",
                                                       a.certification_id or 0) for a in rows)}
        grants = {g.id: g for g in s.scalars(select(QuotaGrant).where(QuotaGrant.uscc.in_(usccs)))}
        ents = s.scalars(select(QuotaEntitlement).where(QuotaEntitlement.grant_id.in_(list(grants) or [0]))).all()
        return {"records": held, "grants": sorted((g.uscc, g.year, g.granted) for g in grants.values()),
                "entitlements": sorted((grants[e.grant_id].uscc, grants[e.grant_id].year, e.certification_id,
                                        e.count, e.state, e.cancelled_on is not None) for e in ents)}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(ops=st.lists(st.one_of(op, awarded, for_cause), min_size=2, max_size=8), order=st.randoms(use_true_random=False),
       repeats=st.lists(st.integers(0, 30), max_size=4), sizes=st.lists(st.integers(2, 9), min_size=1, max_size=6))
def test_a_batch_read_ahead_decides_what_one_event_at_a_time_decides(databases, monkeypatch, ops, order, repeats,
                                                                      sizes):
    usccs = [make_uscc(), make_uscc()]
    run_registry(databases["registry", "one"], usccs, ops)
    events = events_of(databases["registry", "one"], usccs)
    delivery = [*events, *(events[i % len(events)] for i in repeats)]
    order.shuffle(delivery)
    deliveries = [(e.nats_subject, orjson.dumps(e.envelope())) for e in delivery]
    read_ahead = []
    monkeypatch.setattr(projection, "read_ahead", _counting(projection.read_ahead, read_ahead))
    for service in SERVICES:
        handlers = importlib.import_module(f"services.{service}.handlers").handlers
        one, batched = databases[service, "one"], databases[service, "batch"]
        for subject, data in deliveries:
            try:
                handle_one(one, service, handlers, subject, data)
            except Exception:  # noqa: BLE001 - an event's own error: the batched pass must refuse it too
                pass
        at, k = 0, 0
        while at < len(deliveries):
            size = sizes[k % len(sizes)]
            handle_batch(batched, service, handlers, deliveries[at:at + size])
            at, k = at + size, k + 1
        assert outcome(batched, service, usccs) == outcome(one, service, usccs), service
    if len(deliveries) > 1 and max(sizes) > 1:
        assert read_ahead, "no batch was read ahead: the property tested nothing"


def _counting(fn, calls: list):
    def counted(*args, **kwargs):
        calls.append(1)
        return fn(*args, **kwargs)
    return counted
