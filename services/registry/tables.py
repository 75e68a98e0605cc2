"""Registry tables (SQLModel): enterprises and their certifications (tier history), import jobs,
indicators, dynamic management, the service package and listings."""
import datetime as dt

from sqlalchemy import BigInteger, DateTime, Index, Text, UniqueConstraint, text
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
    # Still in the district? active, moved_out or closed (on status_on): no district measure after it.
    status: str = Field(default="active", max_length=10)
    status_on: dt.date | None = None
    status_reason: str | None = Field(default=None, max_length=500)
    # Bumped with every tier event, so consumers can ignore a stale one that arrives late.
    version: int = 0
    # The enterprise and its certifications as JSON, rewritten with every change in the same
    # transaction: the hot read path serves it with one primary-key lookup (see bench/).
    doc: str = Field(default="{}", sa_type=Text)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class Certification(Table, table=True):
    __tablename__ = "certification"
    # One live certification per (enterprise, tier, date); a voided one (entered by mistake) steps
    # aside, so the same tier and date can be entered again correctly.
    __table_args__ = (Index("uq_certification_live", "uscc", "tier", "recognized_on", unique=True,
                            sqlite_where=text("state != 'voided'"), postgresql_where=text("state != 'voided'")),
                      Index("ix_certification_state_expires", "state", "expires_on"),
                      # statistics: the recognitions within a period (stats/new's new and renewed)
                      Index("ix_certification_recognized", "recognized_on", "tier", "state", "uscc"))
    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(max_length=18, foreign_key=USCC)
    tier: str = Field(max_length=30)
    recognized_on: dt.date
    expires_on: dt.date  # the last valid day
    batch: str | None = Field(default=None, max_length=50)
    source: str = Field(default="manual", max_length=30)
    state: str = Field(default="active", max_length=10)  # active, expired, revoked, voided
    revoked_on: dt.date | None = None
    revoke_reason: str | None = Field(default=None, max_length=500)
    for_cause: bool | None = None
    voided_on: dt.date | None = None  # the day it was voided (entered by mistake: it never counted)
    void_reason: str | None = Field(default=None, max_length=500)
    # Back-filled from a list from before go-live: its award was settled outside the system.
    backfilled: bool = False
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class TierCountDelta(Table, table=True):
    """Statistics from maintained counts (issue 15 item 4): per-day changes of the tier counts,
    kept in the transaction of every change (statistics/counts.py). The count on a date is the sum
    of the deltas with day ≤ date. kind: present (an enterprise in the district; tier ''), current
    (its highest title), title (holders of a title). Groups are '' when not filled in."""
    __tablename__ = "tier_count_delta"
    __table_args__ = (Index("ix_tier_count_delta_cover", "kind", "day", "tier", "delta"),)
    day: dt.date = Field(primary_key=True)
    kind: str = Field(max_length=10, primary_key=True)
    tier: str = Field(max_length=30, primary_key=True)
    township: str = Field(max_length=50, primary_key=True)
    park_id: str = Field(max_length=64, primary_key=True)
    industry_code: str = Field(max_length=20, primary_key=True)
    delta: int


class TierCountTotal(Table, table=True):
    """The same deltas district-wide (no groups): what `stats/tiers` sums, a few rows a day."""
    __tablename__ = "tier_count_total"
    __table_args__ = (Index("ix_tier_count_total_cover", "day", "kind", "tier", "delta"),)
    day: dt.date = Field(primary_key=True)
    kind: str = Field(max_length=10, primary_key=True)
    tier: str = Field(max_length=30, primary_key=True)
    delta: int


class TierCountBasis(Table, table=True):
    """What each enterprise contributes to tier_count_delta now (JSON), so a change writes only the
    difference between its old and new contributions."""
    __tablename__ = "tier_count_basis"
    uscc: str = Field(max_length=18, primary_key=True)
    contribution: str = Field(sa_type=Text)


class ImportJob(Table, table=True):
    """A recognition-list import run in the background; progress is written with each chunk."""

    __tablename__ = "import_job"
    __table_args__ = (Index("ix_import_job_created_at", "created_at"),)
    id: str = Field(max_length=36, primary_key=True)
    kind: str = Field(default="recognition_list", max_length=30)
    filename: str = Field(max_length=200)
    actor: str = Field(max_length=200)
    state: str = Field(default="queued", max_length=10)  # queued, running, done, failed, cancelled
    mode: str = Field(default="import", max_length=10)  # import, backfill
    dry_run: bool = False  # a preview: checked and tried, never committed
    cancel_requested: bool = False
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
    accepted_on: dt.date | None = None  # the day its department took it on (受理), if it did
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


class Park(Table, table=True):
    """The parks the registry may place an enterprise in, projected from parks'
    srdi.parks.park.recorded.v1 (the newest version of each park stands)."""

    __tablename__ = "park"
    park_id: str = Field(max_length=64, primary_key=True)
    name: str = Field(max_length=200)
    township: str | None = Field(default=None, max_length=50)
    version: int
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime, sa_column_kwargs={"onupdate": utcnow})


