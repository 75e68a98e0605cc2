"""Test support: the whole suite in one process on a real nats-server and real databases.

SQLite files by default; PostgreSQL when SRDI_TEST_DATABASE_URL is set (a server URL such
as postgresql+psycopg://postgres@127.0.0.1:5432/postgres): one database per service is
created for each suite and dropped after it.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import random
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from shared.auth import issue_token
from shared.natsserver import NatsServer
from shared.settings import SERVICES, Settings, available_services

SECRET = "test-secret-not-for-production-0123456789"


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
        self.settings = Settings(data_dir=self.tmp, nats_url=self.nats.url, database_url=template,
                                 jwt_secret=SECRET, **{**defaults, **overrides})
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
        return issue_token(SECRET, role, org)

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

    async def settled(self, timeout: float = 20.0) -> None:
        """Wait until every outbox is empty and every consumer has no pending messages."""
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
        await self.wait_for(quiet, "events to settle", timeout)


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
