"""What the registry publishes about an enterprise: every event carries the enterprise's whole
record (its facts and every certification, with a version), so a consumer keeps the newest record
it has seen and derives the tier on any date from it (shared.tiers.tier_on), never by folding
changes. The flat fields beside `record` say what happened, for triggers (an award, a quota grant)
and for readers of the stream; they are not a state to fold."""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from shared import tiers
from shared.contracts import EventData
from shared.tiers import Tier


class CertificationRecord(BaseModel):
    """One certification as the registry holds it. `expires_on` is the last valid day;
    `revoked_on` the first day it no longer counts; `state` is active, expired or revoked."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    id: int
    tier: Tier
    recognized_on: dt.date
    expires_on: dt.date
    revoked_on: dt.date | None = None
    for_cause: bool = False
    state: str = "active"


class EnterpriseRecord(BaseModel):
    """The registry's whole record of an enterprise at `version` (bumped with every change)."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    uscc: str
    name: str
    version: int
    township: str | None = None
    park_id: str | None = None
    industry_code: str | None = None
    relocated_on: dt.date | None = None
    relocated_from: str | None = None  # the origin's name
    relocated_from_code: str | None = None  # the origin's GB/T 2260 division code (Beijing: 11xxxx)
    introducer: str | None = None
    certifications: tuple[CertificationRecord, ...] = ()

    def tier_on(self, on: dt.date) -> str:
        return tiers.tier_on(self.certifications, on)

    def held_on(self, on: dt.date) -> set[str]:
        return tiers.held_on(self.certifications, on)

    def certification(self, certification_id: int) -> CertificationRecord | None:
        return next((c for c in self.certifications if c.id == certification_id), None)


class EnterpriseEvent(EventData):
    """Every registry event about an enterprise: the whole record and its version. The enterprise's
    facts are repeated flat beside it for readers of the first catalogue (EVENTS.md)."""

    SERVICE = "registry"
    uscc: str
    enterprise_version: int
    record: EnterpriseRecord
    name: str
    township: str | None = None
    park_id: str | None = None
    industry_code: str | None = None
    relocated_on: dt.date | None = None
    relocated_from: str | None = None
    relocated_from_code: str | None = None
    introducer: str | None = None


class EnterpriseRegistered(EnterpriseEvent):
    NAME = "enterprise.registered.v1"


class EnterprisePromoted(EnterpriseEvent):
    """The tier on `recognized_on` rose with certification `certification_id`."""

    NAME = "enterprise.promoted.v1"
    from_tier: Tier
    to_tier: Tier
    certification_id: int
    recognized_on: dt.date
    expires_on: dt.date
    first_time_at_tier: bool


class EnterpriseDemoted(EnterpriseEvent):
    """The tier fell on `on` (a title lapsed or was revoked); announced by the expiry sweep or the
    revocation. Readers need not wait for it: the record already says when each title ends."""

    NAME = "enterprise.demoted.v1"
    from_tier: Tier
    to_tier: Tier
    reason: str  # expired, revoked
    certification_id: int
    on: dt.date


class CertificationAdded(EnterpriseEvent):
    """A certification was recorded that does not raise the tier (a renewal, 复核, or a lower title
    beside a higher one): the record changed, so every copy of it must too."""

    NAME = "certification.added.v1"
    certification_id: int
    tier: Tier
    recognized_on: dt.date


class CertificationRevoked(EnterpriseEvent):
    NAME = "certification.revoked.v1"
    certification_id: int
    tier: Tier
    reason: str | None = None
    for_cause: bool = False
    revoked_on: dt.date



class EnterpriseRecorded(EnterpriseEvent):
    """The record re-announced as it stands (`POST /api/v1/admin/announce-records` in the registry):
    fills the copies of a service that has none yet — one added later, or a database from before
    events carried records. Nothing happened to the enterprise: it triggers nothing."""

    NAME = "enterprise.recorded.v1"


# Every registry event that carries an enterprise's record: a copy keeps the newest of them all.
RECORD_EVENTS: tuple[type[EnterpriseEvent], ...] = (
    EnterpriseRegistered, EnterprisePromoted, EnterpriseDemoted, CertificationAdded, CertificationRevoked,
    EnterpriseRecorded)
