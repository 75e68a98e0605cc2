"""Helpers for the outreach tests: register district enterprises and wait for the projection."""
from __future__ import annotations

import asyncio

import orjson

from services.outreach.handlers import handlers
from shared import projection
from shared.clock import today
from shared.contracts.registry import CertificationRecord, EnterpriseRecord
from shared.events import new_event
from shared.testing import make_uscc

SIGNED = "srdi.outreach.contract.signed.v1"


async def district_enterprise(suite, township: str | None = None, park_id: str | None = None,
                              tier: tuple[str, str] | None = None, name: str | None = None,
                              industry_code: str | None = None) -> str:
    """Register an enterprise in the registry (optionally certify it) and wait until outreach knows it."""
    uscc = make_uscc()
    reg = suite.client("registry")
    r = await reg.post("/api/v1/enterprises", json={"uscc": uscc, "name": name or f"企业{uscc[-6:]}",
                                                    "township": township, "park_id": park_id,
                                                    **({"industry_code": industry_code} if industry_code else {})})
    assert r.status_code == 201, r.text
    if tier:
        r = await reg.post(f"/api/v1/enterprises/{uscc}/certifications",
                           json={"tier": tier[0], "recognized_on": tier[1]})
        assert r.status_code == 201, r.text

    def known():
        with suite.db("outreach").reader() as s:
            r = projection.record_of(s, uscc)
            return r is not None and (tier is None or r.tier_on(today()) == tier[0])
    await suite.wait_for(known, f"outreach to learn of {uscc}")
    return uscc


async def stream_events(suite, subject: str = SIGNED) -> list[dict]:
    """Every message on a subject in the SRDI stream (data of each CloudEvent)."""
    js = suite.apps["outreach"].state.bus.js
    sub = await js.subscribe(subject, ordered_consumer=True)
    out = []
    try:
        while True:
            try:
                msg = await sub.next_msg(timeout=1.0)
            except (asyncio.TimeoutError, TimeoutError):
                break
            out.append(orjson.loads(msg.data)["data"])
    finally:
        await sub.unsubscribe()
    return out


def record(uscc: str, version: int, *certs: tuple, **facts) -> EnterpriseRecord:
    """A registry record at `version` with certifications (tier, recognized_on, expires_on), ids in
    the order given."""
    return EnterpriseRecord(uscc=uscc, name=facts.pop("name", f"企业{uscc[-6:]}"), version=version, **facts,
                            certifications=tuple(CertificationRecord(id=i, tier=c[0], recognized_on=c[1],
                                                                     expires_on=c[2])
                                                 for i, c in enumerate(certs, 1)))


def deliver(suite, model, record: EnterpriseRecord, **flat) -> None:
    """Call outreach's own handler for `model` directly, in one transaction, with an event carrying
    `record` (as the bus would, without the inbox)."""
    data = model(uscc=record.uscc, enterprise_version=record.version, record=record,
                 **record.model_dump(include={"name", "township", "park_id", "industry_code", "relocated_on",
                                              "relocated_from", "relocated_from_code", "introducer"}), **flat)
    event = new_event("registry", model.NAME, record.uscc, data.model_dump(mode="json"))
    with suite.db("outreach").transaction() as s:
        handlers.get(model.subject())(s, event)
