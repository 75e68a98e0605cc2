"""Finance tables (SQLModel): the service list cache, products, loan cases and the programmes. The
registry's record of each enterprise is the plumbing table `registry_record` (shared.projection)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, DateTime, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.db import new_registry, utcnow


class Table(SQLModel, registry=new_registry()):
    pass


LOAN = "loan.id"


class ServiceListEntry(Table, table=True):
    """专精特新企业服务名单: a cache, one row per enterprise finance has a registry record of, refreshed
    when a newer record arrives and by the threshold sweeper. It holds what was last announced to the
    banks (srdi.finance.service_list.changed.v1) and when finance recorded a change, and lets the list
    be paged by USCC; it is never the source of an answer: every read derives the tier and the listing
    on the day asked from the record (rules.listing_on)."""

    __tablename__ = "service_list_entry"
    __table_args__ = (Index("ix_service_list_entry_listed_uscc", "listed", "uscc"),
                      Index("ix_service_list_entry_changed_on", "changed_on"))
    uscc: str = Field(max_length=18, primary_key=True)
    name: str = Field(max_length=200)  # as last announced
    tier: str = Field(max_length=30)  # as last announced (on judged_on)
    version: int  # the record's version last judged
    listed: bool = False  # as last announced
    since: dt.date | None = None  # as last announced
    removed_on: dt.date | None = None  # as last announced
    # moved_out or closed when it left because the enterprise left the district, as last announced
    removed_reason: str | None = Field(default=None, max_length=20)
    changed_on: dt.date  # Asia/Shanghai date finance recorded the change
    changed_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)
    judged_on: dt.date  # the day the entry was last judged (threshold sweeps)
    # The highest title's rank on the record (rules.peak_rank): which rows can be on the list at all.
    peak_rank: int = 0


class Product(Table, table=True):
    """A financial product offered to listed enterprises: 专精特新贷 / 保 / 险."""

    __tablename__ = "product"
    __table_args__ = (UniqueConstraint("provider_org", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=12)  # loan (贷), guarantee (保), insurance (险)
    name: str = Field(max_length=200)
    provider_org: str = Field(max_length=64, index=True)  # bank / guarantor / insurer code
    # 专精特新险 only: credit_guarantee (信用保证保险) or first_batch (新技术首批次保险)
    insurance_type: str | None = Field(default=None, max_length=30)
    description: str | None = Field(default=None, max_length=2000)
    active: bool = True
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class Loan(Table, table=True):
    """A loan case reported by the lending bank: applied → approved/declined → drawn → repaid / non-performing."""

    __tablename__ = "loan"
    __table_args__ = (Index("ix_loan_bank_id", "bank", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    bank: str = Field(max_length=64)  # the lending bank's org code: the case's owner
    uscc: str = Field(max_length=18, index=True)
    product_id: int | None = Field(default=None, foreign_key="product.id")
    guarantor: str | None = Field(default=None, max_length=64)  # 专精特新保: guarantor's code
    state: str = Field(default="applied", max_length=16)
    applied_yuan: int = Field(sa_type=BigInteger)
    applied_on: dt.date
    # The bank reported that the enterprise had a bank loan before this one (its credit report): the
    # case is then not a first loan. Whether a case is the first loan is finance's decision across
    # every bank's cases (rules.first_loan), never the bank's.
    prior_loan_declared: bool = False
    decided_on: dt.date | None = None
    drawn_yuan: int | None = Field(default=None, sa_type=BigInteger)
    drawn_on: dt.date | None = None
    rate_bp: int | None = None  # annual interest rate, basis points
    due_on: dt.date | None = None
    closed_on: dt.date | None = None  # repaid or declared non-performing
    matchmaking_event_id: int | None = Field(default=None, foreign_key="matchmaking_event.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class ProviderDecision(Table, table=True):
    """The decision of a case's product provider other than the lending bank: the guarantor of a
    专精特新保 (guarantee) or the insurer of a 专精特新险 (insurance) accepts or refuses to cover the case.
    One per case and provider; the bank's own loan decision stays on `loan`."""

    __tablename__ = "provider_decision"
    __table_args__ = (UniqueConstraint("loan_id", "org"),)
    id: int | None = Field(default=None, primary_key=True)
    loan_id: int = Field(foreign_key=LOAN, index=True)
    org: str = Field(max_length=64)  # the provider's org code (product.provider_org)
    kind: str = Field(max_length=12)  # guarantee or insurance (the product's kind)
    approved: bool
    decided_on: dt.date
    reason: str | None = Field(default=None, max_length=2000)
    decided_by: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class LoanChange(Table, table=True):
    """Every change of a loan case (decision, draw, extension, renewal, repayment, default): who, when, why."""

    __tablename__ = "loan_change"
    id: int | None = Field(default=None, primary_key=True)
    loan_id: int = Field(foreign_key=LOAN, index=True)
    action: str = Field(max_length=20)
    effective_on: dt.date
    actor: str = Field(max_length=200)
    reason: str | None = Field(default=None, max_length=2000)
    facts: dict = Field(sa_type=JSON)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class RiskSplit(Table, table=True):
    """A non-performing loan's loss split (bank / guarantor) and the district's compensation, with its basis."""

    __tablename__ = "risk_split"
    id: int | None = Field(default=None, primary_key=True)
    loan_id: int = Field(foreign_key=LOAN, unique=True)
    outstanding_yuan: int = Field(sa_type=BigInteger)
    bank_yuan: int = Field(sa_type=BigInteger)
    guarantor_yuan: int = Field(sa_type=BigInteger)
    compensation_yuan: int = Field(sa_type=BigInteger)
    basis: dict = Field(sa_type=JSON)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class ListingPipeline(Table, table=True):
    """上市培育: one enterprise's road to listing; the stages it reached are `listing_stage` rows."""

    __tablename__ = "listing_pipeline"
    uscc: str = Field(max_length=18, primary_key=True)
    board: str | None = Field(default=None, max_length=12)  # main, sme, chinext, star, bse, overseas
    sponsor: str | None = Field(default=None, max_length=200)  # 保荐机构
    stage: str = Field(max_length=24)  # the furthest stage reached
    stage_on: dt.date
    listed_on: dt.date | None = None
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class ListingStage(Table, table=True):
    """One stage of the listing pipeline reached on a date (股改, 辅导备案, 申报受理, 注册/核准, 上市)."""

    __tablename__ = "listing_stage"
    uscc: str = Field(max_length=18, foreign_key="listing_pipeline.uscc", primary_key=True)
    stage: str = Field(max_length=24, primary_key=True)
    reached_on: dt.date = Field(index=True)
    board: str | None = Field(default=None, max_length=12)
    sponsor: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=2000)
    recorded_by: str = Field(max_length=200)
    recorded_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class MatchmakingEvent(Table, table=True):
    """政银企对接: a matchmaking event between government, banks and enterprises."""

    __tablename__ = "matchmaking_event"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    held_on: dt.date = Field(index=True)
    venue: str | None = Field(default=None, max_length=200)
    banks: list = Field(sa_type=JSON)  # org codes of the banks (and guarantors, insurers) attending
    created_by: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class MatchmakingAttendee(Table, table=True):
    """An enterprise attending a matchmaking event."""

    __tablename__ = "matchmaking_attendee"
    event_id: int = Field(foreign_key="matchmaking_event.id", primary_key=True)
    uscc: str = Field(max_length=18, primary_key=True)


