"""Longer and repeated faults (issue "Nothing is ever lost silently"): the consumer's database away
for longer than any retry budget, and a consumer crashing five times while it holds a fetched
batch. Each ends with every award exactly once, no dead letter, and /readyz telling the truth."""
import logging
import os
import re
import signal
import time

import nats
import pytest
from sqlalchemy import create_engine, text

from services.awards.tables import Award
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
        deadline = time.monotonic() + 120
        while len(delivered) < 20 or min(delivered.values()) < 5:
            assert time.monotonic() < deadline, f"redeliveries stalled: {delivered}"
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

    from services.talent.tables import QuotaGrant
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
    last = (await js.stream_info(suite.settings.stream)).state.last_seq
    r = await econ.post("/api/v1/admin/replay", params={"from_sequence": last + 100})
    assert r.status_code == 422 and r.json()["errors"]  # past the end it would leave the consumer deaf
    assert (await js.consumer_info(suite.settings.stream, "talent")).config.deliver_policy == DeliverPolicy.BY_START_TIME
    both = {"from_sequence": 1, "since": "2026-01-01T00:00:00Z"}
    assert (await econ.post("/api/v1/admin/replay", params=both)).status_code == 422
    for since in ("0518-05-13T15:56:50.41-13:28", "2999-01-01T00:00:00Z"):
        assert (await econ.post("/api/v1/admin/replay", params={"since": since})).status_code == 422


async def test_a_nats_outage_is_one_log_line_not_a_traceback_per_reconnection(tmp_path, caplog):
    """While NATS is away each service tries to reconnect twice a second; nats-py's default error
    callback logged a full traceback for every try (thousands of lines in a long outage, burying
    what matters). The bus says it once, and forgets it when NATS is back."""
    suite = await Suite(tmp_path, services=("registry",)).start()
    try:
        bus = suite.apps["registry"].state.bus
        suite.nats.stop()
        await suite.wait_for(lambda: "refused" in (bus.nats_error or "").lower(), "a failed reconnection")
        assert not [r for r in caplog.records if r.name.startswith("nats") and r.levelno >= logging.ERROR]
        suite.nats.start()
        await suite.wait_for(lambda: bus.connected and bus.nats_error is None, "the reconnection")
    finally:
        await suite.stop()


async def test_a_frozen_nats_server_makes_every_service_not_ready_and_back(tmp_path):
    """A nats-server that hangs (SIGSTOP: the connection stays open, nothing answers) looked alive
    for minutes: the client pinged every 120 s, and a consumer whose fetch timed out counted it as
    "nothing waiting", so /readyz said 200, nats: true, and the registry logged nothing. Now the
    client pings every second here (5 s by default), and /readyz says 503 with nats: false within a
    few pings, and 200 again once the server answers."""
    suite = await Suite(tmp_path, services=("registry", "awards"), nats_ping_interval_s=1).start()
    try:
        clients = {name: suite.client(name, role=None) for name in ("registry", "awards")}
        for c in clients.values():
            assert (await c.get("/readyz")).status_code == 200
        os.kill(suite.nats.proc.pid, signal.SIGSTOP)
        try:
            async def not_ready():
                answers = [await c.get("/readyz") for c in clients.values()]
                return all(r.status_code == 503 and r.json()["nats"] is False for r in answers)
            await suite.wait_for(not_ready, "/readyz to say NATS is gone", timeout=30)
        finally:
            os.kill(suite.nats.proc.pid, signal.SIGCONT)

        async def ready():
            return all(r.status_code == 200 for r in [await c.get("/readyz") for c in clients.values()])
        await suite.wait_for(ready, "/readyz once NATS answers again", timeout=30)
    finally:
        await suite.stop()


async def test_a_service_stops_cleanly_while_nats_is_away(tmp_path):
    """Stopping a service (a rollout, Ctrl-C of `srdi up`, which stops nats-server at the same moment)
    while NATS is away: the NATS client's close raised ConnectionResetError out of the shutdown, which
    then never disposed of the database."""
    suite = await Suite(tmp_path, services=("registry",)).start()
    bus = suite.apps["registry"].state.bus
    suite.nats.stop()
    await suite.wait_for(lambda: not bus.nc.is_connected, "the service to see NATS go")
    await suite.stop()
    assert all(t.done() for t in bus._tasks)


class _Proc:
    """A child process of `srdi up`, as far as the supervisor sees it."""

    def __init__(self, args, env=None, **_):
        self.args, self.env, self.returncode, self.terminated = args, env, None, False

    def poll(self):
        return self.returncode

    def terminate(self):
        self.terminated, self.returncode = True, -15

    def wait(self, timeout=None):
        return self.returncode

    def kill(self):
        self.returncode = -9


