"""Model-based property (issue "Trust the record"): random certifications, renewals, revocations and
sweeps in the real registry; its events delivered to every consumer in random order, with
duplicates and some held back to the end; afterwards every consumer's tier for every enterprise on
every date that matters equals the registry's.

The registry and the consumers run on real databases (SQLite files, migrated as in production) and
their real handlers (each service's handlers.py); only NATS is left out: the delivery order is what
is under test, so the test chooses it."""
from __future__ import annotations

import datetime as dt
import importlib
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from services.registry.certifications import repository as certifications
from services.registry.certifications import service as certification
from services.registry.certifications.schemas import CertificationIn, RevokeIn
from services.registry.enterprises import service as enterprise
from services.registry.enterprises.schemas import EnterpriseIn
from shared import projection
from shared.cli import spec_of
from shared.clock import today
from shared.db import Database
from shared.errors import Problem
from shared.events import Event
from shared.migrate import upgrade
from shared.tables import Outbox
from shared.testing import make_uscc
from shared.tiers import changes_on, tier_on

pytestmark = pytest.mark.skipif(bool(os.environ.get("SRDI_TEST_DATABASE_URL")),
                                reason="a property of the handlers over many examples: run once, in the SQLite pass")

CONSUMERS = ("awards", "talent", "finance", "parks", "outreach")
TIERS = ("innovative", "potential", "municipal_srdi", "municipal_little_giant", "national_little_giant",
         "single_champion")
TODAY = today()
START = dt.date(2017, 1, 1)
SPAN = (TODAY - START).days


def tier_reader(service: str):
    """How a consumer answers "the tier of this enterprise on this date": finance by the tier its
    service list shows, the others by the record they hold."""
    if service == "finance":
        from services.finance.service_list import service as finance

        def listed_tier(s, uscc, on):
            record = projection.record_of(s, uscc)
            return finance.listing_of(record, finance.thresholds(s), on).tier if record else "sme"
        return listed_tier
    return projection.tier_of


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    folder = tmp_path_factory.mktemp("property")
    dbs = {}
    for name in ("registry", *CONSUMERS):
        spec = spec_of(name)
        db = Database(f"sqlite:///{folder / name}.db")
        upgrade(db.engine, name, spec.migrations, spec.metadata)
        dbs[name] = db
    yield dbs
    for db in dbs.values():
        db.dispose()


day = st.integers(0, SPAN).map(lambda n: START + dt.timedelta(days=n))
op = st.one_of(
    st.tuples(st.just("certify"), st.integers(0, 1), st.sampled_from(TIERS), day),
    st.tuples(st.just("revoke"), st.integers(0, 1), st.integers(0, 5), st.integers(0, 2000), st.booleans()),
    st.tuples(st.just("sweep"), day),
)


def run_registry(db: Database, usccs: list[str], ops) -> None:
    for uscc in usccs:
        with db.transaction() as s:
            enterprise.create(s, "test", EnterpriseIn(uscc=uscc, name="性质测试企业"))
    for o in ops:
        try:
            with db.transaction() as s:
                if o[0] == "certify":
                    certification.add(s, "test", usccs[o[1]], CertificationIn(tier=o[2], recognized_on=o[3]))
                elif o[0] == "revoke":
                    certs = certifications.certifications_of(s, usccs[o[1]])
                    if not certs:
                        continue
                    cert = certs[o[2] % len(certs)]
                    on = min(cert.recognized_on + dt.timedelta(days=o[3]), TODAY)
                    certification.revoke(s, "test", cert, RevokeIn(reason="性质测试", for_cause=o[4], revoked_on=on), TODAY)
                else:
                    certification.expire_due(s, o[1])
        except Problem:
            pass  # a refusal (a ban, a repeated revocation) records nothing: that is the registry's call


def events_of(db: Database, usccs: list[str]) -> list[Event]:
    with db.reader() as s:
        rows = s.scalars(select(Outbox.payload).order_by(Outbox.created_at)).all()
    events = [Event.parse(p.encode()) for p in rows]
    return [e for e in events if e.subject in usccs]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(ops=st.lists(op, min_size=1, max_size=8), order=st.randoms(use_true_random=False),
       repeats=st.lists(st.integers(0, 30), max_size=4), held_back=st.lists(st.integers(0, 30), max_size=3))
def test_every_consumer_holds_the_registrys_tier_on_every_date(databases, ops, order, repeats, held_back):
    usccs = [make_uscc(), make_uscc()]
    run_registry(databases["registry"], usccs, ops)
    events = events_of(databases["registry"], usccs)
    assert events  # at least the registrations
    with databases["registry"].reader() as s:
        certs = {u: [enterprise.as_rule(c) for c in certifications.certifications_of(s, u)] for u in usccs}
    days = sorted({TODAY, START, *(d + dt.timedelta(days=k) for cs in certs.values()
                                   for d in changes_on(cs) for k in (-1, 0))})
    for service in CONSUMERS:
        handlers = importlib.import_module(f"services.{service}.handlers").handlers
        delivery = [*events, *(events[i % len(events)] for i in repeats)]  # duplicates
        order.shuffle(delivery)
        late = {i % len(delivery) for i in held_back}  # delayed: delivered after all the others
        delivery = [e for i, e in enumerate(delivery) if i not in late] + [delivery[i] for i in sorted(late)]
        db = databases[service]
        for event in delivery:
            handle = handlers.get(event.type.removeprefix("cn.gov.fangshan."))
            if handle is not None:
                with db.transaction() as s:
                    handle(s, event)
        read = tier_reader(service)
        with db.reader() as s:
            for u in usccs:
                for d in days:
                    assert read(s, u, d) == tier_on(certs[u], d), (service, u, d)
