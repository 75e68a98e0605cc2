"""money columns 64-bit: award.amount_yuan, budget.allocated_yuan, ledger_entry.amount_yuan as BIGINT on
PostgreSQL (a yearly budget, or 5 % of a large contract, passes 2^31 元). SQLite's INTEGER is 64-bit
already: nothing to do there (and no table rebuild under foreign keys).

Revision ID: 0004_awards_money_bigint
Revises: 0003_awards_incubation
Create Date: 2026-12-02 00:28:59.967211
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_awards_money_bigint'
down_revision = '0003_awards_incubation'
branch_labels = None
depends_on = None

COLUMNS = (("award", "amount_yuan"), ("budget", "allocated_yuan"), ("ledger_entry", "amount_yuan"))


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column in COLUMNS:
        op.alter_column(table, column, existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column in COLUMNS:
        op.alter_column(table, column, existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False)
