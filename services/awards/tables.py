"""Awards tables (SQLModel): awards with their state history and money ledger, and the facts other
departments recorded that awards are paid against (contracts, listings, designations, incubatees).
The registry's enterprises are the plumbing table `registry_record` (shared.projection), not a table
of this service."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, DateTime, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.db import new_registry, utcnow

# Money in whole 元 as a 64-bit integer: a yearly budget or one award may pass 2^31 元 (PostgreSQL's
# INTEGER). SQLite's INTEGER is already 64-bit, so there the column stays INTEGER (no table rebuild).
Money = BigInteger().with_variant(Integer(), "sqlite")
AWARD = "award.id"


class Table(SQLModel, registry=new_registry()):
    pass


class Award(Table, table=True):
    """One award. Its natural key makes it happen once whatever events arrive:
    tier:{uscc}:{tier}, relocation:{uscc}, introducer:{uscc}, featured_park:first,
    incubation:{park_id}:{uscc}, {scenario|ecosystem}:contract:{contract_id}[:{n}], listing:{uscc}[:{n}].
    The row's facts never change and its state follows its transitions: the database refuses
    anything else (migration 0006_awards_record). It is created computed, or settled_outside when it
    rests on a title back-filled from before go-live (migration 0007_awards_corrections)."""

    __tablename__ = "award"
    __table_args__ = (Index("ix_award_uscc_program", "uscc", "program"), Index("ix_award_state", "state"))
    id: int | None = Field(default=None, primary_key=True)
    award_key: str = Field(max_length=100, unique=True)
    program: str = Field(max_length=20)
    uscc: str | None = Field(default=None, max_length=18)  # the enterprise it is about
    payee: str = Field(max_length=200)  # who is paid: enterprise, intermediary or park
    payee_type: str = Field(max_length=20)  # enterprise, intermediary, park
    tier: str | None = Field(default=None, max_length=30)
    amount_yuan: int = Field(sa_type=Money)
    state: str = Field(default="computed", max_length=20)
    basis: dict = Field(sa_type=JSON)
    decided_on: dt.date  # the date whose policy applies
    certification_id: int | None = None
    budget_year: int | None = None  # set on approval (its year)
    # The outreach contract a scenario or ecosystem award rests on (one standing award per contract).
    contract_id: int | None = Field(default=None, index=True)
    # Why a correction of the record touched the award (certification_voided, enterprise_departed)
    # and its reason, for the treasury: not a fact of the award (which never changes), a note on it.
    flag: str | None = Field(default=None, max_length=40, index=True)
    flag_reason: str | None = Field(default=None, max_length=2000)
    source_event_id: str = Field(max_length=36)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class AwardTransition(Table, table=True):
    """Every state change of an award: who, when, why (append-only)."""

    __tablename__ = "award_transition"
    id: int | None = Field(default=None, primary_key=True)
    award_id: int = Field(foreign_key=AWARD, index=True)
    from_state: str | None = Field(default=None, max_length=20)
    to_state: str = Field(max_length=20)
    actor: str = Field(max_length=200)
    reason: str | None = Field(default=None, max_length=2000)
    voucher: str | None = Field(default=None, max_length=200)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class Listing(Table, table=True):
    """A listing the finance office recorded (srdi.finance.enterprise.listed.v1)."""

    __tablename__ = "listing"
    __table_args__ = (UniqueConstraint("uscc", "board"),)
    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(max_length=18, index=True)
    board: str = Field(max_length=20)
    listed_on: dt.date
    source_event_id: str = Field(max_length=36)
    recorded_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class Budget(Table, table=True):
    """A program's yearly allocation, set by the treasury; reserved and disbursed come from the ledger."""

    __tablename__ = "budget"
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    program: str = Field(max_length=20, primary_key=True)
    allocated_yuan: int = Field(sa_type=Money)
    set_by: str = Field(max_length=200)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime, sa_column_kwargs={"onupdate": utcnow})


