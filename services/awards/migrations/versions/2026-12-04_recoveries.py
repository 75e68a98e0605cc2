"""recoveries and carry-over (issue 19): receivables opened by claw-backs and their repayments; approvals
refused for lack of budget, and awards carried over to a later year's budget

`receivable` (one per clawed-back award), `repayment` (each with a unique normalised voucher),
`approval_refusal` (no-budget / budget-exceeded, so the treasury finds the awards), `carry_over`
(award → to_year). The claw-backs already in the database get their receivables here, opened on
the claw-back's booking date, with its amount, budget year and reason.

Revision ID: 0009_awards_recoveries
Revises: 0008_awards_payments
Create Date: 2026-12-03 00:00:00
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa


revision = '0009_awards_recoveries'
down_revision = '0008_awards_payments'
branch_labels = None
depends_on = None

Money = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
DUE_DAYS = 90  # as services.awards.recoveries.rules.DUE_DAYS (a migration does not import the service)


def upgrade() -> None:
    op.create_table('receivable',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('program', sa.String(length=20), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=True),
    sa.Column('payee', sa.String(length=200), nullable=False),
    sa.Column('payee_type', sa.String(length=20), nullable=False),
    sa.Column('amount_yuan', Money, nullable=False),
    sa.Column('recovered_yuan', Money, nullable=False),
    sa.Column('budget_year', sa.Integer(), nullable=True),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=2000), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('closed_reason', sa.String(length=2000), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['award_id'], ['award.id'], name=op.f('fk_receivable_award_id_award')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receivable')),
    sa.UniqueConstraint('award_id', name=op.f('uq_receivable_award_id'))
    )
    with op.batch_alter_table('receivable', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_receivable_payee'), ['payee'], unique=False)
        batch_op.create_index(batch_op.f('ix_receivable_budget_year'), ['budget_year'], unique=False)
        batch_op.create_index(batch_op.f('ix_receivable_state'), ['state'], unique=False)

    op.create_table('repayment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('receivable_id', sa.Integer(), nullable=False),
    sa.Column('amount_yuan', Money, nullable=False),
    sa.Column('repaid_on', sa.Date(), nullable=False),
    sa.Column('voucher', sa.String(length=200), nullable=False),
    sa.Column('voucher_key', sa.String(length=200), nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['receivable_id'], ['receivable.id'], name=op.f('fk_repayment_receivable_id_receivable')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_repayment')),
    sa.UniqueConstraint('voucher_key', name=op.f('uq_repayment_voucher_key'))
    )
    with op.batch_alter_table('repayment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_repayment_receivable_id'), ['receivable_id'], unique=False)

    op.create_table('approval_refusal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('program', sa.String(length=20), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('amount_yuan', Money, nullable=False),
    sa.Column('remaining_yuan', Money, nullable=True),
    sa.Column('refused_on', sa.Date(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['award_id'], ['award.id'], name=op.f('fk_approval_refusal_award_id_award')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_refusal'))
    )
    with op.batch_alter_table('approval_refusal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_refusal_award_id'), ['award_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_refusal_year'), ['year'], unique=False)

    op.create_table('carry_over',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('program', sa.String(length=20), nullable=False),
    sa.Column('amount_yuan', Money, nullable=False),
    sa.Column('from_year', sa.Integer(), nullable=False),
    sa.Column('to_year', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['award_id'], ['award.id'], name=op.f('fk_carry_over_award_id_award')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carry_over')),
    sa.UniqueConstraint('award_id', 'to_year', name=op.f('uq_carry_over_award_id_to_year'))
    )
    with op.batch_alter_table('carry_over', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_carry_over_award_id'), ['award_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_carry_over_to_year'), ['to_year'], unique=False)

    _open_receivables_of_earlier_claw_backs()


def _open_receivables_of_earlier_claw_backs() -> None:
    """Every claw-back booked before this revision: its receivable, open, nothing recovered yet."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT e.award_id, e.program, e.uscc, e.payee, e.payee_type, e.amount_yuan, e.budget_year, e.booked_on, "
        "e.note, e.actor FROM ledger_entry e JOIN award a ON a.id = e.award_id "
        "WHERE e.kind = 'clawed_back' AND a.state = 'clawed_back' ORDER BY e.id")).all()
    receivable = sa.table('receivable', *(sa.column(c) for c in (
        'award_id', 'program', 'uscc', 'payee', 'payee_type', 'amount_yuan', 'recovered_yuan', 'budget_year',
        'opened_on', 'due_on', 'reason', 'state', 'actor', 'created_at')))
    seen: set[int] = set()
    for r in rows:
        if r.award_id in seen:
            continue
        seen.add(r.award_id)
        opened = r.booked_on if isinstance(r.booked_on, dt.date) else dt.date.fromisoformat(str(r.booked_on))
        bind.execute(receivable.insert().values(
            award_id=r.award_id, program=r.program, uscc=r.uscc, payee=r.payee, payee_type=r.payee_type,
            amount_yuan=r.amount_yuan, recovered_yuan=0, budget_year=r.budget_year, opened_on=opened,
            due_on=opened + dt.timedelta(days=DUE_DAYS), reason=r.note, state='open',
            actor='migration:0009_awards_recoveries', created_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)))


def downgrade() -> None:
    for table, indexes in (('carry_over', ('award_id', 'to_year')), ('approval_refusal', ('award_id', 'year')),
                           ('repayment', ('receivable_id',)), ('receivable', ('payee', 'budget_year', 'state'))):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in indexes:
                batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
        op.drop_table(table)
