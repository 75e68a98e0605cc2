"""Helpers for the outreach tests: register district enterprises and wait for the projection."""
from __future__ import annotations

import asyncio

import orjson

from shared import projection, testing
from shared.clock import today
from shared.testing import enterprise_record, make_uscc

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


# A registry record at a version, certifications as (tier, recognized_on, expires_on[, revoked_on]).
record = enterprise_record


def deliver(suite, model, record, **flat) -> None:
    """Call outreach's own handler for `model` directly, with an event carrying `record`."""
    testing.deliver(suite, "outreach", model, record, **flat)
