"""Outreach tables (SQLModel): scenarios and proposals, the showcase, contracts, notices and their
deliveries, contacts, programmes and applications. The registry's enterprises are its records in
the shared `registry_record` table (shared.projection), not a table of outreach's own."""
import datetime as dt

from sqlalchemy import JSON, BigInteger, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.db import new_registry, utcnow


class Table(SQLModel, registry=new_registry()):
    pass


def _created():
    return Field(default_factory=utcnow, sa_type=DateTime)


def _yuan(nullable: bool = False):
    return Field(default=None, sa_type=BigInteger) if nullable else Field(sa_type=BigInteger)


class Contact(Table, table=True):
    """Where notices reach an enterprise (its own data: the registry keeps no contacts)."""

    __tablename__ = "contact"
    uscc: str = Field(max_length=18, primary_key=True)
    email: str | None = Field(default=None, max_length=200)
    wechat_openid: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=20)  # a mainland mobile number, for SMS
    updated_by: str = Field(max_length=200)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime, sa_column_kwargs={"onupdate": utcnow})


class Scenario(Table, table=True):
    """An application scenario (场景清单) a district department publishes."""

    __tablename__ = "scenario"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    owner_department: str = Field(max_length=200)
    need: str = Field(max_length=2000)
    budget_yuan: int = _yuan()
    deadline: dt.date
    state: str = Field(default="open", max_length=12)  # open, contracted, closed
    recommended_city: bool = False  # 推荐全市
    recommended_on: dt.date | None = None
    created_by: str = Field(max_length=200)
    created_at: dt.datetime = _created()


class Proposal(Table, table=True):
    """An enterprise's proposal of its product for a scenario."""

    __tablename__ = "proposal"
    __table_args__ = (UniqueConstraint("scenario_id", "uscc"),)
    id: int | None = Field(default=None, primary_key=True)
    scenario_id: int = Field(foreign_key="scenario.id", index=True)
    uscc: str = Field(max_length=18)
    product_id: int | None = Field(default=None, foreign_key="product.id")
    summary: str = Field(max_length=2000)
    price_yuan: int | None = _yuan(nullable=True)
    state: str = Field(default="submitted", max_length=12)  # submitted, chosen, not_chosen
    created_by: str = Field(max_length=200)
    created_at: dt.datetime = _created()


class Product(Table, table=True):
    """A new technology or product in the showcase (新技术新产品目录)."""

    __tablename__ = "product"
    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(max_length=18, index=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=12)  # technology, product
    category: str = Field(max_length=100, index=True)
    maturity: str = Field(max_length=20)  # research, pilot, mass_production, deployed
    certifications: list = Field(default_factory=list, sa_type=JSON)
    references: list = Field(default_factory=list, sa_type=JSON)
    description: str | None = Field(default=None, max_length=2000)
    # rules.normalise(name, category, description, certifications, references): searched with
    # LIKE '%term%', which finds Chinese partial words on PostgreSQL and SQLite alike.
    search_text: str = Field(sa_type=Text)
    created_by: str = Field(max_length=200)
    created_at: dt.datetime = _created()


class Interest(Table, table=True):
    """A buyer's expression of interest in a showcase product."""

    __tablename__ = "interest"
    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="product.id", index=True)
    buyer_uscc: str | None = Field(default=None, max_length=18)
    buyer_department: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=2000)
    created_by: str = Field(max_length=200)
    created_at: dt.datetime = _created()


class Contract(Table, table=True):
    """A signed contract: a phase of a scenario with its chosen proposal's enterprise (kind
    scenario; a scenario may have several) or an up/down-stream deal between two district
    enterprises (kind ecosystem). Signing emits contract.signed.v1."""

    __tablename__ = "contract"
    # A contract is recorded once, so typing it twice cannot raise two claims: a scenario's phase
    # once per scenario × evidence (its contract number; the ecosystem contracts' NULL scenario_id
    # never collides), an ecosystem contract once per supplier × buyer × evidence (scenario
    # contracts have no buyer_uscc, so never collide there).
    __table_args__ = (UniqueConstraint("scenario_id", "evidence"), UniqueConstraint("uscc", "buyer_uscc", "evidence"))
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=12)  # scenario, ecosystem
    uscc: str = Field(max_length=18, index=True)  # the supplier
    buyer_uscc: str | None = Field(default=None, max_length=18)
    buyer_name: str = Field(max_length=200)
    scenario_id: int | None = Field(default=None, foreign_key="scenario.id")
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    product_id: int | None = Field(default=None, foreign_key="product.id")
    contract_yuan: int = _yuan()
    signed_on: dt.date
    evidence: str = Field(max_length=2000)
    event_id: str = Field(max_length=36)
    created_by: str = Field(max_length=200)
    created_at: dt.datetime = _created()


