"""Registry tables (SQLModel): enterprises and their certifications (tier history), import jobs,
indicators, dynamic management, the service package and listings."""
import datetime as dt

from sqlalchemy import DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.db import new_registry, utcnow


class Table(SQLModel, registry=new_registry()):
    pass


USCC = "enterprise.uscc"


class Enterprise(Table, table=True):
    __tablename__ = "enterprise"
    uscc: str = Field(max_length=18, primary_key=True)
    name: str = Field(max_length=200)
    township: str | None = Field(default=None, max_length=50)
    industry_code: str | None = Field(default=None, max_length=20)
    founded_on: dt.date | None = None
    park_id: str | None = Field(default=None, max_length=64, index=True)
    relocated_on: dt.date | None = None
    relocated_from: str | None = Field(default=None, max_length=100)  # the origin's name
    relocated_from_code: str | None = Field(default=None, max_length=6)  # GB/T 2260
    introducer: str | None = Field(default=None, max_length=200)
    # Bumped with every tier event, so consumers can ignore a stale one that arrives late.
    version: int = 0
    # The enterprise and its certifications as JSON, rewritten with every change in the same
    # transaction: the hot read path serves it with one primary-key lookup (see bench/).
    doc: str = Field(default="{}", sa_type=Text)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class Certification(Table, table=True):
    __tablename__ = "certification"
    __table_args__ = (UniqueConstraint("uscc", "tier", "recognized_on"),
                      Index("ix_certification_state_expires", "state", "expires_on"))
    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(max_length=18, foreign_key=USCC)
    tier: str = Field(max_length=30)
    recognized_on: dt.date
    expires_on: dt.date  # the last valid day
    batch: str | None = Field(default=None, max_length=50)
    source: str = Field(default="manual", max_length=30)
    state: str = Field(default="active", max_length=10)  # active, expired, revoked
    revoked_on: dt.date | None = None
    revoke_reason: str | None = Field(default=None, max_length=500)
    for_cause: bool | None = None
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class ImportJob(Table, table=True):
    """A recognition-list import run in the background; progress is written with each chunk."""

    __tablename__ = "import_job"
    __table_args__ = (Index("ix_import_job_created_at", "created_at"),)
    id: str = Field(max_length=36, primary_key=True)
    kind: str = Field(default="recognition_list", max_length=30)
    filename: str = Field(max_length=200)
    actor: str = Field(max_length=200)
    state: str = Field(default="queued", max_length=10)  # queued, running, done, failed
    rows_total: int = 0
    rows_done: int = 0
    report: str | None = Field(default=None, sa_type=Text)  # JSON, when done
    error: str | None = Field(default=None, sa_type=Text)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)
    started_at: dt.datetime | None = Field(default=None, sa_type=DateTime)
    finished_at: dt.datetime | None = Field(default=None, sa_type=DateTime)


class Indicator(Table, table=True):
    """An enterprise's yearly indicators (the facts screening reads). Money in whole 元;
    shares and ratios in percent, as decimal text (exact at a threshold's edge)."""

    __tablename__ = "indicator"
    uscc: str = Field(max_length=18, foreign_key=USCC, primary_key=True)
    year: int = Field(primary_key=True)
    facts: str = Field(sa_type=Text)  # JSON of the indicator fields
    updated_by: str = Field(max_length=200)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime, sa_column_kwargs={"onupdate": utcnow})


