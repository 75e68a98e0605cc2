"""Longer and repeated faults (issue "Nothing is ever lost silently"): the consumer's database away
for longer than any retry budget, and a consumer crashing five times while it holds a fetched
batch. Each ends with every award exactly once, no dead letter, and /readyz telling the truth."""
import os

import nats
import pytest
from sqlalchemy import create_engine, text

from services.awards.models import Award
from shared.tables import DeadLetter
from shared.testing import Suite, make_uscc
from tests.test_exactly_once import count, promote


async def test_consumer_database_away_longer_than_the_retry_budget(tmp_path):
    """PostgreSQL refuses every connection to the awards database while five promotions arrive.
    Transient failures spend none of the failure budget (1 here): nothing is dead-lettered, /readyz
    says 503 while the consumer is stuck, and once the database is back each promotion pays once."""
    if not os.environ.get("SRDI_TEST_DATABASE_URL"):
        pytest.skip("a PostgreSQL outage drill (the SQLite lock drill is in test_exactly_once)")
    suite = await Suite(tmp_path, dead_letter_after=1, stall_after_s=1, retry_backoff_max_s=0.5).start()
    admin = create_engine(suite.pg_server, isolation_level="AUTOCOMMIT")
    database = f"{suite.prefix}_awards"
    try:
        with admin.connect() as c:
            c.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false'))
            c.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"),
                      {"d": database})
        firms = [make_uscc() for _ in range(5)]
        for u in firms:
            await promote(suite, u, "municipal_srdi", "2024-03-01")
        awards = suite.client("awards", role=None)

        async def stuck():
            r = await awards.get("/readyz")
            return r.status_code == 503 and any("consumer" in p for p in r.json()["bus"])
        await suite.wait_for(stuck, "/readyz to report the stuck consumer")
        with admin.connect() as c:
            c.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true'))
        await suite.wait_for(lambda: count(suite, "awards", Award) == 5, "the awards after the outage", timeout=60)
        await suite.settled(timeout=60)
        assert count(suite, "awards", Award) == 5
        assert count(suite, "awards", DeadLetter) == 0

        async def ready():
            return (await awards.get("/readyz")).status_code == 200
        await suite.wait_for(ready, "/readyz to recover")
    finally:
        with admin.connect() as c:
            c.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true'))
        admin.dispose()
        await suite.stop()


async def test_consumer_crashing_five_times_with_a_fetched_batch(tmp_path):
    """Five times, a consumer of the awards durable fetches the batch and dies before acking
    (its connection gone, as with kill -9). The server must not spend the events: when the awards
    service consumes again, all 20 awards are paid, once each, and nothing is dead-lettered."""
    suite = await Suite(tmp_path, ack_wait_s=1).start()
    try:
        bus = suite.apps["awards"].state.bus
        await bus.stop()  # the service is "down": only the crashing consumers below fetch
        firms = [make_uscc() for _ in range(20)]
        for u in firms:
            await promote(suite, u, "municipal_srdi", "2024-03-01")
        js = suite.apps["registry"].state.bus.js
        stream = suite.settings.stream

        async def all_published():
            return (await js.consumer_info(stream, "awards")).num_pending >= 20
        await suite.wait_for(all_published, "the 20 promotions to reach the awards consumer")
        delivered: dict[int, int] = {}  # stream sequence → deliveries seen
        while len(delivered) < 20 or min(delivered.values()) < 5:
            nc = await nats.connect(suite.nats.url)
            sub = await nc.jetstream().pull_subscribe_bind(durable="awards", stream=stream)
            try:  # after the first round they come back once ack_wait has passed
                for m in await sub.fetch(20, timeout=5):
                    delivered[m.metadata.sequence.stream] = m.metadata.num_delivered
            except TimeoutError:
                pass
            await nc.close()  # dies holding the batch, nothing acked
        await bus.start()
        await suite.wait_for(lambda: count(suite, "awards", Award) == 20, "the 20 awards after five crashes",
                             timeout=60)
        await suite.settled(timeout=60)
        assert count(suite, "awards", Award) == 20
        assert count(suite, "awards", DeadLetter) == 0
    finally:
        await suite.stop()


async def test_replay_from_a_sequence_or_a_time_changes_nothing(suite):
    """An operator replays part of the stream (from a sequence, or from a time) rather than all of it;
    what was handled stays handled once."""
    from nats.js.api import DeliverPolicy

    from services.talent.models import QuotaGrant
    u = make_uscc()
    await promote(suite, u, "municipal_little_giant", "2024-10-01")
    await suite.settled()
    grants = count(suite, "talent", QuotaGrant)
    js = suite.apps["talent"].state.bus.js
    last = (await js.stream_info(suite.settings.stream)).state.last_seq
    econ = suite.client("talent")
    r = await econ.post("/api/v1/admin/replay", params={"from_sequence": max(1, last - 3)})
    assert r.status_code == 202 and r.json()["from_sequence"] == max(1, last - 3)
    info = await js.consumer_info(suite.settings.stream, "talent")
    assert info.config.deliver_policy == DeliverPolicy.BY_START_SEQUENCE
    await suite.settled()
    r = await econ.post("/api/v1/admin/replay", params={"since": "2026-01-01T00:00:00Z"})
    assert r.status_code == 202
    assert (await js.consumer_info(suite.settings.stream, "talent")).config.deliver_policy == DeliverPolicy.BY_START_TIME
    await suite.settled()
    assert count(suite, "talent", QuotaGrant) == grants
    assert (await econ.post("/api/v1/admin/replay", params={"from_sequence": 0})).status_code == 422
