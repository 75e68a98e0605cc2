"""corrections: list entries ended on departure

Revision ID: 0005_finance_corrections
Revises: 0004_finance_record
Create Date: 2026-12-03 00:00:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0005_finance_corrections'
down_revision = '0004_finance_record'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
