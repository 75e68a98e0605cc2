"""validity reminders: one per enterprise per cycle

Revision ID: 0006_outreach_reminders
Revises: 0005_outreach_records
Create Date: 2026-12-03 00:00:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0006_outreach_reminders'
down_revision = '0005_outreach_records'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
