"""corrections: list entries ended on departure

`service_list_entry.removed_reason`: moved_out or closed when an entry left the list because the
enterprise left the district (as last announced; a cache column like the others, filled when the
next record or sweep judges the entry).

Revision ID: 0005_finance_corrections
Revises: 0004_finance_record
Create Date: 2026-12-03 00:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_finance_corrections'
down_revision = '0004_finance_record'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('service_list_entry', sa.Column('removed_reason', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('service_list_entry') as batch:
        batch.drop_column('removed_reason')
