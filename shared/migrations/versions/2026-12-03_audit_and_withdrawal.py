"""audit_and_withdrawal: the audit-log API's indexes (actor, time), and withdrawn policy versions
(kept and marked; the (key, effective_from) uniqueness holds among versions not withdrawn only, so
a corrected version may take the withdrawn one's date)

Revision ID: 0003_audit_and_withdrawal
Revises: 0002_registry_record
Create Date: 2026-12-03 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_audit_and_withdrawal'
down_revision = '0002_registry_record'
branch_labels = None
depends_on = None

LIVE = sa.text('withdrawn_at IS NULL')


def upgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_actor', ['actor'], unique=False)
        batch_op.create_index('ix_audit_log_at', ['at'], unique=False)

    with op.batch_alter_table('policy_parameter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('withdraw_reason', sa.String(length=2000), nullable=True))
        batch_op.drop_constraint('uq_policy_parameter_key_effective_from', type_='unique')
    op.create_index('uq_policy_parameter_live_key_effective_from', 'policy_parameter', ['key', 'effective_from'],
                    unique=True, sqlite_where=LIVE, postgresql_where=LIVE)


def downgrade() -> None:
    # Withdrawn versions cannot survive the old (key, effective_from) uniqueness: they go.
    op.execute("DELETE FROM policy_parameter WHERE withdrawn_at IS NOT NULL")
    op.drop_index('uq_policy_parameter_live_key_effective_from', table_name='policy_parameter')
    with op.batch_alter_table('policy_parameter', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_policy_parameter_key_effective_from', ['key', 'effective_from'])
        batch_op.drop_column('withdraw_reason')
        batch_op.drop_column('withdrawn_by')
        batch_op.drop_column('withdrawn_at')

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_at')
        batch_op.drop_index('ix_audit_log_actor')
