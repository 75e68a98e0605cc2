"""Finance tables: the service list cache, products, loan cases and the programmes. The registry's
record of each enterprise is the plumbing table `registry_record` (shared.projection)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import new_metadata, utcnow


class Base(DeclarativeBase):
    metadata = new_metadata()


class ServiceListEntry(Base):
    """专精特新企业服务名单: a cache, one row per enterprise finance has a registry record of, refreshed
    when a newer record arrives and by the threshold sweeper. It holds what was last announced to the
    banks (srdi.finance.service_list.changed.v1) and when finance recorded a change, and lets the list
    be paged by USCC; it is never the source of an answer: every read derives the tier and the listing
    on the day asked from the record (rules.listing_on)."""

    __tablename__ = "service_list_entry"
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))  # as last announced
    tier: Mapped[str] = mapped_column(String(30))  # as last announced (on judged_on)
    version: Mapped[int] = mapped_column(Integer)  # the record's version last judged
    listed: Mapped[bool] = mapped_column(Boolean, default=False)  # as last announced
    since: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # as last announced
    removed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # as last announced
    changed_on: Mapped[dt.date] = mapped_column(Date)  # Asia/Shanghai date finance recorded the change
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    judged_on: Mapped[dt.date] = mapped_column(Date)  # the day the entry was last judged (threshold sweeps)
    # The highest title's rank on the record (rules.peak_rank): which rows can be on the list at all.
    peak_rank: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (Index("ix_service_list_entry_listed_uscc", "listed", "uscc"),
                      Index("ix_service_list_entry_changed_on", "changed_on"))


class Product(Base):
    """A financial product offered to listed enterprises: 专精特新贷 / 保 / 险."""

    __tablename__ = "product"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(12))  # loan (贷), guarantee (保), insurance (险)
    name: Mapped[str] = mapped_column(String(200))
    provider_org: Mapped[str] = mapped_column(String(64), index=True)  # bank / guarantor / insurer code
    # 专精特新险 only: credit_guarantee (信用保证保险) or first_batch (新技术首批次保险)
    insurance_type: Mapped[str | None] = mapped_column(String(30), nullable=True)
    description: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("provider_org", "name"),)


class Loan(Base):
    """A loan case reported by the lending bank: applied → approved/declined → drawn → repaid / non-performing."""

    __tablename__ = "loan"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bank: Mapped[str] = mapped_column(String(64))  # the lending bank's org code: the case's owner
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"), nullable=True)
    guarantor: Mapped[str | None] = mapped_column(String(64), nullable=True)  # 专精特新保: guarantor's code
    state: Mapped[str] = mapped_column(String(16), default="applied")
    applied_yuan: Mapped[int] = mapped_column(BigInteger)
    applied_on: Mapped[dt.date] = mapped_column(Date)
    # The bank reported that the enterprise had a bank loan before this one (its credit report): the
    # case is then not a first loan. Whether a case is the first loan is finance's decision across
    # every bank's cases (rules.first_loan), never the bank's.
    prior_loan_declared: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    drawn_yuan: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    drawn_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    rate_bp: Mapped[int | None] = mapped_column(Integer, nullable=True)  # annual interest rate, basis points
    due_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # repaid or declared non-performing
    matchmaking_event_id: Mapped[int | None] = mapped_column(ForeignKey("matchmaking_event.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (Index("ix_loan_bank_id", "bank", "id"),)


class ProviderDecision(Base):
    """The decision of a case's product provider other than the lending bank: the guarantor of a
    专精特新保 (guarantee) or the insurer of a 专精特新险 (insurance) accepts or refuses to cover the case.
    One per case and provider; the bank's own loan decision stays on `loan`."""

    __tablename__ = "provider_decision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), index=True)
    org: Mapped[str] = mapped_column(String(64))  # the provider's org code (product.provider_org)
    kind: Mapped[str] = mapped_column(String(12))  # guarantee or insurance (the product's kind)
    approved: Mapped[bool] = mapped_column(Boolean)
    decided_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    decided_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("loan_id", "org"),)


