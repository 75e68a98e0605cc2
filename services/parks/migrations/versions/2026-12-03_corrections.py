"""corrections: parks announced to the registry

`park.version`: bumped with every change of a park's entry; park.recorded.v1 carries it so the
registry keeps the newest of what it hears (existing parks start at 1; `POST
/api/v1/admin/announce-parks` tells the registry about them).

Revision ID: 0005_parks_corrections
Revises: 0004_parks_records
Create Date: 2026-12-03 00:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_parks_corrections'
down_revision = '0004_parks_records'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('park', sa.Column('version', sa.Integer(), nullable=False, server_default='1'))


def downgrade() -> None:
    with op.batch_alter_table('park') as batch:
        batch.drop_column('version')