class AnnualUpdate(Table, table=True):
    """The yearly data update (年度数据更新) a title holder files on the national platform by the
    deadline (30 April, a dated parameter); missing it loses the right to renewal."""

    __tablename__ = "annual_update"
    uscc: str = Field(max_length=18, foreign_key=USCC, primary_key=True)
    year: int = Field(primary_key=True)  # the year it is filed in
    submitted_on: dt.date
    recorded_by: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class ChangeReport(Table, table=True):
    """A major change (rename, merger, restructuring, relocation, overseas branch) and its report."""

    __tablename__ = "change_report"
    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(max_length=18, foreign_key=USCC, index=True)
    kind: str = Field(max_length=20)
    changed_on: dt.date
    reported_on: dt.date
    due_on: dt.date
    late: bool
    detail: str | None = Field(default=None, max_length=2000)
    recorded_by: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class ServiceRequest(Table, table=True):
    """An enterprise's request (诉求) in the service package (服务包), routed to the department
    that owns its category, tracked to closure against a deadline."""

    __tablename__ = "service_request"
    __table_args__ = (Index("ix_service_request_state_due", "state", "due_on"),)
    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(max_length=18, foreign_key=USCC, index=True)
    category: str = Field(max_length=20)
    summary: str = Field(max_length=2000)
    department: str = Field(max_length=20)  # the role that owns it
    state: str = Field(default="open", max_length=12)  # open, accepted, resolved, rejected
    opened_on: dt.date
    due_on: dt.date
    closed_on: dt.date | None = None
    resolution: str | None = Field(default=None, max_length=2000)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class Visit(Table, table=True):
    """A visit (走访) to an enterprise, with what was found."""

    __tablename__ = "visit"
    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(max_length=18, foreign_key=USCC, index=True)
    visited_on: dt.date
    visitors: str = Field(max_length=500)
    findings: str = Field(sa_type=Text)
    recorded_by: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class HotlineQuestion(Table, table=True):
    """A question put to the hotline (热线咨询), routed like a request to the department owning its
    category, and its answer. The caller's phone is personal data: shown only to the lead bureau."""

    __tablename__ = "hotline_question"
    __table_args__ = (Index("ix_hotline_question_category_answered", "category", "answered_on"),)
    id: int | None = Field(default=None, primary_key=True)
    uscc: str | None = Field(default=None, max_length=18, foreign_key=USCC, index=True)
    caller_name: str | None = Field(default=None, max_length=50)
    caller_phone: str | None = Field(default=None, max_length=20)
    category: str = Field(max_length=20)
    department: str = Field(max_length=20)  # the role that answers it
    question: str = Field(max_length=2000)
    asked_on: dt.date
    answer: str | None = Field(default=None, max_length=4000)
    answered_by: str | None = Field(default=None, max_length=200)
    answered_on: dt.date | None = None
    recorded_by: str = Field(max_length=200)
    answer_recorded_by: str | None = Field(default=None, max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class PolicySession(Table, table=True):
    """A policy briefing (政策宣讲会) held in a township."""

    __tablename__ = "policy_session"
    __table_args__ = (Index("ix_policy_session_township_held_on", "township", "held_on"),
                      Index("ix_policy_session_held_on", "held_on"))
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    township: str = Field(max_length=50)
    held_on: dt.date
    topic: str = Field(max_length=2000)  # the programme
    venue: str | None = Field(default=None, max_length=200)
    recorded_by: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class SessionAttendance(Table, table=True):
    """An enterprise's attendance at a session: how many came (no names: no personal data).
    One row per (session, enterprise): recording it again replaces the count."""

    __tablename__ = "session_attendance"
    session_id: int = Field(foreign_key="policy_session.id", primary_key=True)
    uscc: str = Field(max_length=18, foreign_key=USCC, primary_key=True, index=True)
    attendees: int
    recorded_by: str = Field(max_length=200)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime, sa_column_kwargs={"onupdate": utcnow})


class Listing(Table, table=True):
    """The finance office's listings (上市), projected from srdi.finance.enterprise.listed.v1; the
    listing target counts them. One row per enterprise (its earliest listing date stands), so a
    redelivered or repeated event changes nothing. No foreign key: the event may name an enterprise
    this registry has not (yet) recorded."""

    __tablename__ = "listing"
    uscc: str = Field(max_length=18, primary_key=True)
    board: str = Field(max_length=20)
    listed_on: dt.date = Field(index=True)
    source_event_id: str = Field(max_length=36)
    received_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)
