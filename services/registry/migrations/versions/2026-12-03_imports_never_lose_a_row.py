"""imports that never lose a row: preview, cancel, back-fill

Revision ID: 0010_registry_imports
Revises: 0009_registry_corrections
Create Date: 2026-12-03 00:00:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0010_registry_imports'
down_revision = '0009_registry_corrections'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
