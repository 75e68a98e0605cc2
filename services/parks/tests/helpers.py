"""Helpers for the parks tests: make a park, register enterprises in the registry."""
from __future__ import annotations

import uuid

from services.parks.handlers import handlers
from shared.contracts.registry import CertificationRecord, EnterpriseRecord, EnterpriseRegistered
from shared.events import new_event
from shared.testing import make_uscc


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


def record(uscc: str, version: int, *certs: tuple, park_id: str | None = None, name: str | None = None,
           **facts) -> EnterpriseRecord:
    """A registry record at `version` with certifications (tier, recognized_on, expires_on[, revoked_on]),
    ids in the order given."""
    return EnterpriseRecord(uscc=uscc, name=name or f"企业{uscc[-6:]}", version=version, park_id=park_id, **facts,
                            certifications=tuple(
                                CertificationRecord(id=i, tier=c[0], recognized_on=c[1], expires_on=c[2],
                                                    revoked_on=c[3] if len(c) > 3 else None)
                                for i, c in enumerate(certs, 1)))


def deliver(suite, model, record: EnterpriseRecord, **flat) -> None:
    """Call parks' own handler for `model` directly, in one transaction, with an event carrying `record`
    (as the bus would, without the inbox)."""
    data = model(uscc=record.uscc, enterprise_version=record.version, record=record,
                 **record.model_dump(include={"name", "township", "park_id", "industry_code", "relocated_on",
                                              "relocated_from", "relocated_from_code", "introducer"}), **flat)
    event = new_event("registry", model.NAME, record.uscc, data.model_dump(mode="json"))
    with suite.db("parks").transaction() as s:
        handlers.get(model.subject())(s, event)


def placed(suite, park_id: str | None, *certs: tuple, uscc: str | None = None) -> str:
    """An enterprise the registry places in `park_id`, as parks learns it from a registered event
    (delivered straight to the handler: quicker than a round trip through the registry)."""
    uscc = uscc or make_uscc()
    deliver(suite, EnterpriseRegistered, record(uscc, 1, *certs, park_id=park_id))
    return uscc
