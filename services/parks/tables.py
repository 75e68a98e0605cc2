"""Parks tables (SQLModel): parks, designations, incubation, intermediaries, and an index of the
registry's facts. The schema is the migrations' (tests/test_migrations.py compares them)."""
import datetime as dt
from decimal import Decimal

from pydantic import NaiveDatetime
from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.db import new_registry, utcnow


class Table(SQLModel, registry=new_registry()):
    pass


class Park(Table, table=True):
    __tablename__ = "park"
    id: str = Field(primary_key=True, max_length=64)  # "park-" + 8 hex, made here
    name: str = Field(max_length=200, unique=True)
    operator_org: str | None = Field(default=None, max_length=200)  # 管委会 / operating company
    area_mu: Decimal | None = Field(default=None, max_digits=12, decimal_places=2)  # 亩
    township: str | None = Field(default=None, max_length=50)
    # Bumped with every change; park.recorded.v1 carries it (the registry keeps the newest).
    version: int = Field(default=1)
    created_at: NaiveDatetime = Field(default_factory=utcnow)


class Designation(Table, table=True):
    __tablename__ = "designation"
    __table_args__ = (UniqueConstraint("park_id", "designation"),)
    id: int | None = Field(default=None, primary_key=True)
    park_id: str = Field(foreign_key="park.id", index=True, max_length=64)
    designation: str = Field(max_length=30)  # srdi_featured
    designated_on: dt.date
    reason: str | None = Field(default=None, max_length=2000)
    # The assessment as of designated_on, as explained at the time (rules.assess).
    assessment: dict = Field(sa_type=JSON)
    created_by: str = Field(max_length=200)
    created_at: NaiveDatetime = Field(default_factory=utcnow)


class Enterprise(Table, table=True):
    """The facts of the newest registry record this service holds (shared.projection keeps the record
    itself), rewritten whole whenever a newer record arrives: an index for the queries the record's
    JSON cannot answer (who introduced whom: intermediaries' `introduced`). It holds no tier: a tier
    is read from the record on the date asked."""

    __tablename__ = "enterprise"
    uscc: str = Field(primary_key=True, max_length=18)
    name: str = Field(max_length=200)
    park_id: str | None = Field(default=None, max_length=64, index=True)
    # Relocation (入区) facts from the registry: who introduced the enterprise (an intermediary's
    # name or USCC, as the registry holds it) and when it moved in.
    relocated_on: dt.date | None = None
    introducer: str | None = Field(default=None, max_length=200, index=True)
    enterprise_version: int  # the record's version
    updated_at: NaiveDatetime = Field(default_factory=utcnow, sa_column_kwargs={"onupdate": utcnow})


class Incubation(Table, table=True):
    """An enterprise incubated by a park (孵化): entry and, later, graduation."""

    __tablename__ = "incubation"
    __table_args__ = (UniqueConstraint("park_id", "uscc", "entered_on"),)
    id: int | None = Field(default=None, primary_key=True)
    park_id: str = Field(foreign_key="park.id", index=True, max_length=64)
    uscc: str = Field(max_length=18)
    entered_on: dt.date
    graduated_on: dt.date | None = None
    note: str | None = Field(default=None, max_length=2000)
    created_at: NaiveDatetime = Field(default_factory=utcnow)


class IncubateePromotion(Table, table=True):
    """A promotion of an enterprise the park incubated, announced once (incubatee.promoted.v1):
    the unique key makes a redelivered or replayed promotion publish nothing twice."""

    __tablename__ = "incubatee_promotion"
    __table_args__ = (UniqueConstraint("park_id", "uscc", "to_tier"),)
    id: int | None = Field(default=None, primary_key=True)
    park_id: str = Field(foreign_key="park.id", index=True, max_length=64)
    uscc: str = Field(max_length=18)
    to_tier: str = Field(max_length=30)
    recognized_on: dt.date
    incubation_id: int = Field(foreign_key="incubation.id")
    event_id: str = Field(max_length=36)  # the registry's promotion
    created_at: NaiveDatetime = Field(default_factory=utcnow)


class Intermediary(Table, table=True):
    """An intermediary agency (中介机构) or association (商协会) serving enterprises."""

    __tablename__ = "intermediary"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=20)  # intermediary, association
    uscc: str | None = Field(default=None, max_length=18)
    contact: str | None = Field(default=None, max_length=200)
    version: int = Field(default=1)  # bumped with every change, announced with intermediary.changed.v1
    created_at: NaiveDatetime = Field(default_factory=utcnow)


class ServiceRecord(Table, table=True):
    """One service an intermediary gave an enterprise."""

    __tablename__ = "service_record"
    id: int | None = Field(default=None, primary_key=True)
    intermediary_id: int = Field(foreign_key="intermediary.id", index=True)
    uscc: str = Field(max_length=18)
    park_id: str | None = Field(default=None, foreign_key="park.id", index=True, max_length=64)
    served_on: dt.date
    category: str = Field(max_length=30)
    description: str | None = Field(default=None, max_length=2000)
    outcome: str | None = Field(default=None, max_length=2000)  # what the service achieved
    created_by: str = Field(max_length=200)
    created_at: NaiveDatetime = Field(default_factory=utcnow)
