"""What the correction tests read back: the registry's outbox, audit rows and known parks."""
from __future__ import annotations

import asyncio

import orjson
from sqlalchemy import select

from shared.events import new_event
from shared.tables import AuditLog, Outbox


def published(suite, name: str, uscc: str) -> list[dict]:
    """The data of every registry event `name` (e.g. enterprise.changed.v1) about an enterprise, in order."""
    with suite.db("registry").reader() as s:
        rows = s.scalars(select(Outbox.payload).where(Outbox.subject == f"srdi.registry.{name}")
                         .order_by(Outbox.created_at))
        return [d for d in (orjson.loads(p)["data"] for p in rows) if d["uscc"] == uscc]


def audited(suite, action: str, object_id: str) -> list[AuditLog]:
    with suite.db("registry").reader() as s:
        return list(s.scalars(select(AuditLog).where(AuditLog.action == action, AuditLog.object_id == object_id)
                              .order_by(AuditLog.id)))


async def record_park(suite, park_id: str, name: str, version: int = 1, township: str | None = "窦店镇") -> str:
    """Parks' srdi.parks.park.recorded.v1 handed to the registry's consumer (as NATS would)."""
    event = new_event("parks", "park.recorded.v1", park_id,
                      {"park_id": park_id, "name": name, "township": township, "version": version})
    bus = suite.apps["registry"].state.bus
    return await asyncio.to_thread(bus.handle_raw, event.nats_subject, orjson.dumps(event.envelope()))


async def register(suite, uscc: str, **facts) -> dict:
    r = await suite.client("registry").post("/api/v1/enterprises", json={"uscc": uscc, "name": "更正测试企业", **facts})
    assert r.status_code == 201, r.text
    return r.json()


async def certify(suite, uscc: str, tier: str, on: str) -> dict:
    r = await suite.client("registry").post(f"/api/v1/enterprises/{uscc}/certifications",
                                            json={"tier": tier, "recognized_on": on})
    assert r.status_code == 201, r.text
    return r.json()
