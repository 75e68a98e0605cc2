"""the validity cycle: reminders announced once per enterprise per cycle

Revision ID: 0013_registry_reminders
Revises: 0012_registry_season
Create Date: 2026-12-03 00:00:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0013_registry_reminders'
down_revision = '0012_registry_season'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
