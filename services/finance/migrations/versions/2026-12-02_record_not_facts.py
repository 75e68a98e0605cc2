"""the registry's record, not a change log: tier_change dropped; no stored tier on loans and
investments; the first loan decided by finance (the bank's declaration only of an earlier loan)

The service list, a loan's tier at draw and an investment's tier are derived from the registry's
record (the plumbing table `registry_record`, filled by the registry's events) on the day asked.
An existing database gets its records from the next registry event about each enterprise (events
published before records were carried have none: the registry has to re-announce its enterprises);
until then an enterprise reads as unknown and off the list.

Revision ID: 0004_finance_record
Revises: 0003_finance_provider
Create Date: 2026-12-02 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_finance_record'
down_revision = '0003_finance_provider'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table('tier_change')
    op.add_column('service_list_entry', sa.Column('peak_rank', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('loan', sa.Column('prior_loan_declared', sa.Boolean(), nullable=False, server_default=sa.false()))
    # A case the bank did not declare a first loan was not subsidised before: it stays so (no money
    # starts to flow because of the migration).
    op.execute(sa.text("UPDATE loan SET prior_loan_declared = NOT first_loan"))
    # Plain columns (no index, key or constraint): SQLite ≥ 3.35 drops them in place, so the tables
    # that reference `loan` keep their rows.
    op.drop_column('loan', 'first_loan')
    op.drop_column('loan', 'tier_at_draw')
    op.drop_column('fund_investment', 'tier_at_investment')


def downgrade() -> None:
    op.add_column('fund_investment', sa.Column('tier_at_investment', sa.String(length=30), nullable=False,
                                               server_default='sme'))
    op.add_column('loan', sa.Column('tier_at_draw', sa.String(length=30), nullable=True))
    op.add_column('loan', sa.Column('first_loan', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(sa.text("UPDATE loan SET first_loan = NOT prior_loan_declared"))
    op.drop_column('loan', 'prior_loan_declared')
    op.drop_column('service_list_entry', 'peak_rank')
    op.create_table('tier_change',
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('from_tier', sa.String(length=30), nullable=True),
    sa.Column('to_tier', sa.String(length=30), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('uscc', 'version', name=op.f('pk_tier_change'))
    )
