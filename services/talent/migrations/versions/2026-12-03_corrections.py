"""corrections: quotas ended on departure or void

Revision ID: 0003_talent_corrections
Revises: 0002_talent_person_key
Create Date: 2026-12-03 00:00:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0003_talent_corrections'
down_revision = '0002_talent_person_key'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
