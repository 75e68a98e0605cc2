"""the declaration season: seasons, applications, pre-review, recommendations, platform jobs

Revision ID: 0012_registry_season
Revises: 0011_registry_timeline
Create Date: 2026-12-03 00:00:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0012_registry_season'
down_revision = '0011_registry_timeline'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