# -- the declaration season (season/, platform/jobs.py) -----------------------------------------
class Season(Table, table=True):
    """A declaration season (申报季): the notice, the tier declared for, the dates applications are taken."""

    __tablename__ = "season"
    id: int | None = Field(default=None, primary_key=True)
    year: int
    programme: str = Field(max_length=30)  # the tier declared for
    opens_on: dt.date
    closes_on: dt.date
    notice: str = Field(sa_type=Text)
    created_by: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class SeasonApplication(Table, table=True):
    """An enterprise's application in a season: applied → pre_reviewed (the 初审 checklist) → decided."""

    __tablename__ = "season_application"
    __table_args__ = (UniqueConstraint("season_id", "uscc"),)
    id: int | None = Field(default=None, primary_key=True)
    season_id: int = Field(foreign_key="season.id")
    uscc: str = Field(max_length=18, foreign_key=USCC)
    state: str = Field(default="applied", max_length=15)  # applied, pre_reviewed, decided
    applied_by: str = Field(max_length=200)
    applied_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)
    checklist: str | None = Field(default=None, sa_type=Text)  # JSON, the pre-review
    pre_reviewed_by: str | None = Field(default=None, max_length=200)
    pre_reviewed_at: dt.datetime | None = Field(default=None, sa_type=DateTime)
    recommend: bool | None = None
    reasons: str | None = Field(default=None, sa_type=Text)
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: dt.datetime | None = Field(default=None, sa_type=DateTime)


class SeasonRecommendation(Table, table=True):
    """One version of a season's recommendation list (区级推荐名单), kept with every earlier one."""

    __tablename__ = "season_recommendation"
    __table_args__ = (UniqueConstraint("season_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    season_id: int = Field(foreign_key="season.id")
    version: int
    enterprises: str = Field(sa_type=Text)  # JSON: the USCCs sent
    refused: str = Field(sa_type=Text)  # JSON: [{uscc, application_id, reasons}]
    batch_id: str = Field(max_length=40)
    job_id: str = Field(max_length=36)
    created_by: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class PlatformJob(Table, table=True):
    """A call to the municipal platform run in the background (a list sync, a recommendation), retried
    while the platform fails transiently; what went wrong stays here for the operator."""

    __tablename__ = "platform_job"
    __table_args__ = (Index("ix_platform_job_created_at", "created_at"),)
    id: str = Field(max_length=36, primary_key=True)
    kind: str = Field(max_length=20)  # sync, recommend
    state: str = Field(default="queued", max_length=10)  # queued, running, done, failed
    request: str = Field(sa_type=Text)  # JSON: what to send
    actor: str = Field(max_length=200)
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    result: str | None = Field(default=None, sa_type=Text)  # JSON
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)
    started_at: dt.datetime | None = Field(default=None, sa_type=DateTime)
    finished_at: dt.datetime | None = Field(default=None, sa_type=DateTime)


class ReminderSent(Table, table=True):
    """A validity reminder announced (srdi.registry.reminder.due.v1): a title about to lapse or an
    annual update coming due. Unique per enterprise and cycle, so a sweep run twice, or two at
    once, announces it once."""

    __tablename__ = "reminder_sent"
    __table_args__ = (Index("uq_reminder_sent_uscc_cycle", "uscc", "cycle", unique=True),
                      Index("ix_reminder_sent_kind", "kind"))
    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(max_length=18, foreign_key=USCC)
    kind: str = Field(max_length=20)  # title_lapse, annual_update
    cycle: str = Field(max_length=40)  # title_lapse:<certification id>, annual_update:<year>
    due_on: dt.date  # the last valid day, or the deadline
    tier: str | None = Field(default=None, max_length=30)
    certification_id: int | None = None
    sent_on: dt.date  # the day of the sweep that announced it
    event_id: str = Field(max_length=36)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class TimelineFact(Table, table=True):
    """Another department's latest whole record of one thing about an enterprise, for its timeline:
    an award (kind award, ref its id), a year's talent quota (quota, "<year>"), the banks' service
    list entry (service_list, "entry"). Upserted by the registry's handlers; an event older than the
    one held (by its CloudEvent time, then id) never replaces it, so redelivery changes nothing.
    No foreign key: the event may name an enterprise this registry has not (yet) recorded."""

    __tablename__ = "timeline_fact"
    # The enterprise first: its timeline reads its facts by the primary key's prefix.
    uscc: str = Field(max_length=18, primary_key=True)
    kind: str = Field(max_length=20, primary_key=True)
    ref: str = Field(max_length=40, primary_key=True)
    record: str = Field(sa_type=Text)  # the event's data, JSON
    event_id: str = Field(max_length=36)
    event_time: str = Field(max_length=40)  # the CloudEvent's time (ISO, UTC): orders the versions
    received_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class OperatingMonth(Table, table=True):
    """A key enterprise's operating data for one month (每月动态监测): whole 元 and counts, as
    entered or imported (monitoring/). One row per enterprise and month ("YYYY-MM")."""

    __tablename__ = "operating_month"
    uscc: str = Field(max_length=18, foreign_key=USCC, primary_key=True)
    month: str = Field(max_length=7, primary_key=True)  # "YYYY-MM"
    revenue_yuan: int = Field(sa_type=BigInteger)
    rd_spend_yuan: int = Field(sa_type=BigInteger)
    employees: int
    new_patents: int
    updated_by: str = Field(max_length=200)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime, sa_column_kwargs={"onupdate": utcnow})
