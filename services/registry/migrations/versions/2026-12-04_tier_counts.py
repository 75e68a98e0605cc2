"""tier counts: per-day deltas maintained with each certification change, back-filled from the certifications

Revision ID: 0015_registry_tier_counts
Revises: 0014_registry_monitoring
Create Date: 2026-12-03 00:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015_registry_tier_counts'
down_revision = '0014_registry_monitoring'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tier_count_delta',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('tier', sa.String(length=30), nullable=False),
    sa.Column('township', sa.String(length=50), nullable=False),
    sa.Column('park_id', sa.String(length=64), nullable=False),
    sa.Column('industry_code', sa.String(length=20), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'kind', 'tier', 'township', 'park_id', 'industry_code',
                            name=op.f('pk_tier_count_delta'))
    )
    op.create_index('ix_tier_count_delta_cover', 'tier_count_delta', ['kind', 'day', 'tier', 'delta'], unique=False)
    op.create_table('tier_count_total',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('tier', sa.String(length=30), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'kind', 'tier', name=op.f('pk_tier_count_total'))
    )
    op.create_index('ix_tier_count_total_cover', 'tier_count_total', ['day', 'kind', 'tier', 'delta'], unique=False)
    op.create_index('ix_certification_recognized', 'certification', ['recognized_on', 'tier', 'state', 'uscc'],
                    unique=False)
    op.create_table('tier_count_basis',
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('contribution', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('uscc', name=op.f('pk_tier_count_basis'))
    )
    # Back-fill from the certifications as they stand (the same rules as every later change).
    from services.registry.statistics.counts import rebuild
    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table('tier_count_basis')
    op.drop_index('ix_certification_recognized', table_name='certification')
    op.drop_index('ix_tier_count_total_cover', table_name='tier_count_total')
    op.drop_table('tier_count_total')
    op.drop_index('ix_tier_count_delta_cover', table_name='tier_count_delta')
    op.drop_table('tier_count_delta')
