"""registry_record: every service's copy of the registry's enterprise records (shared.projection)

Revision ID: 0002_registry_record
Revises: 0001_plumbing
Create Date: 2026-12-02 08:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_registry_record'
down_revision = '0001_plumbing'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('registry_record',
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.String(length=64), nullable=True),
    sa.Column('record', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('uscc', name=op.f('pk_registry_record'))
    )
    with op.batch_alter_table('registry_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_record_park_id'), ['park_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('registry_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_record_park_id'))
    op.drop_table('registry_record')
