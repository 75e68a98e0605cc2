"""What the portal's tests set up through the services themselves: a promoted enterprise, a budget, its award."""
from __future__ import annotations

import contextlib

import httpx

from shared.clock import today


@contextlib.contextmanager
def platform_simulator(suite):
    """The registry talks to the municipal platform's simulator in process (retries without waiting)."""
    from services.registry.platform import client as municipal
    from services.registry.platform.simulator import make_simulator

    async def no_sleep(_):
        return None
    app = suite.apps["registry"]
    app.state.municipal_platform = municipal.HttpMunicipalPlatform(
        "http://platform", transport=httpx.ASGITransport(app=make_simulator()), sleep=no_sleep, timeout_s=2.0)
    try:
        yield
    finally:
        del app.state.municipal_platform


async def promote(suite, uscc: str, tier: str = "municipal_srdi", name: str = "北京门户测试科技有限公司",
                  **facts) -> None:
    r = suite.client("registry")
    assert (await r.post("/api/v1/enterprises", json={"uscc": uscc, "name": name, **facts})).status_code == 201
    assert (await r.post(f"/api/v1/enterprises/{uscc}/certifications",
                         json={"tier": tier, "recognized_on": "2025-03-01"})).status_code == 201
    await suite.settled()


async def fund(suite, yuan: int = 10**9) -> None:
    """Give this year's tier awards a budget, where the awards service keeps budgets (issue 3)."""
    r = await suite.client("awards", "treasury").put(f"/api/v1/budgets/{today().year}/tier",
                                                     json={"allocated_yuan": yuan})
    assert r.status_code in (200, 201, 404, 405), r.text


async def award_of(suite, uscc: str) -> dict:
    items = (await suite.client("awards").get(f"/api/v1/awards?uscc={uscc}")).json()["items"]
    assert len(items) == 1
    return items[0]


async def a_park(suite, name: str | None = None) -> dict:
    """A park the parks service knows (a park user signs in for one that exists)."""
    import uuid
    name = name or f"门户测试园{uuid.uuid4().hex[:6]}"
    r = await suite.client("parks").post("/api/v1/parks", json={"name": name})
    assert r.status_code == 201, r.text
    return r.json()
