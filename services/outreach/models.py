"""Outreach tables: scenarios and proposals, the showcase, contracts, notices and their
deliveries, programmes and applications. The registry's enterprises are its records in the shared
`registry_record` table (shared.projection), not a table of outreach's own."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, BigInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import new_metadata, utcnow


class Base(DeclarativeBase):
    metadata = new_metadata()


class Contact(Base):
    """Where notices reach an enterprise (its own data: the registry keeps no contacts)."""

    __tablename__ = "contact"
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    wechat_openid: Mapped[str | None] = mapped_column(String(100), nullable=True)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Scenario(Base):
    """An application scenario (场景清单) a district department publishes."""

    __tablename__ = "scenario"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    owner_department: Mapped[str] = mapped_column(String(200))
    need: Mapped[str] = mapped_column(String(2000))
    budget_yuan: Mapped[int] = mapped_column(BigInteger)
    deadline: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(12), default="open")  # open, contracted, closed
    recommended_city: Mapped[bool] = mapped_column(Boolean, default=False)  # 推荐全市
    recommended_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Proposal(Base):
    """An enterprise's proposal of its product for a scenario."""

    __tablename__ = "proposal"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenario.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"), nullable=True)
    summary: Mapped[str] = mapped_column(String(2000))
    price_yuan: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    state: Mapped[str] = mapped_column(String(12), default="submitted")  # submitted, chosen, not_chosen
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("scenario_id", "uscc"),)


class Product(Base):
    """A new technology or product in the showcase (新技术新产品目录)."""

    __tablename__ = "product"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12))  # technology, product
    category: Mapped[str] = mapped_column(String(100), index=True)
    maturity: Mapped[str] = mapped_column(String(20))  # research, pilot, mass_production, deployed
    certifications: Mapped[list] = mapped_column(JSON, default=list)
    references: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    # rules.normalise(name, category, description, certifications, references): searched with
    # LIKE '%term%', which finds Chinese partial words on PostgreSQL and SQLite alike.
    search_text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Interest(Base):
    """A buyer's expression of interest in a showcase product."""

    __tablename__ = "interest"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    buyer_uscc: Mapped[str | None] = mapped_column(String(18), nullable=True)
    buyer_department: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Contract(Base):
    """A signed contract: a phase of a scenario with its chosen proposal's enterprise (kind
    scenario; a scenario may have several) or an up/down-stream deal between two district
    enterprises (kind ecosystem). Signing emits contract.signed.v1."""

    __tablename__ = "contract"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(12))  # scenario, ecosystem
    uscc: Mapped[str] = mapped_column(String(18), index=True)  # the supplier
    buyer_uscc: Mapped[str | None] = mapped_column(String(18), nullable=True)
    buyer_name: Mapped[str] = mapped_column(String(200))
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenario.id"), nullable=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"), nullable=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"), nullable=True)
    contract_yuan: Mapped[int] = mapped_column(BigInteger)
    signed_on: Mapped[dt.date] = mapped_column(Date)
    evidence: Mapped[str] = mapped_column(String(2000))
    event_id: Mapped[str] = mapped_column(String(36))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # A contract is recorded once, so typing it twice cannot raise two claims: a scenario's phase
    # once per scenario × evidence (its contract number; the ecosystem contracts' NULL scenario_id
    # never collides), an ecosystem contract once per supplier × buyer × evidence (scenario
    # contracts have no buyer_uscc, so never collide there).
    __table_args__ = (UniqueConstraint("scenario_id", "evidence"), UniqueConstraint("uscc", "buyer_uscc", "evidence"))


class Notice(Base):
    """A declaration notice (申报通知) targeted at a selection of enterprises."""

    __tablename__ = "notice"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    programme: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(2000))
    window_opens: Mapped[dt.date] = mapped_column(Date)
    window_closes: Mapped[dt.date] = mapped_column(Date)
    criteria_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # {"tiers", "townships", "park_ids", "usccs", "industries": [...], "screening": {tier, result, on,
    #  indicator_year, usccs (resolved from the registry at creation)} | null}
    target: Mapped[dict] = mapped_column(JSON)
    channels: Mapped[list] = mapped_column(JSON)  # ["inbox", "email", "wechat"]
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # Set on the reminders the service writes itself ("reminder:<programme id>:<window_closes>"),
    # so that reminding again reuses the notice instead of writing a second one.
    reminder_key: Mapped[str | None] = mapped_column(String(100), nullable=True, unique=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Delivery(Base):
    """One notice to one enterprise through one channel: the unique key makes a resend or a
    retry reuse the row, never add a second one."""

    __tablename__ = "delivery"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    channel: Mapped[str] = mapped_column(String(12))
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending, sending, sent, failed, read
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("notice_id", "uscc", "channel"),
                      Index("ix_delivery_state_next", "state", "next_attempt_at"))


class Programme(Base):
    """A municipal or national programme (上云上平台, 绿色技改, 新智造100, …) with its window."""

    __tablename__ = "programme"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(12))  # municipal, national
    authority: Mapped[str] = mapped_column(String(200))
    window_opens: Mapped[dt.date] = mapped_column(Date)
    window_closes: Mapped[dt.date] = mapped_column(Date)
    max_amount_yuan: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    description: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("name", "window_opens"),)


class Application(Base):
    """An application to a programme that the bureau helps an enterprise with."""

    __tablename__ = "application"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    stage: Mapped[str] = mapped_column(String(12), default="preparing")
    requested_yuan: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    granted_yuan: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    note: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    __table_args__ = (UniqueConstraint("programme_id", "uscc"),)
