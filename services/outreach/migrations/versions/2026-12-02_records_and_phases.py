"""records and phases: the registry's records replace the enterprise projection; a scenario has phases

`enterprise` (the "highest version wins" copy of each enterprise's facts and tier) is dropped: the
newest record of each enterprise is kept in the shared `registry_record` table (shared.projection)
and every tier is computed from it on the date asked. Enterprises become known again as the
registry's events carrying their records arrive (the next change of each, or the registry
publishing its records again after the upgrade).

A scenario may have several contracts (its phases) with its chosen proposal's enterprise: the
unique `scenario_id` becomes unique `(scenario_id, evidence)` (one contract number, one phase).

Revision ID: 0005_outreach_records
Revises: 0004_outreach_contract_once
Create Date: 2026-12-02 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_outreach_records'
down_revision = '0004_outreach_contract_once'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_contract_scenario_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_contract_scenario_id_evidence'), ['scenario_id', 'evidence'])
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_industry_code'))
        batch_op.drop_index(batch_op.f('ix_enterprise_township'))
        batch_op.drop_index(batch_op.f('ix_enterprise_tier'))
        batch_op.drop_index(batch_op.f('ix_enterprise_park_id'))
    op.drop_table('enterprise')


def downgrade() -> None:
    # Scenarios with more than one phase must be resolved by hand first: the old key allows one.
    op.create_table('enterprise',
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('township', sa.String(length=50), nullable=True),
    sa.Column('park_id', sa.String(length=64), nullable=True),
    sa.Column('tier', sa.String(length=30), nullable=False),
    sa.Column('industry_code', sa.String(length=20), nullable=True),
    sa.Column('enterprise_version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('uscc', name=op.f('pk_enterprise'))
    )
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_park_id'), ['park_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_tier'), ['tier'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_township'), ['township'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_industry_code'), ['industry_code'], unique=False)
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_contract_scenario_id_evidence'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_contract_scenario_id'), ['scenario_id'])
