"""corrections: awards withdrawn, withheld, settled outside, flagged

Revision ID: 0007_awards_corrections
Revises: 0006_awards_record
Create Date: 2026-12-03 00:00:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0007_awards_corrections'
down_revision = '0006_awards_record'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
