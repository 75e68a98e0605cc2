"""the record on a date: timeline entries and townships

Townships are a fixed list in code (shared/townships.py), not a table. The timeline keeps the other
departments' latest record of each award, quota year and service-list entry in `timeline_fact`.

Revision ID: 0011_registry_timeline
Revises: 0010_registry_imports
Create Date: 2026-12-03 00:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_registry_timeline'
down_revision = '0010_registry_imports'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('timeline_fact',
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref', sa.String(length=40), nullable=False),
    sa.Column('record', sa.Text(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('event_time', sa.String(length=40), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('uscc', 'kind', 'ref', name=op.f('pk_timeline_fact'))
    )


def downgrade() -> None:
    op.drop_table('timeline_fact')
