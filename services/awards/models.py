"""Awards tables: awards with their state history, and the enterprise facts awards depend on."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import new_metadata, utcnow


class Base(DeclarativeBase):
    metadata = new_metadata()


class Enterprise(Base):
    """Facts from the registry's events; also the row locked to serialise one enterprise's awards."""

    __tablename__ = "enterprise"
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    park_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    relocated_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    relocated_from: Mapped[str | None] = mapped_column(String(100), nullable=True)
    introducer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Award(Base):
    __tablename__ = "award"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The natural key that makes an award happen once whatever events arrive:
    # tier:{uscc}:{tier}, relocation:{uscc}, introducer:{uscc}, featured_park:first.
    award_key: Mapped[str] = mapped_column(String(100), unique=True)
    program: Mapped[str] = mapped_column(String(20))
    uscc: Mapped[str | None] = mapped_column(String(18), nullable=True)  # the enterprise it is about
    payee: Mapped[str] = mapped_column(String(200))  # who is paid: enterprise, intermediary or park
    payee_type: Mapped[str] = mapped_column(String(20))  # enterprise, intermediary, park
    tier: Mapped[str | None] = mapped_column(String(30), nullable=True)
    amount_yuan: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="computed")
    basis: Mapped[dict] = mapped_column(JSON)
    decided_on: Mapped[dt.date] = mapped_column(Date)  # the date whose policy applies
    certification_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source_event_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (Index("ix_award_uscc_program", "uscc", "program"), Index("ix_award_state", "state"))


class AwardTransition(Base):
    """Every state change of an award: who, when, why (append-only)."""

    __tablename__ = "award_transition"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("award.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_state: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    voucher: Mapped[str | None] = mapped_column(String(200), nullable=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