class LedgerEntry(Table, table=True):
    """Immutable money entries (never updated or deleted; a correction is a new entry).

    kind: awarded, top_up (an award created; amount owed), reserved / released (budget of
    budget_year), disbursed (paid, with voucher), reversed (an unpaid award rejected),
    clawed_back (a paid award taken back)."""

    __tablename__ = "ledger_entry"
    __table_args__ = (Index("ix_ledger_entry_booked_on", "booked_on"),
                      Index("ix_ledger_entry_budget", "budget_year", "program", "kind"))
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    award_id: int = Field(foreign_key=AWARD, index=True)
    program: str = Field(max_length=20)
    uscc: str | None = Field(default=None, max_length=18)
    payee: str = Field(max_length=200)
    payee_type: str = Field(max_length=20)
    amount_yuan: int = Field(sa_type=Money)  # a magnitude; `kind` says which way it moves
    booked_on: dt.date
    budget_year: int | None = None
    voucher: str | None = Field(default=None, max_length=200)
    actor: str = Field(max_length=200)
    note: str | None = Field(default=None, max_length=2000)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class Contract(Table, table=True):
    """A contract outreach recorded (srdi.outreach.contract.signed.v1): the only ground of a scenario or
    ecosystem award. Keyed by outreach's contract id, so one contract is one fact whatever path raises it."""

    __tablename__ = "contract"
    contract_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    kind: str = Field(max_length=20)  # scenario, ecosystem
    uscc: str = Field(max_length=18, index=True)  # the supplier, paid
    buyer_uscc: str | None = Field(default=None, max_length=18)
    scenario_id: int | None = None
    proposal_id: int | None = None  # scenario: the chosen proposal
    contract_yuan: int = Field(sa_type=Money)
    signed_on: dt.date
    evidence: str | None = Field(default=None, max_length=200)
    source_event_id: str = Field(max_length=36)
    recorded_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class Voucher(Table, table=True):
    """A payment voucher number (凭证号) and the one award it paid; normalised (trimmed, upper case)."""

    __tablename__ = "voucher"
    voucher: str = Field(max_length=200, primary_key=True)
    award_id: int = Field(foreign_key=AWARD, unique=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class ParkDesignation(Table, table=True):
    """A park designation parks recorded (park.designated.v1): the featured-park award, and the what-if."""

    __tablename__ = "park_designation"
    designation_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    park_id: str = Field(max_length=64)
    designation: str = Field(max_length=30)
    designated_on: dt.date
    source_event_id: str = Field(max_length=36)


class IncubateePromotion(Table, table=True):
    """A park's incubatee promoted, as parks announced it (incubatee.promoted.v1): the incubation award,
    and the what-if (which needs the promotions that paid nothing under the amount then in force)."""

    __tablename__ = "incubatee_promotion"
    __table_args__ = (UniqueConstraint("park_id", "uscc", "to_tier"),)
    id: int | None = Field(default=None, primary_key=True)
    park_id: str = Field(max_length=64)
    uscc: str = Field(max_length=18)
    to_tier: str = Field(max_length=30)
    recognized_on: dt.date
    incubation_id: int | None = None
    source_event_id: str = Field(max_length=36)


# -- recoveries and carry-over (issue 19): what a claw-back is owed back, and awards waiting for a later budget --
class Receivable(Table, table=True):
    """What a payee owes back after a claw-back (应收追回款): one per clawed-back award, opened in the
    claw-back's own transaction. `recovered_yuan` and `state` follow its repayments (each also a
    `recovered` ledger entry); outstanding = amount − recovered (− the rest when written off)."""

    __tablename__ = "receivable"
    id: int | None = Field(default=None, primary_key=True)
    award_id: int = Field(foreign_key=AWARD, unique=True)
    program: str = Field(max_length=20)
    uscc: str | None = Field(default=None, max_length=18)
    payee: str = Field(max_length=200, index=True)
    payee_type: str = Field(max_length=20)
    amount_yuan: int = Field(sa_type=Money)
    recovered_yuan: int = Field(default=0, sa_type=Money)
    budget_year: int | None = Field(default=None, index=True)  # the year whose budget paid the award
    opened_on: dt.date
    due_on: dt.date
    reason: str | None = Field(default=None, max_length=2000)
    state: str = Field(default="open", max_length=20, index=True)  # open, partly_repaid, repaid, written_off
    closed_reason: str | None = Field(default=None, max_length=2000)  # why it was written off
    actor: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class Repayment(Table, table=True):
    """One repayment of a receivable, with its receipt voucher (normalised like disbursement vouchers:
    one voucher, one repayment; never a voucher that paid an award)."""

    __tablename__ = "repayment"
    id: int | None = Field(default=None, primary_key=True)
    receivable_id: int = Field(foreign_key="receivable.id", index=True)
    amount_yuan: int = Field(sa_type=Money)
    repaid_on: dt.date
    voucher: str = Field(max_length=200)  # as typed
    voucher_key: str = Field(max_length=200, unique=True)  # trimmed, inner spaces dropped, upper case
    note: str | None = Field(default=None, max_length=2000)
    actor: str = Field(max_length=200)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class ApprovalRefusal(Table, table=True):
    """An approval the budget refused (no-budget, budget-exceeded): the award stays reviewed, and the
    treasury finds it here to carry it over to the next year."""

    __tablename__ = "approval_refusal"
    id: int | None = Field(default=None, primary_key=True)
    award_id: int = Field(foreign_key=AWARD, index=True)
    year: int = Field(index=True)
    program: str = Field(max_length=20)
    code: str = Field(max_length=20)  # no-budget, budget-exceeded
    amount_yuan: int = Field(sa_type=Money)
    remaining_yuan: int | None = Field(default=None, sa_type=Money)
    refused_on: dt.date
    actor: str = Field(max_length=200)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class CarryOver(Table, table=True):
    """A reviewed award refused for lack of budget that the treasury carried to a later year's budget
    (结转): a commitment of `to_year` while the award stays reviewed; its approval then reserves that year's budget."""

    __tablename__ = "carry_over"
    __table_args__ = (UniqueConstraint("award_id", "to_year"),)
    id: int | None = Field(default=None, primary_key=True)
    award_id: int = Field(foreign_key=AWARD, index=True)
    program: str = Field(max_length=20)
    amount_yuan: int = Field(sa_type=Money)
    from_year: int
    to_year: int = Field(index=True)
    note: str | None = Field(default=None, max_length=2000)
    actor: str = Field(max_length=200)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


# -- payees and payment batches (issue 19): who is paid, to which account, and the treasury's batches --
class Payee(Table, table=True):
    """Who an award is paid to, as a record: one per (kind, ref) — kind enterprise (ref the USCC), park
    (the park id) or intermediary (the name the award's `payee` carries). The account number is kept
    only encrypted (Fernet, SRDI_PAYEE_KEY) and as a mask; only the payment system's file holds it whole."""

    __tablename__ = "payee"
    __table_args__ = (UniqueConstraint("kind", "ref"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # enterprise, park, intermediary (an award's payee_type)
    ref: str = Field(max_length=200)  # an award's payee
    name: str = Field(max_length=200)  # the account holder (收款方名称)
    bank_name: str = Field(max_length=200)  # 开户行
    account_cipher: str = Field(max_length=500)
    account_mask: str = Field(max_length=40)
    # kind intermediary: the directory entry (parks' id) its name matched when the treasury set it
    intermediary_id: int | None = Field(default=None)
    updated_by: str = Field(max_length=200)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class KnownIntermediary(Table, table=True):
    """The parks service's intermediary directory as awards knows it (srdi.parks.intermediary.changed.v1):
    the newest version of each entry, keyed by parks' id. An intermediary payee is matched to it by name."""

    __tablename__ = "known_intermediary"
    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})  # parks' intermediary id
    name: str = Field(max_length=200, index=True)
    kind: str = Field(max_length=20)
    uscc: str | None = Field(default=None, max_length=18)
    version: int
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)


