"""Parks tables: parks, designations, incubation, intermediaries, and an index of the registry's facts."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import new_metadata, utcnow


class Base(DeclarativeBase):
    metadata = new_metadata()


class Park(Base):
    __tablename__ = "park"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # "park-" + 8 hex, made here
    name: Mapped[str] = mapped_column(String(200), unique=True)
    operator_org: Mapped[str | None] = mapped_column(String(200), nullable=True)  # 管委会 / operating company
    area_mu: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), nullable=True)  # 亩
    township: Mapped[str | None] = mapped_column(String(50), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Designation(Base):
    __tablename__ = "designation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    park_id: Mapped[str] = mapped_column(ForeignKey("park.id"), index=True)
    designation: Mapped[str] = mapped_column(String(30))  # srdi_featured
    designated_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    # The assessment as of designated_on, as explained at the time (rules.assess).
    assessment: Mapped[dict] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("park_id", "designation"),)


class Enterprise(Base):
    """The facts of the newest registry record this service holds (shared.projection keeps the record
    itself), rewritten whole whenever a newer record arrives: an index for the queries the record's
    JSON cannot answer (who introduced whom). It holds no tier: a tier is read from the record on
    the date asked."""

    __tablename__ = "enterprise"
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    park_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # Relocation (入区) facts from the registry: who introduced the enterprise (an intermediary's
    # name or USCC, as the registry holds it) and when it moved in.
    relocated_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    introducer: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    enterprise_version: Mapped[int] = mapped_column(Integer)  # the record's version
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Incubation(Base):
    """An enterprise incubated by a park (孵化): entry and, later, graduation."""

    __tablename__ = "incubation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    park_id: Mapped[str] = mapped_column(ForeignKey("park.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18))
    entered_on: Mapped[dt.date] = mapped_column(Date)
    graduated_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("park_id", "uscc", "entered_on"),)


class IncubateePromotion(Base):
    """A promotion of an enterprise the park incubated, announced once (incubatee.promoted.v1):
    the unique key makes a redelivered or replayed promotion publish nothing twice."""

    __tablename__ = "incubatee_promotion"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    park_id: Mapped[str] = mapped_column(ForeignKey("park.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18))
    to_tier: Mapped[str] = mapped_column(String(30))
    recognized_on: Mapped[dt.date] = mapped_column(Date)
    incubation_id: Mapped[int] = mapped_column(ForeignKey("incubation.id"))
    event_id: Mapped[str] = mapped_column(String(36))  # the registry's promotion
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("park_id", "uscc", "to_tier"),)


class Intermediary(Base):
    """An intermediary agency (中介机构) or association (商协会) serving enterprises."""

    __tablename__ = "intermediary"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # intermediary, association
    uscc: Mapped[str | None] = mapped_column(String(18), nullable=True)
    contact: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ServiceRecord(Base):
    """One service an intermediary gave an enterprise."""

    __tablename__ = "service_record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    intermediary_id: Mapped[int] = mapped_column(ForeignKey("intermediary.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18))
    park_id: Mapped[str | None] = mapped_column(ForeignKey("park.id"), nullable=True, index=True)
    served_on: Mapped[dt.date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(30))
    description: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(2000), nullable=True)  # what the service achieved
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
