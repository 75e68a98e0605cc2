"""Two awards processes share one durable consumer on one NATS and one PostgreSQL database:
1,000 promotions (each also redelivered under a new message id, and 100 of them twinned as a
second event for the same promotion) give exactly one award each, and both replicas work."""
import asyncio
import os
import re
import subprocess
import sys
import time
import uuid

import httpx
import nats
import orjson
import pytest
from sqlalchemy import create_engine, text

from shared.natsserver import NatsServer, free_port, wait_port
from shared.testing import make_uscc, promotion_event

PG = os.environ.get("SRDI_TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not PG, reason="needs PostgreSQL (SRDI_TEST_DATABASE_URL): SQLite is one writer")


def promotion(uscc: str) -> dict:
    return promotion_event(uscc, "municipal_srdi", "2024-03-01", name="副本测试").envelope()


async def publish_all(url: str, envelopes: list[dict]) -> None:
    nc = await nats.connect(url)
    js = nc.jetstream()
    for env in envelopes:
        payload = orjson.dumps(env)
        await js.publish("srdi.registry.enterprise.promoted.v1", payload, headers={"Nats-Msg-Id": env["id"]})
        await js.publish("srdi.registry.enterprise.promoted.v1", payload, headers={"Nats-Msg-Id": f"re-{env['id']}"})
    await nc.close()


def test_two_awards_replicas_no_duplicates_no_loss(tmp_path):
    server = PG.replace("postgresql://", "postgresql+psycopg://", 1) if PG.startswith("postgresql://") else PG
    prefix = f"srdi_t_{uuid.uuid4().hex[:8]}"
    dbname = f"{prefix}_awards"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{dbname}"'))
    nats_server = NatsServer(tmp_path / "nats").start()
    url_template = server.rsplit("/", 1)[0] + f"/{prefix}_{{service}}"
    env = dict(os.environ, SRDI_DATA_DIR=str(tmp_path), SRDI_NATS_URL=nats_server.url, SRDI_DATABASE_URL=url_template,
               SRDI_JWT_SECRET="replica-test-secret-0123456789abcdef", SRDI_LOG_LEVEL="WARNING")
    subprocess.run([sys.executable, "-m", "shared.cli", "migrate", "--service", "awards"], env=env, check=True,
                   capture_output=True)
    ports = [free_port(), free_port()]
    procs = [subprocess.Popen([sys.executable, "-m", "uvicorn", "services.awards.main:app", "--port", str(p),
                               "--log-level", "warning"], env={**env, "SRDI_MIGRATE_ON_START": "false"})
             for p in ports]
    try:
        for p in ports:
            wait_port(p, timeout=60)
        firms = [make_uscc() for _ in range(1000)]
        envelopes = [promotion(u) for u in firms]
        envelopes += [promotion(u) for u in firms[:100]]  # twins: other events, same promotion
        asyncio.run(publish_all(nats_server.url, envelopes))
        engine = create_engine(url_template.replace("{service}", "awards"))

        def handled_events() -> int:
            with engine.connect() as c:
                return c.execute(text("SELECT count(*) FROM inbox WHERE consumer = 'awards'")).scalar()
        deadline = time.monotonic() + 240
        while handled_events() < 1100 and time.monotonic() < deadline:
            time.sleep(0.5)  # polling a condition with a deadline
        handled = []
        for p in ports:
            metrics = httpx.get(f"http://127.0.0.1:{p}/metrics").text
            handled.append(sum(float(v) for v in re.findall(
                r'srdi_events_handled_total\{outcome="(?:handled|duplicate)",service="awards"\} ([\d.e+]+)', metrics)))
        with engine.connect() as c:
            rows = c.execute(text("SELECT count(*), count(DISTINCT award_key), sum(amount_yuan), "
                                  "count(DISTINCT uscc) FROM award")).one()
            inbox = c.execute(text("SELECT count(*) FROM inbox WHERE consumer = 'awards'")).scalar()
        assert tuple(rows) == (1000, 1000, 300_000_000, 1000)
        assert inbox == 1100  # every distinct event handled once; redeliveries absorbed
        assert all(h > 0 for h in handled), f"both replicas must take work: {handled}"
        engine.dispose()
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(20)
        nats_server.stop()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
        admin.dispose()