class LoanChange(Base):
    """Every change of a loan case (decision, draw, extension, renewal, repayment, default): who, when, why."""

    __tablename__ = "loan_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    effective_on: Mapped[dt.date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    facts: Mapped[dict] = mapped_column(JSON)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class RiskSplit(Base):
    """A non-performing loan's loss split (bank / guarantor) and the district's compensation, with its basis."""

    __tablename__ = "risk_split"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), unique=True)
    outstanding_yuan: Mapped[int] = mapped_column(BigInteger)
    bank_yuan: Mapped[int] = mapped_column(BigInteger)
    guarantor_yuan: Mapped[int] = mapped_column(BigInteger)
    compensation_yuan: Mapped[int] = mapped_column(BigInteger)
    basis: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ListingPipeline(Base):
    """上市培育: one enterprise's road to listing; the stages it reached are `listing_stage` rows."""

    __tablename__ = "listing_pipeline"
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    board: Mapped[str | None] = mapped_column(String(12), nullable=True)  # main, sme, chinext, star, bse, overseas
    sponsor: Mapped[str | None] = mapped_column(String(200), nullable=True)  # 保荐机构
    stage: Mapped[str] = mapped_column(String(24))  # the furthest stage reached
    stage_on: Mapped[dt.date] = mapped_column(Date)
    listed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ListingStage(Base):
    """One stage of the listing pipeline reached on a date (股改, 辅导备案, 申报受理, 注册/核准, 上市)."""

    __tablename__ = "listing_stage"
    uscc: Mapped[str] = mapped_column(ForeignKey("listing_pipeline.uscc"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(24), primary_key=True)
    reached_on: Mapped[dt.date] = mapped_column(Date, index=True)
    board: Mapped[str | None] = mapped_column(String(12), nullable=True)
    sponsor: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class MatchmakingEvent(Base):
    """政银企对接: a matchmaking event between government, banks and enterprises."""

    __tablename__ = "matchmaking_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    venue: Mapped[str | None] = mapped_column(String(200), nullable=True)
    banks: Mapped[list] = mapped_column(JSON)  # org codes of the banks (and guarantors, insurers) attending
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class MatchmakingAttendee(Base):
    """An enterprise attending a matchmaking event."""

    __tablename__ = "matchmaking_attendee"
    event_id: Mapped[int] = mapped_column(ForeignKey("matchmaking_event.id"), primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)


class GuidanceFund(Base):
    """政府引导基金: a government guidance fund."""

    __tablename__ = "guidance_fund"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    manager: Mapped[str | None] = mapped_column(String(200), nullable=True)  # 基金管理人
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class FundInvestment(Base):
    """An investment of a guidance fund in an enterprise (its tier on the day is read from the
    registry's record, never stored)."""

    __tablename__ = "fund_investment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("guidance_fund.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    invested_on: Mapped[dt.date] = mapped_column(Date)
    amount_yuan: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class LoanRepayment(Base):
    """A repayment record reported by the lending bank: principal and interest paid on a date, the
    interest covering `period_from`..`period_to` (inclusive)."""

    __tablename__ = "loan_repayment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), index=True)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    period_from: Mapped[dt.date] = mapped_column(Date)
    period_to: Mapped[dt.date] = mapped_column(Date)
    principal_yuan: Mapped[int] = mapped_column(BigInteger)
    interest_yuan: Mapped[int] = mapped_column(BigInteger)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SubsidyPayment(Base):
    """首贷贴息 paid for one calendar quarter of one loan (after the quarter's interest was paid)."""

    __tablename__ = "subsidy_payment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), index=True)
    quarter: Mapped[str] = mapped_column(String(6))  # 2025Q3
    amount_yuan: Mapped[int] = mapped_column(BigInteger)
    basis: Mapped[dict] = mapped_column(JSON)
    paid_by: Mapped[str] = mapped_column(String(200))
    paid_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("loan_id", "quarter"),)
