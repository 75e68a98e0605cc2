"""Test helpers: drive the registry through its API, read the finance service list."""
from __future__ import annotations

import asyncio
import datetime as dt

import orjson

from shared.contracts import EventData
from shared.contracts.registry import (CertificationAdded, CertificationRecord, CertificationRevoked, EnterpriseDemoted,
                                       EnterpriseEvent, EnterprisePromoted, EnterpriseRecord, EnterpriseRegistered)
from shared.events import Event, new_event
from shared.testing import make_uscc


async def register(suite, name: str = "北京房山测试科技有限公司") -> str:
    uscc = make_uscc()
    r = await suite.client("registry").post("/api/v1/enterprises", json={"uscc": uscc, "name": name})
    assert r.status_code == 201, r.text
    return uscc


async def certify(suite, uscc: str, tier: str, on: str) -> int:
    r = await suite.client("registry").post(f"/api/v1/enterprises/{uscc}/certifications",
                                            json={"tier": tier, "recognized_on": on})
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def revoke(suite, cert_id: int, on: str, for_cause: bool = True) -> None:
    r = await suite.client("registry").post(f"/api/v1/certifications/{cert_id}/revoke",
                                            json={"reason": "虚假申报" if for_cause else "企业申请注销",
                                                  "for_cause": for_cause, "revoked_on": on})
    assert r.status_code == 200, r.text


async def entry(suite, uscc: str) -> dict | None:
    r = await suite.client("finance", role="finance").get(f"/api/v1/service-list/{uscc}")
    assert r.status_code in (200, 404), r.text
    return r.json() if r.status_code == 200 else None


async def wait_entry(suite, uscc: str, what: str, **expected) -> dict:
    """Wait until the enterprise's entry has the expected fields."""
    async def ok():
        e = await entry(suite, uscc)
        return e if e and all(e.get(k) == v for k, v in expected.items()) else None
    return await suite.wait_for(ok, what)


async def listed_enterprise(suite, tier: str = "municipal_srdi", on: str = "2025-06-01") -> str:
    uscc = await register(suite)
    await certify(suite, uscc, tier, on)
    await wait_entry(suite, uscc, f"{uscc} on the service list", listed=True)
    return uscc


async def all_items(client, **params) -> list[dict]:
    """Walk every page of the service list."""
    items, cursor = [], None
    while True:
        r = await client.get("/api/v1/service-list", params={**params, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if not cursor:
            return items


def cert(i: int, tier: str, recognized_on: dt.date, expires_on: dt.date | None = None,
         revoked_on: dt.date | None = None) -> CertificationRecord:
    """A certification as the registry's record carries it (three years when no last day is given)."""
    last = expires_on or recognized_on.replace(year=recognized_on.year + 3) - dt.timedelta(days=1)
    return CertificationRecord(id=i, tier=tier, recognized_on=recognized_on, expires_on=last, revoked_on=revoked_on,
                               state="revoked" if revoked_on else "active")


def record(uscc: str, version: int, *certs: CertificationRecord, name: str = "北京房山测试科技有限公司"
           ) -> EnterpriseRecord:
    return EnterpriseRecord(uscc=uscc, name=name, version=version, certifications=certs)


def payload(model: type[EnterpriseEvent], rec: EnterpriseRecord, **flat) -> EnterpriseEvent:
    """A registry event's data around a record, as the registry builds it."""
    return model(uscc=rec.uscc, enterprise_version=rec.version, record=rec, name=rec.name, **flat)


def registered(rec: EnterpriseRecord) -> EnterpriseRegistered:
    return payload(EnterpriseRegistered, rec)


def promoted(rec: EnterpriseRecord, c: CertificationRecord, from_tier: str = "sme") -> EnterprisePromoted:
    return payload(EnterprisePromoted, rec, from_tier=from_tier, to_tier=c.tier, certification_id=c.id,
                   recognized_on=c.recognized_on, expires_on=c.expires_on, first_time_at_tier=True)


def added(rec: EnterpriseRecord, c: CertificationRecord) -> CertificationAdded:
    return payload(CertificationAdded, rec, certification_id=c.id, tier=c.tier, recognized_on=c.recognized_on)


def revoked(rec: EnterpriseRecord, c: CertificationRecord) -> CertificationRevoked:
    return payload(CertificationRevoked, rec, certification_id=c.id, tier=c.tier, reason="撤销",
                   revoked_on=c.revoked_on)


def demoted(rec: EnterpriseRecord, c: CertificationRecord, from_tier: str, on: dt.date,
            reason: str = "expired") -> EnterpriseDemoted:
    return payload(EnterpriseDemoted, rec, from_tier=from_tier, to_tier=rec.tier_on(on), reason=reason,
                   certification_id=c.id, on=on)


def registry_event(data: EventData) -> Event:
    return new_event(data.SERVICE, data.NAME, data.uscc, data.model_dump(mode="json"))


def raw_event(name: str, uscc: str, data: dict) -> Event:
    """An event as it may arrive broken (not built from a model)."""
    return new_event("registry", name, uscc, {"uscc": uscc, **data})


async def deliver(suite, event) -> str:
    """Hand one event to the finance consumer exactly as JetStream would (inbox and all)."""
    bus = suite.apps["finance"].state.bus
    return await asyncio.to_thread(bus.handle_raw, event.nats_subject, orjson.dumps(event.envelope()))


# -- loan cases through the API (a bank, a product, a drawn loan) ---------------------------------
LOANS = "/api/v1/loans"
PRODUCTS = "/api/v1/products"


def bank(suite, org="B1"):
    return suite.client("finance", role="bank", org=org)


async def product(suite, kind, name, provider, insurance_type=None):
    r = await suite.client("finance", role="finance").post(PRODUCTS, json={
        "kind": kind, "name": name, "provider_org": provider, "description": "测试产品",
        **({"insurance_type": insurance_type} if insurance_type else {})})
    assert r.status_code in (201, 409), r.text
    return r.json()["id"] if r.status_code == 201 else r.json()["existing"]["id"]


async def drawn_loan(suite, uscc, org="B1", first_loan=True, guarantor=None, drawn=10_000_000, rate_bp=350):
    c = bank(suite, org)
    r = await c.post(LOANS, json={"uscc": uscc, "applied_yuan": drawn, "applied_on": "2025-07-01",
                                  "first_loan": first_loan, **({"guarantor": guarantor} if guarantor else {})})
    assert r.status_code == 201, r.text
    loan = r.json()["id"]
    r = await c.post(f"{LOANS}/{loan}/decision", json={"approved": True, "decided_on": "2025-07-10"})
    assert r.status_code == 200 and r.json()["state"] == "approved", r.text
    r = await c.post(f"{LOANS}/{loan}/draw", json={"drawn_yuan": drawn, "drawn_on": "2025-07-15",
                                                   "rate_bp": rate_bp, "due_on": "2026-07-14"})
    assert r.status_code == 200 and r.json()["state"] == "drawn", r.text
    return loan
