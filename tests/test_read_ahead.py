"""A batch read ahead decides what one event at a time decides (issue 15): awards and talent read the
registry's records of a fetched batch, and awards the enterprises' awards, in one statement each
before any handler runs (shared.projection.read_ahead, shared.handlers.before_batch). The same
random registry history, its events shuffled with duplicates, is delivered to each service twice, on
separate databases: one event at a time, and in batches of random sizes. Awards, quota grants and
entitlements, and the record held of each enterprise, must be the same; so must the registry's
timeline facts from other departments' events (services/registry/timeline read_ahead)."""
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
from services.finance.tables import ServiceListEntry
from services.parks.tables import Enterprise as ParksEnterprise
from services.talent.tables import QuotaEntitlement, QuotaGrant
from shared import projection
from shared.cli import spec_of
from shared.consumer import handle_batch, handle_one
from shared.db import Database
from shared.events import Event, new_event
from shared.migrate import upgrade
from shared.tables import Outbox
from shared.testing import make_uscc
from tests.test_record_property import SPAN, START, TIERS, events_of, op, run_registry

pytestmark = pytest.mark.skipif(bool(os.environ.get("SRDI_TEST_DATABASE_URL")),
                                reason="a property of the handlers over many examples: run once, in the SQLite pass")

SERVICES = ("awards", "talent", "finance", "parks", "outreach")
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
        if service == "finance":  # the service list's entries, and what was announced to the banks
            entries = s.scalars(select(ServiceListEntry).where(ServiceListEntry.uscc.in_(usccs))).all()
            announced = [orjson.loads(p)["data"] for p in s.scalars(select(Outbox.payload).order_by(Outbox.id))]
            return {"records": held, "entries": sorted(
                (e.uscc, e.tier, e.listed, e.since, e.removed_on, e.removed_reason or "", e.version, e.peak_rank)
                for e in entries), "announced": sorted(
                (d["uscc"], d["listed"], d["tier"], d.get("since") or "", d.get("reason") or "") for d in announced
                if d.get("uscc") in usccs)}
        if service == "parks":  # the facts index beside the record
            rows = s.scalars(select(ParksEnterprise).where(ParksEnterprise.uscc.in_(usccs))).all()
            return {"records": held, "index": sorted((e.uscc, e.name, e.park_id or "", e.enterprise_version)
                                                     for e in rows)}
        if service == "outreach":
            return {"records": held}
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


# -- the registry's timeline facts ---------------------------------------------------------------
def _fact_event(model, data: dict, time: str) -> Event:
    e = new_event(model.SERVICE, model.NAME, data.get("uscc") or "x", model.model_validate(data).model_dump(mode="json"))
    return Event(e.id, e.type, e.source, e.subject, time, e.data, e.correlationid)


fact = st.tuples(st.sampled_from(["award", "quota", "list"]), st.integers(0, 2), st.integers(0, 3),
                 st.integers(1, 28), st.sampled_from(["computed", "approved", "disbursed"]))


@pytest.fixture(scope="module")
def registries(tmp_path_factory):
    folder = tmp_path_factory.mktemp("timeline_ahead")
    dbs = {}
    for way in ("one", "batch"):
        db = Database(f"sqlite:///{folder / way}.db")
        upgrade(db.engine, "registry", spec_of("registry").migrations, spec_of("registry").metadata)
        dbs[way] = db
    yield dbs
    for db in dbs.values():
        db.dispose()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts=st.lists(fact, min_size=2, max_size=14), order=st.randoms(use_true_random=False),
       repeats=st.lists(st.integers(0, 30), max_size=4), sizes=st.lists(st.integers(2, 9), min_size=1, max_size=4))
def test_the_timeline_read_ahead_keeps_what_one_event_at_a_time_keeps(registries, facts, order, repeats, sizes):
    """Versions of awards, quota years and list entries of three enterprises (one of them malformed,
    and a park's award about no enterprise), shuffled with duplicates: the registry's timeline holds the
    same newest record of each, handled one at a time or in batches read ahead."""
    from services.registry.handlers import handlers
    from services.registry.tables import TimelineFact
    from shared.contracts.awards import AwardChanged
    from shared.contracts.finance import ServiceListChanged
    from shared.contracts.talent import QuotaGranted
    usccs = [make_uscc(), make_uscc(), "NOT-A-USCC"]
    events = []
    for kind, who, ref, day, state in facts:
        time, uscc = f"2024-07-{day:02d}T02:00:00.000000Z", usccs[who]
        if kind == "award":
            events.append(_fact_event(AwardChanged, {"award_id": ref, "uscc": uscc if ref else None, "program": "tier",
                                                     "amount_yuan": 300000, "state": state}, time))
        elif kind == "quota":
            events.append(_fact_event(QuotaGranted, {"uscc": uscc, "year": 2024 + ref, "count": day,
                                                     "basis": {"tier": "municipal_srdi"}}, time))
        else:
            events.append(_fact_event(ServiceListChanged, {"uscc": uscc, "name": state, "tier": "municipal_srdi",
                                                           "listed": True, "since": "2024-01-01"}, time))
    delivery = [*events, *(events[i % len(events)] for i in repeats)]
    order.shuffle(delivery)
    deliveries = [(e.nats_subject, orjson.dumps(e.envelope())) for e in delivery]
    for subject, data in deliveries:
        try:
            handle_one(registries["one"], "registry", handlers, subject, data)
        except ValueError:
            pass  # the malformed USCC: its own error either way
    at, k = 0, 0
    while at < len(deliveries):
        handle_batch(registries["batch"], "registry", handlers, deliveries[at:at + sizes[k % len(sizes)]])
        at, k = at + sizes[k % len(sizes)], k + 1

    def held(db):
        with db.reader() as s:
            return sorted((f.uscc, f.kind, f.ref, f.record, f.event_id, f.event_time)
                          for f in s.scalars(select(TimelineFact).where(TimelineFact.uscc.in_(usccs[:2]))))
    assert held(registries["batch"]) == held(registries["one"])
    assert held(registries["one"]) or all(f[1] == 2 or (f[0] == "award" and not f[2]) for f in facts)
