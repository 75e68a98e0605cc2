"""correcting the record: enterprise status, voided certifications, parks known to the registry

Revision ID: 0009_registry_corrections
Revises: 0008_registry_relocation_code
Create Date: 2026-12-03 00:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_registry_corrections'
down_revision = '0008_registry_relocation_code'
branch_labels = None
depends_on = None

LIVE = sa.text("state != 'voided'")


def upgrade() -> None:
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=10), nullable=False, server_default='active'))
        batch_op.add_column(sa.Column('status_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('status_reason', sa.String(length=500), nullable=True))
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None)
    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voided_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('void_reason', sa.String(length=500), nullable=True))
        # A voided certification steps aside: the same tier and date may be entered again.
        batch_op.drop_constraint('uq_certification_uscc_tier_recognized_on', type_='unique')
    op.create_index('uq_certification_live', 'certification', ['uscc', 'tier', 'recognized_on'], unique=True,
                    sqlite_where=LIVE, postgresql_where=LIVE)
    op.create_table('park',
    sa.Column('park_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('township', sa.String(length=50), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('park_id', name=op.f('pk_park'))
    )


def downgrade() -> None:
    op.drop_table('park')
    op.drop_index('uq_certification_live', table_name='certification')
    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_certification_uscc_tier_recognized_on', ['uscc', 'tier', 'recognized_on'])
        batch_op.drop_column('void_reason')
        batch_op.drop_column('voided_on')
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_column('status_reason')
        batch_op.drop_column('status_on')
        batch_op.drop_column('status')
