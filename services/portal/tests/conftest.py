"""Portal fixtures: the portal app wired to the in-process suite, and a signed-in browserless client."""
from __future__ import annotations

import re

import httpx
import pytest

from services.portal.config import PortalSettings
from services.portal.main import create_portal


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives Debian's Chromium with Playwright (skipped without it)")


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = CSRF.search(html)
    assert m, "no CSRF field on the page"
    return m.group(1)


class Portal:
    """An httpx client on the portal app; `login(role)` signs in through the form."""

    def __init__(self, app):
        self.app = app
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                      base_url="http://127.0.0.1", timeout=60)

    async def csrf(self, path: str = "/login") -> str:
        return csrf_of((await self.http.get(path)).text)

    async def login(self, role: str, org: str = "") -> httpx.Response:
        token = await self.csrf("/login")
        r = await self.http.post("/login", data={"role": role, "org": org, "csrf_token": token})
        assert r.status_code == 303, r.text
        return r

    async def post(self, path: str, data: dict | None = None, page: str = "/", **kw) -> httpx.Response:
        return await self.http.post(path, data={"csrf_token": await self.csrf(page), **(data or {})}, **kw)


@pytest.fixture(scope="module")
def portal_app(suite):
    transports = {s: httpx.ASGITransport(app=a) for s, a in suite.apps.items()}
    return create_portal(suite.settings, PortalSettings(), transports)


@pytest.fixture
async def portal(portal_app):
    p = Portal(portal_app)
    yield p
    await p.http.aclose()
