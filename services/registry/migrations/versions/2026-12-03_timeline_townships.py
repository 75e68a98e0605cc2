"""the record on a date: timeline entries and townships

Revision ID: 0011_registry_timeline
Revises: 0010_registry_imports
Create Date: 2026-12-03 00:00:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0011_registry_timeline'
down_revision = '0010_registry_imports'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
