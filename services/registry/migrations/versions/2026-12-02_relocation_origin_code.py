"""the relocation origin as a GB/T 2260 division code

Revision ID: 0008_registry_relocation_code
Revises: 0007_registry_hotline_listing
Create Date: 2026-12-02 08:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_registry_relocation_code'
down_revision = '0007_registry_hotline_listing'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.add_column(sa.Column('relocated_from_code', sa.String(length=6), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_column('relocated_from_code')
