"""Test support: the whole suite in one process on a real nats-server and real databases.

SQLite files by default; PostgreSQL when SRDI_TEST_DATABASE_URL is set (a server URL such
as postgresql+psycopg://postgres@127.0.0.1:5432/postgres): one database per service is
created for each suite and dropped after it.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import random
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from shared.auth import SigningKey, issue_token, public_pem
from shared.natsserver import NatsServer
from shared.settings import SERVICES, Settings, available_services

# The tests' token issuer: an Ed25519 key made for this test run (no private key is kept in the
# repository). SECRET is its PEM, so `issue_token(SECRET, role, …)` signs as the issuer does; the
# Suite's services are configured with PUBLIC_KEYS only. SERVER_SECRET is the services' own HMAC
# secret (Idempotency-Key fingerprints), which tokens never use.
SIGNING_KEY = SigningKey.generate()
SECRET = SIGNING_KEY.pem()
PUBLIC_KEYS = public_pem(SIGNING_KEY.public)
SERVER_SECRET = "test-secret-not-for-production-0123456789"


def key_env(issuer: bool = False) -> dict[str, str]:
    """The environment of a service process started by a test: it verifies the tests' tokens; with
    `issuer`, it also signs them (the portal)."""
    env = {"SRDI_JWT_PUBLIC_KEYS": PUBLIC_KEYS, "SRDI_JWT_SECRET": SERVER_SECRET}
    if issuer:
        env["SRDI_JWT_PRIVATE_KEY"] = SECRET
    return env


def _admin_engine(server_url: str):
    return create_engine(server_url, isolation_level="AUTOCOMMIT")


class Suite:
    def __init__(self, tmp: Path, services=SERVICES, nats: NatsServer | None = None, **overrides):
        self.tmp = Path(tmp)
        self.nats = nats or NatsServer(self.tmp / "nats")
        self.services = [s for s in services if s in available_services()]
        self.pg_server = os.environ.get("SRDI_TEST_DATABASE_URL")
        if self.pg_server and self.pg_server.startswith(("postgresql://", "postgres://")):
            self.pg_server = "postgresql+psycopg://" + self.pg_server.split("://", 1)[1]
        self.prefix = f"srdi_t_{uuid.uuid4().hex[:8]}"
        template = None
        if self.pg_server:
            base = self.pg_server.rsplit("/", 1)[0]
            template = f"{base}/{self.prefix}_{{service}}"
        defaults = {"relay_interval_s": 0.05, "dead_letter_after": 3, "ack_wait_s": 5}
        # The settings hold the issuer's key too, for the portal's tests; the services read only
        # the public keys from them (shared.auth.Verifier.from_settings).
        keys = {"jwt_secret": SERVER_SECRET, "jwt_public_keys": PUBLIC_KEYS, "jwt_private_key": SECRET}
        self.settings = Settings(data_dir=self.tmp, nats_url=self.nats.url, database_url=template,
                                 **{**defaults, **keys, **overrides})
        self.apps = {}
        self._stack = contextlib.AsyncExitStack()
        self._clients: dict = {}

    async def start(self) -> Suite:
        from shared.app import create_app
        from shared.cli import spec_of

        if self.nats.proc is None:
            self.nats.start()
        if self.pg_server:
            eng = _admin_engine(self.pg_server)
            with eng.connect() as conn:
                for s in self.services:
                    conn.execute(text(f'CREATE DATABASE "{self.prefix}_{s}"'))
            eng.dispose()
        for name in self.services:
            app = create_app(spec_of(name), self.settings)
            await self._stack.enter_async_context(app.router.lifespan_context(app))
            self.apps[name] = app
        await self.wait_for(lambda: all(a.state.bus.connected for a in self.apps.values()), "NATS connection")
        return self

    async def stop(self) -> None:
        for c in self._clients.values():
            await c.aclose()
        try:
            async with asyncio.timeout(60):
                await self._stack.aclose()
        except TimeoutError:  # say what is stuck rather than hang the whole run
            for task in asyncio.all_tasks():
                task.print_stack(limit=8)
            raise
        self.nats.stop()
        if self.pg_server:
            eng = _admin_engine(self.pg_server)
            with eng.connect() as conn:
                for s in self.services:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{self.prefix}_{s}" WITH (FORCE)'))
            eng.dispose()

    def token(self, role: str, org: str | None = None) -> str:
        return issue_token(SIGNING_KEY, role, org)

    def client(self, service: str, role: str | None = "econ", org: str | None = None) -> httpx.AsyncClient:
        key = (service, role, org)
        if key not in self._clients:
            headers = {"Authorization": f"Bearer {self.token(role, org)}"} if role else {}
            self._clients[key] = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.apps[service]),
                                                   base_url=f"http://{service}", headers=headers, timeout=30)
        return self._clients[key]

    def db(self, service: str):
        return self.apps[service].state.db

    async def wait_for(self, predicate, what: str, timeout: float = 20.0):
        """Poll a condition (sync or async) until it holds; fail with `what` after the timeout."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = predicate()
            if asyncio.iscoroutine(last):
                last = await last
            if last:
                return last
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {last!r})")

    async def settled(self, timeout: float = 60.0) -> None:
        """Wait until every outbox is empty and every consumer has no pending messages (a wait on a
        condition: as soon as it holds; the timeout is for a busy machine, CI runs two passes at once)."""
        async def quiet():
            for app in self.apps.values():
                if await asyncio.to_thread(_pending, app.state.db):
                    return False
            js = next(iter(self.apps.values())).state.bus.js
            for name, app in self.apps.items():
                if app.state.bus.handlers:
                    info = await js.consumer_info(self.settings.stream, name)
                    if info.num_pending or info.num_ack_pending:
                        return False
            return True

        async def quiet_twice():
            # One pass can look quiet while an event moves on: a consumer whose pending count was read
            # before another consumer acked, and wrote its next event (parks announcing an incubatee
            # after the registry's promotion), is past. A second pass sees that event in an outbox or
            # pending, or handled (a flake once in CI under two passes' load).
            return await quiet() and await quiet()
        await self.wait_for(quiet_twice, "events to settle", timeout)


