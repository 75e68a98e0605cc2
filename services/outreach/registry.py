"""Outreach's reading of the registry's records (shared.projection, the `registry_record` table):
every registry event carries an enterprise's whole record; the newest is kept and read here."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from shared import projection
from shared.contracts.registry import EnterpriseRecord
from shared.errors import Problem, not_found


# The body fields that name an enterprise, as the Chinese message calls them.
PARTY_ZH = {"uscc": "企业", "supplier_uscc": "供方企业", "buyer_uscc": "需方企业", "proposal_id": "方案的企业"}


def not_in_registry(field: str, uscc: str) -> Problem:
    return Problem(422, "not-in-registry", f"{PARTY_ZH.get(field, '企业')} {uscc} 不在区经信局企业库中（或尚未同步）",
                   f"{field}: enterprise {uscc} is not in the district registry (or not yet synchronised)",
                   errors=[{"loc": ["body", field], "msg": "not a registered district enterprise",
                            "type": "not-in-registry"}])


def known(s: Session, uscc: str) -> EnterpriseRecord:
    """The registry's newest record of an enterprise a path names: 404 when the registry does not hold it."""
    r = projection.record_of(s, uscc)
    if r is None:
        raise not_found("企业", "Enterprise", uscc)
    return r


def district(s: Session, uscc: str, field: str) -> EnterpriseRecord:
    """The registry's newest record of a district enterprise (its facts come from nowhere else)."""
    r = projection.record_of(s, uscc)
    if r is None:
        raise not_in_registry(field, uscc)
    return r


def learn(s: Session, record: EnterpriseRecord) -> bool:
    """Keep the registry's record when it is newer than the one held (a stale or repeated one
    changes nothing). True when it was newer. handlers.py calls it for every registry event."""
    return projection.remember(s, record) is not record


def facts(r: EnterpriseRecord, on: dt.date) -> dict:
    """What a notice target is matched against: the record's facts and its tier on `on`."""
    return {"uscc": r.uscc, "tier": r.tier_on(on), "township": r.township, "park_id": r.park_id,
            "industry_code": r.industry_code}


def records(s: Session, usccs: list[str] | None) -> dict[str, EnterpriseRecord]:
    """The newest record of every enterprise held (of `usccs` only, when given)."""
    return projection.records(s, usccs=usccs or None)


def name_of(s: Session, uscc: str) -> str:
    """The enterprise's name for a message, or its USCC when no record is held."""
    r = projection.record_of(s, uscc)
    return r.name if r else uscc
