"""Helpers for the talent tests: drive the registry, deliver events, read quotas, nominate."""
from __future__ import annotations

import random

import orjson
from sqlalchemy import func, select

from shared.clock import today
from shared.contracts.registry import CertificationRecord, CertificationRevoked, EnterprisePromoted, EnterpriseRecord
from shared.events import Event, new_event
from shared.tables import Inbox, Outbox
from shared.testing import make_resident_id, make_uscc

_ids = random.Random()
YEAR = today().year


async def enterprise(suite, name: str = "北京房山测试科技有限公司") -> str:
    uscc = make_uscc()
    r = await suite.client("registry").post("/api/v1/enterprises", json={"uscc": uscc, "name": name})
    assert r.status_code == 201, r.text
    return uscc


async def certify(suite, uscc: str, tier: str, on: str) -> dict:
    r = await suite.client("registry").post(f"/api/v1/enterprises/{uscc}/certifications",
                                            json={"tier": tier, "recognized_on": on})
    assert r.status_code == 201, r.text
    return r.json()


async def quotas(suite, uscc: str, role: str = "talent") -> dict[int, dict]:
    r = await suite.client("talent", role=role).get("/api/v1/quotas", params={"uscc": uscc})
    assert r.status_code == 200, r.text
    return {q["year"]: q for q in r.json()["items"]}


async def granted(suite, uscc: str) -> dict[int, int]:
    return {y: q["granted"] for y, q in (await quotas(suite, uscc)).items() if q["granted"]}


async def wait_granted(suite, uscc: str, expected: dict[int, int]) -> None:
    async def holds():
        return await granted(suite, uscc) == expected
    await suite.wait_for(holds, f"quotas {expected}")


async def enterprise_with_quotas(suite) -> str:
    """A national little giant recognised this year: one quota in each of this year and the next two."""
    uscc = await enterprise(suite)
    await certify(suite, uscc, "national_little_giant", f"{YEAR}-01-15")
    await wait_granted(suite, uscc, {YEAR: 1, YEAR + 1: 1, YEAR + 2: 1})
    return uscc


def body(uscc, year=YEAR, id_number=None, **extra):
    return {"uscc": uscc, "year": year, "category": "领军人才", "documents": ["DOC-2026-001"],
            "person": {"name": "张三", "id_number": id_number or make_resident_id("19880315", 123),
                       "education": "博士", "post": "首席工程师"}, **extra}


async def available(suite, uscc, year=YEAR):
    return (await quotas(suite, uscc))[year]["available"]


def _expiry(on: str) -> str:
    return f"{int(on[:4]) + 3}{on[4:]}"


def record(uscc: str, version: int, *certs: CertificationRecord) -> EnterpriseRecord:
    return EnterpriseRecord(uscc=uscc, name="合成事件企业", version=version, certifications=certs)


def cert(cert_id: int, tier: str, recognized_on: str, revoked_on: str | None = None,
         for_cause: bool = False) -> CertificationRecord:
    return CertificationRecord(id=cert_id, tier=tier, recognized_on=recognized_on, expires_on=_expiry(recognized_on),
                               revoked_on=revoked_on, for_cause=for_cause,
                               state="revoked" if revoked_on else "active")


def _event(data) -> Event:
    return new_event(data.SERVICE, data.NAME, data.uscc, data.model_dump(mode="json"))


def promotion(uscc: str, to_tier: str, recognized_on: str, cert_id: int | None = None, first_time: bool = True,
              from_tier: str = "municipal_srdi", version: int = 2, others: tuple = ()) -> Event:
    """A registry promotion event (shared.contracts), its record holding this certification and `others`."""
    cert_id = cert_id or synthetic_cert_id()
    r = record(uscc, version, *others, cert(cert_id, to_tier, recognized_on))
    return _event(EnterprisePromoted(
        uscc=uscc, enterprise_version=version, record=r, name=r.name, from_tier=from_tier, to_tier=to_tier,
        certification_id=cert_id, recognized_on=recognized_on, expires_on=_expiry(recognized_on),
        first_time_at_tier=first_time))


def revocation(uscc: str, cert_id: int, tier: str, revoked_on: str, for_cause: bool = True,
               recognized_on: str = "2025-08-01", version: int = 3) -> Event:
    """A registry revocation event, its record holding the revoked certification."""
    r = record(uscc, version, cert(cert_id, tier, recognized_on, revoked_on, for_cause))
    return _event(CertificationRevoked(
        uscc=uscc, enterprise_version=version, record=r, name=r.name, certification_id=cert_id, tier=tier,
        reason="虚假申报", for_cause=for_cause, revoked_on=revoked_on))


def synthetic_cert_id() -> int:
    """Far above the registry's own ids in a test suite."""
    return _ids.randint(10_000_000, 2_000_000_000)


async def publish(suite, event: Event, msg_id: str | None = None) -> None:
    """Publish to JetStream as a relay would (msg_id: the Nats-Msg-Id, default the event id)."""
    js = suite.apps["talent"].state.bus.js
    await js.publish(event.nats_subject, orjson.dumps(event.envelope()), headers={"Nats-Msg-Id": msg_id or event.id})


def registry_events(suite, subject: str, uscc: str) -> list[Event]:
    """The events the registry wrote about one enterprise, oldest first."""
    with suite.db("registry").reader() as s:
        rows = s.scalars(select(Outbox.payload).where(Outbox.subject == subject).order_by(Outbox.created_at)).all()
    return [e for e in (Event.parse(r.encode()) for r in rows) if e.subject == uscc]


def outbox(suite, service: str, subject: str, uscc: str) -> list[dict]:
    """The data of the events a service wrote about one enterprise, oldest first."""
    with suite.db(service).reader() as s:
        rows = s.scalars(select(Outbox.payload).where(Outbox.subject == subject).order_by(Outbox.created_at)).all()
    return [e["data"] for e in map(orjson.loads, rows) if e["subject"] == uscc]


def handled(suite, event_id: str) -> int:
    with suite.db("talent").reader() as s:
        return s.scalar(select(func.count()).select_from(Inbox).where(Inbox.event_id == event_id))