def _pending(db) -> int:
    from sqlalchemy import func, select

    from shared.tables import Outbox

    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(Outbox).where(Outbox.published_at.is_(None)))


_rng = random.Random()


def make_uscc(region: str = "110111") -> str:
    """A fresh valid 统一社会信用代码 (Fangshan's division code by default)."""
    from shared.validators import USCC_CHARS, uscc_check_char

    body = "91" + region + "".join(_rng.choice(USCC_CHARS) for _ in range(9))
    return body + uscc_check_char(body)


def wrong_check(code: str) -> str:
    """The same 统一社会信用代码 or resident ID with a check character that is certainly wrong."""
    return code[:-1] + ("1" if code[-1] == "0" else "0")


def make_resident_id(born: str = "19900101", serial: int | None = None) -> str:
    from shared.validators import ID_CHECK, ID_WEIGHTS

    body = "110111" + born + f"{_rng.randint(0, 999) if serial is None else serial:03d}"
    return body + ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS)) % 11]


# -- registry records and events, built as the registry builds them (for handler-level tests) --------

def enterprise_record(uscc: str, version: int, *certs, name: str | None = None, **facts):
    """A registry record at `version`. Each certification is a CertificationRecord, or a tuple
    (tier, recognized_on, expires_on[, revoked_on]) numbered in the order given."""
    from shared.contracts.registry import CertificationRecord, EnterpriseRecord

    made = tuple(c if isinstance(c, CertificationRecord) else
                 CertificationRecord(id=i, tier=c[0], recognized_on=c[1], expires_on=c[2],
                                     revoked_on=c[3] if len(c) > 3 else None,
                                     state="revoked" if len(c) > 3 and c[3] else "active")
                 for i, c in enumerate(certs, 1))
    return EnterpriseRecord(uscc=uscc, name=name or f"企业{uscc[-6:]}", version=version, certifications=made, **facts)


def registry_event(model, record, **flat):
    """The event `model` (shared.contracts.registry) around `record`, with its flat facts, in an envelope."""
    from shared.events import new_event

    facts = record.model_dump(include={"name", "township", "park_id", "industry_code", "relocated_on",
                                       "relocated_from", "relocated_from_code", "introducer"})
    data = model(uscc=record.uscc, enterprise_version=record.version, record=record, **facts, **flat)
    return new_event(data.SERVICE, data.NAME, record.uscc, data.model_dump(mode="json"))


def promotion_event(uscc: str, tier: str, recognized_on: str, *, certification_id: int = 1, version: int = 2,
                    name: str | None = None):
    """A first promotion from `sme` to `tier` by certification `certification_id` (three years' validity)."""
    from shared.contracts.registry import CertificationRecord, EnterprisePromoted

    on = dt.date.fromisoformat(recognized_on)
    try:
        anniversary = on.replace(year=on.year + 3)
    except ValueError:  # 29 February
        anniversary = dt.date(on.year + 3, 3, 1)
    cert = CertificationRecord(id=certification_id, tier=tier, recognized_on=on,
                               expires_on=anniversary - dt.timedelta(days=1))
    return registry_event(EnterprisePromoted, enterprise_record(uscc, version, cert, name=name), from_tier="sme",
                          to_tier=tier, certification_id=certification_id, recognized_on=on,
                          expires_on=cert.expires_on, first_time_at_tier=True)


def deliver(suite, service: str, model, record, **flat) -> None:
    """Hand the registry event `model` around `record` to `service`'s own handler, in one transaction
    (as the bus would, without the inbox)."""
    import importlib

    handlers = importlib.import_module(f"services.{service}.handlers").handlers
    with suite.db(service).transaction() as s:
        handlers.get(model.subject())(s, registry_event(model, record, **flat))
