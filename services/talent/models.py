"""Talent tables: household-registration quota grants (落户指标), the entitlements behind them,
the registry's revocations as seen here (for their reasons), and nominations that use the quotas.
The registry's records themselves are in the plumbing table `registry_record` (shared.projection)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import new_metadata, utcnow


class Base(DeclarativeBase):
    metadata = new_metadata()


class QuotaGrant(Base):
    """An enterprise's quotas for one year: never two rows for one (uscc, year).

    `granted` is the largest active entitlement of that year (never a sum: 不重复享受), and
    never less than `used`; `used` counts the nominations holding a quota of this grant."""

    __tablename__ = "quota_grant"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18))
    year: Mapped[int] = mapped_column(Integer)
    granted: Mapped[int] = mapped_column(Integer, default=0)
    used: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    __table_args__ = (UniqueConstraint("uscc", "year"),
                      CheckConstraint("used >= 0", name="used_not_negative"),
                      CheckConstraint("used <= granted", name="used_within_granted"))


class QuotaEntitlement(Base):
    """What one certification entitles an enterprise to in one year, with the parameter rows
    used. One row per (grant, certification): a second event about the same facts adds nothing."""

    __tablename__ = "quota_entitlement"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("quota_grant.id"))
    certification_id: Mapped[int] = mapped_column(Integer)
    tier: Mapped[str] = mapped_column(String(30))
    recognized_on: Mapped[dt.date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer)
    params: Mapped[list] = mapped_column(JSON)  # the cited parameter rows
    event_id: Mapped[str] = mapped_column(String(36))  # the promotion that produced it
    state: Mapped[str] = mapped_column(String(10), default="active")  # active, cancelled
    cancelled_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("grant_id", "certification_id"),
                      Index("ix_quota_entitlement_certification", "certification_id"))


class CertificationRevocation(Base):
    """A registry revocation event as seen here, kept for its reason (cited when an entitlement is
    cancelled). Whether and from when a certification is revoked is read from the newest registry
    record held (shared.projection), whichever event brought it."""

    __tablename__ = "certification_revocation"
    certification_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    uscc: Mapped[str] = mapped_column(String(18))
    tier: Mapped[str] = mapped_column(String(30))
    revoked_on: Mapped[dt.date] = mapped_column(Date)
    for_cause: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    event_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Nomination(Base):
    """A person nominated on one of an enterprise's quotas (聚源计划 category).

    The resident ID is stored only as a Fernet token (`id_cipher`), a mask (services.talent.pii.mask)
    and a keyed hash (`person_key`, HMAC-SHA256) that finds the same person's other nominations;
    birth date and gender are derived from it at submission (shown to the talent office only)."""

    __tablename__ = "nomination"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("quota_grant.id"))
    uscc: Mapped[str] = mapped_column(String(18))
    year: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(10))
    person_name: Mapped[str] = mapped_column(String(200))
    id_cipher: Mapped[str] = mapped_column(Text)
    id_masked: Mapped[str] = mapped_column(String(18))
    # NULL only for nominations made before the column existed, until the backfill job fills it.
    person_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    gender: Mapped[str] = mapped_column(String(6))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    education: Mapped[str] = mapped_column(String(200))
    post: Mapped[str] = mapped_column(String(200))
    documents: Mapped[list] = mapped_column(JSON, default=list)
    # submitted, district_reviewed, recommended, approved, rejected, withdrawn
    state: Mapped[str] = mapped_column(String(20), default="submitted")
    state_reason: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    __table_args__ = (Index("ix_nomination_uscc_year", "uscc", "year"),
                      Index("ix_nomination_grant_id", "grant_id"),
                      Index("ix_nomination_person_key", "person_key"))
