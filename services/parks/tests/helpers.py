"""Helpers for the parks tests: make a park, register enterprises in the registry."""
from __future__ import annotations

import uuid

from shared import testing
from shared.contracts.registry import EnterpriseRegistered
from shared.testing import enterprise_record, make_uscc


async def new_park(suite, **fields) -> dict:
    body = {"name": f"测试园区-{uuid.uuid4().hex[:8]}", **fields}
    r = await suite.client("parks").post("/api/v1/parks", json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def enterprise_in(suite, park_id: str | None, *certs: tuple[str, str], uscc: str | None = None) -> str:
    """Register an enterprise in the registry with the given (tier, recognized_on) certifications."""
    uscc = uscc or make_uscc()
    reg = suite.client("registry")
    r = await reg.post("/api/v1/enterprises", json={"uscc": uscc, "name": f"企业{uscc[-6:]}", "park_id": park_id})
    assert r.status_code == 201, r.text
    for tier, on in certs:
        r = await reg.post(f"/api/v1/enterprises/{uscc}/certifications", json={"tier": tier, "recognized_on": on})
        assert r.status_code == 201, r.text
    return uscc


# A registry record at a version, certifications as (tier, recognized_on, expires_on[, revoked_on]).
record = enterprise_record


def deliver(suite, model, record, **flat) -> None:
    """Call parks' own handler for `model` directly, with an event carrying `record`."""
    testing.deliver(suite, "parks", model, record, **flat)


def placed(suite, park_id: str | None, *certs: tuple, uscc: str | None = None) -> str:
    """An enterprise the registry places in `park_id`, as parks learns it from a registered event
    (delivered straight to the handler: quicker than a round trip through the registry)."""
    uscc = uscc or make_uscc()
    deliver(suite, EnterpriseRegistered, record(uscc, 1, *certs, park_id=park_id))
    return uscc
