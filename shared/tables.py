"""Plumbing tables every service database has (one Alembic history in shared/migrations)."""
from __future__ import annotations

import datetime as dt  # noqa: F401 - dates
from typing import Any

from pydantic import NaiveDatetime
from sqlalchemy import JSON, Index, Text, UniqueConstraint, text
from sqlmodel import Field

from shared.db import Base, utcnow


class Outbox(Base, table=True):
    """Events written in the same transaction as the state they announce; the relay publishes them."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "published_at", "created_at"),)
    id: str = Field(primary_key=True, max_length=36)  # the CloudEvents id
    subject: str = Field(max_length=200)
    payload: str = Field(sa_type=Text)  # the whole envelope, JSON
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    published_at: NaiveDatetime | None = None
    claimed_until: NaiveDatetime | None = None
    attempts: int = 0


class Inbox(Base, table=True):
    """Events a consumer has handled, recorded in the handler's own transaction."""

    __tablename__ = "inbox"
    consumer: str = Field(primary_key=True, max_length=50)
    event_id: str = Field(primary_key=True, max_length=36)
    subject: str = Field(max_length=200)
    handled_at: NaiveDatetime = Field(default_factory=utcnow)


class DeadLetter(Base, table=True):
    """Events that failed every delivery: kept, visible and replayable."""

    __tablename__ = "dead_letter"
    __table_args__ = (UniqueConstraint("consumer", "event_id"),)
    id: int | None = Field(default=None, primary_key=True)
    consumer: str = Field(max_length=50)
    event_id: str = Field(max_length=36)
    subject: str = Field(max_length=200)
    payload: str = Field(sa_type=Text)
    error: str = Field(sa_type=Text)
    failed_at: NaiveDatetime = Field(default_factory=utcnow)
    replayed_at: NaiveDatetime | None = None


class IdempotencyKey(Base, table=True):
    """First answers to POSTs with an Idempotency-Key, replayed to retries (kept ≥ 24 h)."""

    __tablename__ = "idempotency_key"
    principal: str = Field(primary_key=True, max_length=200)
    key: str = Field(primary_key=True, max_length=200)
    request_hash: str = Field(max_length=64)
    status: int | None = None  # None while running
    response_body: str | None = Field(default=None, sa_type=Text)
    content_type: str | None = Field(default=None, max_length=100)
    created_at: NaiveDatetime = Field(default_factory=utcnow)


class AuditLog(Base, table=True):
    """Who changed what, when, with the state before and after."""

    __tablename__ = "audit_log"
    # The audit-log API's filters (shared.audit): by object, by actor, by time.
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),
                      Index("ix_audit_log_actor", "actor"), Index("ix_audit_log_at", "at"))
    id: int | None = Field(default=None, primary_key=True)
    at: NaiveDatetime = Field(default_factory=utcnow)
    actor: str = Field(max_length=200)  # role:org:sub, or event:<id> for consumers
    action: str = Field(max_length=100)
    object_type: str = Field(max_length=50)
    object_id: str = Field(max_length=100)
    before: dict | None = Field(default=None, sa_type=JSON)
    after: dict | None = Field(default=None, sa_type=JSON)


# A withdrawn version keeps its row (history) but frees its date for the corrected version.
LIVE_VERSION = text("withdrawn_at IS NULL")


class PolicyParameter(Base, table=True):
    """A policy value in force from a date; a change is a new row, history is never edited. A
    version not yet in force may be withdrawn (a typo): kept, marked, and ignored by every lookup."""

    __tablename__ = "policy_parameter"
    __table_args__ = (Index("uq_policy_parameter_live_key_effective_from", "key", "effective_from", unique=True,
                            sqlite_where=LIVE_VERSION, postgresql_where=LIVE_VERSION),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=100)
    value: Any = Field(sa_type=JSON, sa_column_kwargs={"nullable": False})
    effective_from: dt.date
    legal_ref: str = Field(max_length=300)
    set_by: str = Field(max_length=200)
    set_at: NaiveDatetime = Field(default_factory=utcnow)
    withdrawn_at: NaiveDatetime | None = None
    withdrawn_by: str | None = Field(default=None, max_length=200)
    withdraw_reason: str | None = Field(default=None, max_length=2000)


class RegistryRecord(Base, table=True):
    """The newest whole record of an enterprise this service has seen from the registry's events
    (shared.projection): replaced when a newer version arrives, never folded from changes."""

    __tablename__ = "registry_record"
    uscc: str = Field(primary_key=True, max_length=18)
    version: int
    park_id: str | None = Field(default=None, max_length=64, index=True)
    record: str = Field(sa_type=Text)  # EnterpriseRecord as JSON
    updated_at: NaiveDatetime = Field(default_factory=utcnow, sa_column_kwargs={"onupdate": utcnow})