class PaymentBatch(Table, table=True):
    """A payment batch the treasury builds from approved awards: draft → exported → settled, or a draft
    cancelled (its lines freed: the awards back in the queue)."""

    __tablename__ = "payment_batch"
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=30, unique=True)  # 批次号, ZF{year}-{id:05d}
    state: str = Field(default="draft", max_length=20, index=True)  # draft, exported, settled, cancelled
    count: int = 0
    amount_yuan: int = Field(default=0, sa_type=Money)
    note: str | None = Field(default=None, max_length=2000)
    created_by: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime)
    exported_at: dt.datetime | None = Field(default=None, sa_type=DateTime)
    settled_at: dt.datetime | None = Field(default=None, sa_type=DateTime)
    cancelled_at: dt.datetime | None = Field(default=None, sa_type=DateTime)
    cancelled_by: str | None = Field(default=None, max_length=200)
    cancel_reason: str | None = Field(default=None, max_length=2000)


class PaymentLine(Table, table=True):
    """One award in a batch, with the payee's account as it was when batched, and the payment
    system's result. `open_award_id` is the award's id while the line stands (no result yet, or paid)
    and NULL once returned: its unique key keeps an award in at most one open batch."""

    __tablename__ = "payment_line"
    __table_args__ = (UniqueConstraint("batch_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="payment_batch.id", index=True)
    seq: int  # 序号, from 1
    award_id: int = Field(foreign_key=AWARD, index=True)
    open_award_id: int | None = Field(default=None, unique=True)
    payee_id: int = Field(foreign_key="payee.id")
    payee_name: str = Field(max_length=200)
    bank_name: str = Field(max_length=200)
    account_cipher: str = Field(max_length=500)
    account_mask: str = Field(max_length=40)
    amount_yuan: int = Field(sa_type=Money)
    purpose: str = Field(max_length=200)  # 用途
    result: str | None = Field(default=None, max_length=20)  # paid, returned
    voucher: str | None = Field(default=None, max_length=200)
    returned_reason: str | None = Field(default=None, max_length=2000)
    result_by: str | None = Field(default=None, max_length=200)
    result_at: dt.datetime | None = Field(default=None, sa_type=DateTime)
