"""Awards tables: awards with their state history and money ledger, and the facts other departments
recorded that awards are paid against (contracts, listings, designations, incubatees). The registry's
enterprises are the plumbing table `registry_record` (shared.projection), not a table of this service."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import new_metadata, utcnow


# Money in whole 元 as a 64-bit integer: a yearly budget or one award may pass 2^31 元 (PostgreSQL's
# INTEGER). SQLite's INTEGER is already 64-bit, so there the column stays INTEGER (no table rebuild).
Money = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = new_metadata()


class Award(Base):
    __tablename__ = "award"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The natural key that makes an award happen once whatever events arrive:
    # tier:{uscc}:{tier}, relocation:{uscc}, introducer:{uscc}, featured_park:first,
    # incubation:{park_id}:{uscc}, {scenario|ecosystem}:contract:{contract_id}[:{n}], listing:{uscc}[:{n}].
    # The row's facts never change and its state follows its transitions: the database refuses
    # anything else (migration 0006_awards_record).
    award_key: Mapped[str] = mapped_column(String(100), unique=True)
    program: Mapped[str] = mapped_column(String(20))
    uscc: Mapped[str | None] = mapped_column(String(18), nullable=True)  # the enterprise it is about
    payee: Mapped[str] = mapped_column(String(200))  # who is paid: enterprise, intermediary or park
    payee_type: Mapped[str] = mapped_column(String(20))  # enterprise, intermediary, park
    tier: Mapped[str | None] = mapped_column(String(30), nullable=True)
    amount_yuan: Mapped[int] = mapped_column(Money)
    state: Mapped[str] = mapped_column(String(20), default="computed")
    basis: Mapped[dict] = mapped_column(JSON)
    decided_on: Mapped[dt.date] = mapped_column(Date)  # the date whose policy applies
    certification_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    budget_year: Mapped[int | None] = mapped_column(Integer, nullable=True)  # set on approval (its year)
    # The outreach contract a scenario or ecosystem award rests on (one standing award per contract).
    contract_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
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


class Listing(Base):
    """A listing the finance office recorded (srdi.finance.enterprise.listed.v1)."""

    __tablename__ = "listing"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    board: Mapped[str] = mapped_column(String(20))
    listed_on: Mapped[dt.date] = mapped_column(Date)
    source_event_id: Mapped[str] = mapped_column(String(36))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("uscc", "board"),)


class Budget(Base):
    """A program's yearly allocation, set by the treasury; reserved and disbursed come from the ledger."""

    __tablename__ = "budget"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    program: Mapped[str] = mapped_column(String(20), primary_key=True)
    allocated_yuan: Mapped[int] = mapped_column(Money)
    set_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class LedgerEntry(Base):
    """Immutable money entries (never updated or deleted; a correction is a new entry).

    kind: awarded, top_up (an award created; amount owed), reserved / released (budget of
    budget_year), disbursed (paid, with voucher), reversed (an unpaid award rejected),
    clawed_back (a paid award taken back)."""

    __tablename__ = "ledger_entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    award_id: Mapped[int] = mapped_column(ForeignKey("award.id"), index=True)
    program: Mapped[str] = mapped_column(String(20))
    uscc: Mapped[str | None] = mapped_column(String(18), nullable=True)
    payee: Mapped[str] = mapped_column(String(200))
    payee_type: Mapped[str] = mapped_column(String(20))
    amount_yuan: Mapped[int] = mapped_column(Money)  # a magnitude; `kind` says which way it moves
    booked_on: Mapped[dt.date] = mapped_column(Date)
    budget_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    voucher: Mapped[str | None] = mapped_column(String(200), nullable=True)
    actor: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (Index("ix_ledger_entry_booked_on", "booked_on"),
                      Index("ix_ledger_entry_budget", "budget_year", "program", "kind"))


class Contract(Base):
    """A contract outreach recorded (srdi.outreach.contract.signed.v1): the only ground of a scenario or
    ecosystem award. Keyed by outreach's contract id, so one contract is one fact whatever path raises it."""

    __tablename__ = "contract"
    contract_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(20))  # scenario, ecosystem
    uscc: Mapped[str] = mapped_column(String(18), index=True)  # the supplier, paid
    buyer_uscc: Mapped[str | None] = mapped_column(String(18), nullable=True)
    scenario_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    proposal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # scenario: the chosen proposal
    contract_yuan: Mapped[int] = mapped_column(Money)
    signed_on: Mapped[dt.date] = mapped_column(Date)
    evidence: Mapped[str | None] = mapped_column(String(200), nullable=True)
    source_event_id: Mapped[str] = mapped_column(String(36))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Voucher(Base):
    """A payment voucher number (凭证号) and the one award it paid; normalised (trimmed, upper case)."""

    __tablename__ = "voucher"
    voucher: Mapped[str] = mapped_column(String(200), primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("award.id"), unique=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ParkDesignation(Base):
    """A park designation parks recorded (park.designated.v1): the featured-park award, and the what-if."""

    __tablename__ = "park_designation"
    designation_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    park_id: Mapped[str] = mapped_column(String(64))
    designation: Mapped[str] = mapped_column(String(30))
    designated_on: Mapped[dt.date] = mapped_column(Date)
    source_event_id: Mapped[str] = mapped_column(String(36))


class IncubateePromotion(Base):
    """A park's incubatee promoted, as parks announced it (incubatee.promoted.v1): the incubation award,
    and the what-if (which needs the promotions that paid nothing under the amount then in force)."""

    __tablename__ = "incubatee_promotion"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    park_id: Mapped[str] = mapped_column(String(64))
    uscc: Mapped[str] = mapped_column(String(18))
    to_tier: Mapped[str] = mapped_column(String(30))
    recognized_on: Mapped[dt.date] = mapped_column(Date)
    incubation_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source_event_id: Mapped[str] = mapped_column(String(36))
    __table_args__ = (UniqueConstraint("park_id", "uscc", "to_tier"),)
