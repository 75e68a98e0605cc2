"""imports that never lose a row: preview, cancel, back-fill

Revision ID: 0010_registry_imports
Revises: 0009_registry_corrections
Create Date: 2026-12-03 00:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_registry_imports'
down_revision = '0009_registry_corrections'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('backfilled', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mode', sa.String(length=10), nullable=False, server_default='import'))
        batch_op.add_column(sa.Column('dry_run', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('cancel_requested', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.drop_column('cancel_requested')
        batch_op.drop_column('dry_run')
        batch_op.drop_column('mode')
    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.drop_column('backfilled')
