"""intermediary events (issue 19): the directory entry's version

`intermediary.version` (1 for every existing entry), bumped with every change and announced with
`srdi.parks.intermediary.changed.v1`, so that a copy never lets an older entry replace a newer one.
Entries registered before this revision are announced by `POST /api/v1/admin/announce-intermediaries`.

Revision ID: 0006_parks_intermediary_events
Revises: 0005_parks_corrections
Create Date: 2026-12-05 00:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006_parks_intermediary_events'
down_revision = '0005_parks_corrections'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('intermediary', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))


def downgrade() -> None:
    with op.batch_alter_table('intermediary', schema=None) as batch_op:
        batch_op.drop_column('version')
