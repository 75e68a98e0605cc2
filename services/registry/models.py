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
    relocated_from: Mapped[str | None] = mapped_column(String(100), nullable=True)  # the origin's name
    relocated_from_code: Mapped[str | None] = mapped_column(String(6), nullable=True)  # GB/T 2260
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


class ImportJob(Base):
    """A recognition-list import run in the background; progress is written with each chunk."""

    __tablename__ = "import_job"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), default="recognition_list")
    filename: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(10), default="queued")  # queued, running, done, failed
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON, when done
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    __table_args__ = (Index("ix_import_job_created_at", "created_at"),)


class Indicator(Base):
    """An enterprise's yearly indicators (the facts screening reads). Money in whole 元;
    shares and ratios in percent, as decimal text (exact at a threshold's edge)."""

    __tablename__ = "indicator"
    uscc: Mapped[str] = mapped_column(ForeignKey("enterprise.uscc"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    facts: Mapped[str] = mapped_column(Text)  # JSON of the fields in schemas.IndicatorsIn
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class AnnualUpdate(Base):
    """The yearly data update (年度数据更新) a title holder files on the national platform by the
    deadline (30 April, a dated parameter); missing it loses the right to renewal."""

    __tablename__ = "annual_update"
    uscc: Mapped[str] = mapped_column(ForeignKey("enterprise.uscc"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)  # the year it is filed in
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ChangeReport(Base):
    """A major change (rename, merger, restructuring, relocation, overseas branch) and its report."""

    __tablename__ = "change_report"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(ForeignKey("enterprise.uscc"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    changed_on: Mapped[dt.date] = mapped_column(Date)
    reported_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ServiceRequest(Base):
    """An enterprise's request (诉求) in the service package (服务包), routed to the department
    that owns its category, tracked to closure against a deadline."""

    __tablename__ = "service_request"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(ForeignKey("enterprise.uscc"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(String(2000))
    department: Mapped[str] = mapped_column(String(20))  # the role that owns it
    state: Mapped[str] = mapped_column(String(12), default="open")  # open, accepted, resolved, rejected
    opened_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    resolution: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (Index("ix_service_request_state_due", "state", "due_on"),)


class Visit(Base):
    """A visit (走访) to an enterprise, with what was found."""

    __tablename__ = "visit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(ForeignKey("enterprise.uscc"), index=True)
    visited_on: Mapped[dt.date] = mapped_column(Date)
    visitors: Mapped[str] = mapped_column(String(500))
    findings: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class HotlineQuestion(Base):
    """A question put to the hotline (热线咨询), routed like a request to the department owning its
    category, and its answer. The caller's phone is personal data: shown only to the lead bureau."""

    __tablename__ = "hotline_question"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uscc: Mapped[str | None] = mapped_column(ForeignKey("enterprise.uscc"), nullable=True, index=True)
    caller_name: Mapped[str | None] = mapped_column(String(50), nullable=True)
    caller_phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    category: Mapped[str] = mapped_column(String(20))
    department: Mapped[str] = mapped_column(String(20))  # the role that answers it
    question: Mapped[str] = mapped_column(String(2000))
    asked_on: Mapped[dt.date] = mapped_column(Date)
    answer: Mapped[str | None] = mapped_column(String(4000), nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    answered_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(200))
    answer_recorded_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (Index("ix_hotline_question_category_answered", "category", "answered_on"),)


class PolicySession(Base):
    """A policy briefing (政策宣讲会) held in a township."""

    __tablename__ = "policy_session"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    township: Mapped[str] = mapped_column(String(50))
    held_on: Mapped[dt.date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(2000))  # the programme
    venue: Mapped[str | None] = mapped_column(String(200), nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (Index("ix_policy_session_township_held_on", "township", "held_on"),
                      Index("ix_policy_session_held_on", "held_on"))


class SessionAttendance(Base):
    """An enterprise's attendance at a session: how many came (no names: no personal data).
    One row per (session, enterprise): recording it again replaces the count."""

    __tablename__ = "session_attendance"
    session_id: Mapped[int] = mapped_column(ForeignKey("policy_session.id"), primary_key=True)
    uscc: Mapped[str] = mapped_column(ForeignKey("enterprise.uscc"), primary_key=True, index=True)
    attendees: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Listing(Base):
    """The finance office's listings (上市), projected from srdi.finance.enterprise.listed.v1; the
    listing target counts them. One row per enterprise (its earliest listing date stands), so a
    redelivered or repeated event changes nothing. No foreign key: the event may name an enterprise
    this registry has not (yet) recorded."""

    __tablename__ = "listing"
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    board: Mapped[str] = mapped_column(String(20))
    listed_on: Mapped[dt.date] = mapped_column(Date, index=True)
    source_event_id: Mapped[str] = mapped_column(String(36))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
