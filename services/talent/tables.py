"""Talent tables: household-registration quota grants (落户指标), the entitlements behind them,
the registry's revocations as seen here (for their reasons), and nominations that use the quotas.
The registry's records themselves are in the plumbing table `registry_record` (shared.projection)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.db import new_registry, utcnow

UPDATED = {"onupdate": utcnow}


class Table(SQLModel, registry=new_registry()):
    pass


class QuotaGrant(Table, table=True):
    """An enterprise's quotas for one year: never two rows for one (uscc, year).

    `granted` is the largest active entitlement of that year (never a sum: 不重复享受), and
    never less than `used`; `used` counts the nominations holding a quota of this grant."""

    __tablename__ = "quota_grant"
    __table_args__ = (UniqueConstraint("uscc", "year"),
                      CheckConstraint("used >= 0", name="used_not_negative"),
                      CheckConstraint("used <= granted", name="used_within_granted"))
    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(max_length=18)
    year: int
    granted: int = 0
    used: int = 0
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime, sa_column_kwargs=UPDATED)


class QuotaEntitlement(Table, table=True):
    """What one certification entitles an enterprise to in one year, with the parameter rows
    used. One row per (grant, certification): a second event about the same facts adds nothing."""

    __tablename__ = "quota_entitlement"
    __table_args__ = (UniqueConstraint("grant_id", "certification_id"),
                      Index("ix_quota_entitlement_certification", "certification_id"))
    id: int | None = Field(default=None, primary_key=True)
    grant_id: int = Field(foreign_key="quota_grant.id")
    certification_id: int
    tier: str = Field(max_length=30)
    recognized_on: dt.date
    count: int
    params: list = Field(sa_type=JSON)  # the cited parameter rows
    event_id: str = Field(max_length=36)  # the promotion that produced it
    state: str = Field(default="active", max_length=10)  # active, cancelled
    cancelled_on: dt.date | None = None
    cancel_reason: str | None = Field(default=None, max_length=500)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class CertificationRevocation(Table, table=True):
    """A registry revocation event as seen here, kept for its reason (cited when an entitlement is
    cancelled). Whether and from when a certification is revoked is read from the newest registry
    record held (shared.projection), whichever event brought it."""

    __tablename__ = "certification_revocation"
    certification_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    uscc: str = Field(max_length=18)
    tier: str = Field(max_length=30)
    revoked_on: dt.date
    for_cause: bool
    reason: str | None = Field(default=None, max_length=500)
    event_id: str = Field(max_length=36)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class Nomination(Table, table=True):
    """A person nominated on one of an enterprise's quotas (聚源计划 category).

    The resident ID is stored only as a Fernet token (`id_cipher`), a mask (nominations.pii.mask)
    and a keyed hash (`person_key`, HMAC-SHA256) that finds the same person's other nominations;
    birth date and gender are derived from it at submission (shown to the talent office only)."""

    __tablename__ = "nomination"
    __table_args__ = (Index("ix_nomination_uscc_year", "uscc", "year"),
                      Index("ix_nomination_grant_id", "grant_id"),
                      Index("ix_nomination_person_key", "person_key"))
    id: int | None = Field(default=None, primary_key=True)
    grant_id: int = Field(foreign_key="quota_grant.id")
    uscc: str = Field(max_length=18)
    year: int
    category: str = Field(max_length=10)
    person_name: str = Field(max_length=200)
    id_cipher: str = Field(sa_type=Text)
    id_masked: str = Field(max_length=18)
    # NULL only for nominations made before the column existed, until the backfill job fills it.
    person_key: str | None = Field(default=None, max_length=64)
    gender: str = Field(max_length=6)
    birth_date: dt.date
    education: str = Field(max_length=200)
    post: str = Field(max_length=200)
    documents: list = Field(default_factory=list, sa_type=JSON)
    # submitted, district_reviewed, recommended, approved, rejected, withdrawn
    state: str = Field(default="submitted", max_length=20)
    state_reason: str | None = Field(default=None, max_length=2000)
    created_by: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime, sa_column_kwargs=UPDATED)
