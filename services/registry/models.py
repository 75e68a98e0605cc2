"""Registry tables: enterprises and their certifications (tier history)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import new_metadata, utcnow


class Base(DeclarativeBase):
    metadata = new_metadata()


class Enterprise(Base):
    __tablename__ = "enterprise"
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    township: Mapped[str | None] = mapped_column(String(50), nullable=True)
    industry_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    founded_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    park_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    relocated_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    relocated_from: Mapped[str | None] = mapped_column(String(100), nullable=True)
    introducer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Bumped with every tier event, so consumers can ignore a stale one that arrives late.
    version: Mapped[int] = mapped_column(Integer, default=0)
    # The enterprise and its certifications as JSON, rewritten with every change in the same
    # transaction: the hot read path serves it with one primary-key lookup (see bench/).
    doc: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Certification(Base):
    __tablename__ = "certification"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(ForeignKey("enterprise.uscc"))
    tier: Mapped[str] = mapped_column(String(30))
    recognized_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date] = mapped_column(Date)  # the last valid day
    batch: Mapped[str | None] = mapped_column(String(50), nullable=True)
    source: Mapped[str] = mapped_column(String(30), default="manual")
    state: Mapped[str] = mapped_column(String(10), default="active")  # active, expired, revoked
    revoked_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    revoke_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    for_cause: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("uscc", "tier", "recognized_on"),
                      Index("ix_certification_state_expires", "state", "expires_on"))