class Notice(Table, table=True):
    """A declaration notice (申报通知) targeted at a selection of enterprises."""

    __tablename__ = "notice"
    id: int | None = Field(default=None, primary_key=True)
    programme: str = Field(max_length=200)
    title: str = Field(max_length=200)
    body: str = Field(max_length=2000)
    window_opens: dt.date
    window_closes: dt.date
    criteria_url: str | None = Field(default=None, max_length=500)
    # {"tiers", "townships", "park_ids", "usccs", "industries": [...], "screening": {tier, result, on,
    #  indicator_year, usccs (resolved from the registry at creation)} | null, "audience": "targeted" |
    #  "all" (every district enterprise: only when asked for, never for an empty target)}
    target: dict = Field(sa_type=JSON)
    channels: list = Field(sa_type=JSON)  # ["inbox", "email", "wechat", "sms"]
    sent_at: dt.datetime | None = Field(default=None, sa_type=DateTime)
    # Set on the reminders the service writes itself ("reminder:<programme id>:<window_closes>"),
    # so that reminding again reuses the notice instead of writing a second one.
    reminder_key: str | None = Field(default=None, max_length=100, unique=True)
    created_by: str = Field(max_length=200)
    created_at: dt.datetime = _created()


class Delivery(Table, table=True):
    """One notice to one enterprise through one channel: the unique key makes a resend or a
    retry reuse the row, never add a second one."""

    __tablename__ = "delivery"
    __table_args__ = (UniqueConstraint("notice_id", "uscc", "channel"),
                      Index("ix_delivery_state_next", "state", "next_attempt_at"))
    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    uscc: str = Field(max_length=18, index=True)
    channel: str = Field(max_length=12)
    # pending, sending, sent, failed (retried), abandoned (given up), skipped (nothing to send: no
    # address for the channel, or the channel not configured; never retried)
    state: str = Field(default="pending", max_length=10)
    attempts: int = 0
    next_attempt_at: dt.datetime = _created()
    last_error: str | None = Field(default=None, max_length=500)
    sent_at: dt.datetime | None = Field(default=None, sa_type=DateTime)
    read_at: dt.datetime | None = Field(default=None, sa_type=DateTime)
    created_at: dt.datetime = _created()


class Programme(Table, table=True):
    """A municipal or national programme (上云上平台, 绿色技改, 新智造100, …) with its window."""

    __tablename__ = "programme"
    __table_args__ = (UniqueConstraint("name", "window_opens"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    level: str = Field(max_length=12)  # municipal, national
    authority: str = Field(max_length=200)
    window_opens: dt.date
    window_closes: dt.date
    max_amount_yuan: int | None = _yuan(nullable=True)
    url: str | None = Field(default=None, max_length=500)
    description: str | None = Field(default=None, max_length=2000)
    created_by: str = Field(max_length=200)
    created_at: dt.datetime = _created()


class Application(Table, table=True):
    """An application to a programme that the bureau helps an enterprise with."""

    __tablename__ = "application"
    __table_args__ = (UniqueConstraint("programme_id", "uscc"),)
    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    uscc: str = Field(max_length=18, index=True)
    stage: str = Field(default="preparing", max_length=12)
    requested_yuan: int | None = _yuan(nullable=True)
    granted_yuan: int | None = _yuan(nullable=True)
    note: str | None = Field(default=None, max_length=2000)
    created_by: str = Field(max_length=200)
    created_at: dt.datetime = _created()
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=DateTime, sa_column_kwargs={"onupdate": utcnow})
