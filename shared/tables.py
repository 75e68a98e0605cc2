"""Plumbing tables every service database has (one Alembic history in shared/migrations)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, utcnow


class Outbox(Base):
    """Events written in the same transaction as the state they announce; the relay publishes them."""

    __tablename__ = "outbox"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the CloudEvents id
    subject: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)  # the whole envelope, JSON
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (Index("ix_outbox_pending", "published_at", "created_at"),)


class Inbox(Base):
    """Events a consumer has handled, recorded in the handler's own transaction."""

    __tablename__ = "inbox"
    consumer: Mapped[str] = mapped_column(String(50), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    handled_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class DeadLetter(Base):
    """Events that failed every delivery: kept, visible and replayable."""

    __tablename__ = "dead_letter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consumer: Mapped[str] = mapped_column(String(50))
    event_id: Mapped[str] = mapped_column(String(36))
    subject: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)
    error: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    replayed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    __table_args__ = (UniqueConstraint("consumer", "event_id"),)


class IdempotencyKey(Base):
    """First answers to POSTs with an Idempotency-Key, replayed to retries (kept ≥ 24 h)."""

    __tablename__ = "idempotency_key"
    principal: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None while running
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    content_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditLog(Base):
    """Who changed what, when, with the state before and after."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))  # role:org:sub, or event:<id> for consumers
    action: Mapped[str] = mapped_column(String(100))
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[str] = mapped_column(String(100))
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)


class PolicyParameter(Base):
    """A policy value in force from a date; a change is a new row, history is never edited."""

    __tablename__ = "policy_parameter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(100))
    value: Mapped[dict | int | str | float | list] = mapped_column(JSON)
    effective_from: Mapped[dt.date] = mapped_column(Date)
    legal_ref: Mapped[str] = mapped_column(String(300))
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("key", "effective_from"),)


class RegistryRecord(Base):
    """The newest whole record of an enterprise this service has seen from the registry's events
    (shared.projection): replaced when a newer version arrives, never folded from changes."""

    __tablename__ = "registry_record"
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    park_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    record: Mapped[str] = mapped_column(Text)  # EnterpriseRecord as JSON
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