def _fake_up(tmp_path, monkeypatch, started: list, servers: list, nats_starts_failing=(), on_pass=None,
             wait_port=None):
    """`srdi up` with its children faked, into `started` (the processes) and `servers` (nats-server);
    every fifth pass of its supervision loop it gets a SIGTERM."""
    import signal

    from shared import cli, natsserver

    class Nats:
        starts = 0

        def __init__(self, store_dir, port, log_file=None):
            self.port, self.proc, self.stopped = port, None, False
            servers.append(self)

        @property
        def url(self):
            return f"nats://127.0.0.1:{self.port}"

        def start(self):
            Nats.starts += 1
            self.proc = _Proc(["nats-server"])
            if Nats.starts in nats_starts_failing:  # it exits without listening: wait_port gives up
                self.proc.returncode = 1
                raise TimeoutError(f"nothing listens on 127.0.0.1:{self.port} after 15.0 s")
            return self

        def stop(self):
            self.stopped = True

    def popen(args, env=None, **kw):
        started.append(_Proc(args, env))
        return started[-1]

    handlers = {}
    passes = []

    def sleep(_):
        passes.append(1)
        (on_pass or (lambda n, started, servers: None))(len(passes), started, servers)
        if len(passes) >= 5:
            handlers[signal.SIGTERM](signal.SIGTERM, None)

    monkeypatch.setattr(natsserver, "NatsServer", Nats)
    monkeypatch.setattr(natsserver, "wait_port", wait_port or (lambda *a, **k: None))
    monkeypatch.setattr(cli, "cmd_migrate", lambda args: None)
    monkeypatch.setattr(cli.subprocess, "Popen", popen)
    monkeypatch.setattr(cli.signal, "signal", lambda sig, fn: handlers.__setitem__(sig, fn))
    monkeypatch.setattr(cli.time, "sleep", sleep)
    for name in ("SRDI_NATS_URL", "SRDI_DATABASE_URL", "SRDI_JWT_PUBLIC_KEYS", "SRDI_JWT_PRIVATE_KEY",
                 "SRDI_JWT_SECRET", "SRDI_ENV", "SRDI_MIGRATE_ON_START", "SRDI_NATS_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SRDI_DATA_DIR", str(tmp_path / "data"))  # cli sets it; undone after the test
    monkeypatch.setenv("SRDI_PORT_BASE", "18000")
    umask = os.umask(0o022)
    try:
        cli.main(["up", "--data-dir", str(tmp_path / "data")])
    finally:
        os.umask(umask)


def test_srdi_up_tells_every_started_service_its_settings_and_outlives_a_nats_that_cannot_restart(
        tmp_path, monkeypatch, capsys):
    """`srdi up` migrates once: a service it starts or restarts is told not to migrate again and where
    its NATS is (they were missing, so every restart re-ran the migrations). A nats-server that cannot
    come back at once (its port taken, a store slow to recover) is tried again: the supervisor used to
    die of it, leaving the services running with nobody to restart NATS or them."""
    def crash(n, started, servers):
        if n == 1:  # kill -9 of nats-server and of the awards service
            servers[0].proc.returncode = -9
            next(p for p in started if "services.awards.main:app" in p.args).returncode = -9

    started, servers = [], []
    _fake_up(tmp_path, monkeypatch, started, servers, nats_starts_failing={2}, on_pass=crash)
    out = capsys.readouterr()
    assert "nats-server did not come back" in out.err and "SRDI suite stopped." in out.out
    assert type(servers[0]).starts == 3  # the first one, the failed restart, the one after it
    services = [p for p in started if "services.portal.main:app" not in p.args]
    assert sum("services.awards.main:app" in p.args for p in services) == 2  # restarted
    for p in services:
        assert p.env["SRDI_MIGRATE_ON_START"] == "false", p.args
        assert p.env["SRDI_NATS_URL"] == "nats://127.0.0.1:18222", p.args
        assert "SRDI_JWT_PRIVATE_KEY" not in p.env
    assert all(p.terminated for p in started if p.returncode != -9) and servers[0].stopped


def test_srdi_up_stops_what_it_started_whatever_ends_it(tmp_path, monkeypatch):
    """A service that never listens ends `srdi up` with an error, and takes nothing with it unstopped."""
    def wait_port(port, timeout=15.0, host="127.0.0.1"):
        if port == 18002:
            raise TimeoutError(f"nothing listens on {host}:{port} after {timeout} s")

    started, servers = [], []
    with pytest.raises(TimeoutError):
        _fake_up(tmp_path, monkeypatch, started, servers, wait_port=wait_port)
    assert len(started) >= 6 and all(p.terminated for p in started)
    assert len(servers) == 1 and servers[0].stopped


async def test_the_consumer_lag_is_unknown_while_nats_is_away(tmp_path):
    """While NATS is away the lag cannot be read: the gauge says NaN and the scrape error is counted
    (it kept the last value read, 0, and counted nothing: a backlog growing unseen, the drill's find)."""
    suite = await Suite(tmp_path, services=("registry",)).start()
    try:
        client = suite.client("registry", role=None)

        def lag_and_errors(text: str) -> tuple[str, float]:
            lag = re.search(r'^srdi_consumer_lag\{service="registry"\} (\S+)$', text, re.M).group(1)
            errors = re.search(r'^srdi_metrics_backlog_errors_total\{service="registry"\} (\S+)$', text, re.M)
            return lag, float(errors.group(1)) if errors else 0.0
        lag, errors = lag_and_errors((await client.get("/metrics")).text)
        assert lag == "0.0"
        suite.nats.stop()
        bus = suite.apps["registry"].state.bus
        await suite.wait_for(lambda: not bus.connected, "the service to see NATS go")
        lag_away, errors_away = lag_and_errors((await client.get("/metrics")).text)
        assert (lag_away, errors_away) == ("NaN", errors + 1)
        suite.nats.start()
        await suite.wait_for(lambda: bus.connected, "NATS back", timeout=30)
        assert lag_and_errors((await client.get("/metrics")).text)[0] == "0.0"
    finally:
        await suite.stop()