class GuidanceFund(Table, table=True):
    """政府引导基金: a government guidance fund."""

    __tablename__ = "guidance_fund"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    manager: str | None = Field(default=None, max_length=200)  # 基金管理人
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class FundInvestment(Table, table=True):
    """An investment of a guidance fund in an enterprise (its tier on the day is read from the
    registry's record, never stored)."""

    __tablename__ = "fund_investment"
    id: int | None = Field(default=None, primary_key=True)
    fund_id: int = Field(foreign_key="guidance_fund.id", index=True)
    uscc: str = Field(max_length=18, index=True)
    invested_on: dt.date
    amount_yuan: int = Field(sa_type=BigInteger)
    created_by: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class LoanRepayment(Table, table=True):
    """A repayment record reported by the lending bank: principal and interest paid on a date, the
    interest covering `period_from`..`period_to` (inclusive)."""

    __tablename__ = "loan_repayment"
    id: int | None = Field(default=None, primary_key=True)
    loan_id: int = Field(foreign_key=LOAN, index=True)
    paid_on: dt.date
    period_from: dt.date
    period_to: dt.date
    principal_yuan: int = Field(sa_type=BigInteger)
    interest_yuan: int = Field(sa_type=BigInteger)
    recorded_by: str = Field(max_length=200)
    recorded_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class Payable(Table, table=True):
    """What the finance office asks the treasury to pay, computed and recorded here: one quarter's
    首贷贴息 of a loan (ref = the quarter, paid to the enterprise) or a non-performing loan's compensation to
    one recipient (ref = bank or guarantor). The awards service keeps each as an award of its programme
    (key `{kind}:{id}`): the treasury approves it against that programme's budget and pays it, and its
    award.changed events move `state` here: requested → approved → paid (→ clawed_back), or refused
    (rejected or stopped there: the same quarter or recipient may be asked again, as the next attempt).
    Rows paid before the treasury's approval existed were moved here as paid (migration 0006)."""

    __tablename__ = "payable"
    __table_args__ = (UniqueConstraint("kind", "loan_id", "ref", "attempt"),
                      Index("ix_payable_state", "state"))
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # first_loan_subsidy, npl_compensation (the awards programme)
    loan_id: int = Field(foreign_key=LOAN, index=True)
    ref: str = Field(max_length=12)  # 2025Q3 for a subsidy; bank or guarantor for a compensation
    attempt: int = 1  # the next after a refusal
    uscc: str = Field(max_length=18, index=True)
    payee: str = Field(max_length=64)  # the enterprise's USCC, the bank's or guarantor's org code
    payee_type: str = Field(max_length=20)  # enterprise, bank, guarantor
    amount_yuan: int = Field(sa_type=BigInteger)
    basis: dict = Field(sa_type=JSON)
    state: str = Field(default="requested", max_length=16)
    award_id: int | None = None  # the awards service's award, once its first event arrived
    requested_by: str = Field(max_length=200)
    requested_on: dt.date
    settled_on: dt.date | None = None  # the day the treasury's decision (paid, refused) reached finance
    note: str | None = Field(default=None, max_length=2000)  # why refused, as the award's state says
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)
