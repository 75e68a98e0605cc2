"""the declaration season: seasons, applications, pre-review, recommendations, platform jobs

Revision ID: 0012_registry_season
Revises: 0011_registry_timeline
Create Date: 2026-12-03 00:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_registry_season'
down_revision = '0011_registry_timeline'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('season',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('programme', sa.String(length=30), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('notice', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_season'))
    )
    op.create_table('season_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('season_id', sa.Integer(), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('state', sa.String(length=15), nullable=False),
    sa.Column('applied_by', sa.String(length=200), nullable=False),
    sa.Column('applied_at', sa.DateTime(), nullable=False),
    sa.Column('checklist', sa.Text(), nullable=True),
    sa.Column('pre_reviewed_by', sa.String(length=200), nullable=True),
    sa.Column('pre_reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('recommend', sa.Boolean(), nullable=True),
    sa.Column('reasons', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['season_id'], ['season.id'], name=op.f('fk_season_application_season_id_season')),
    sa.ForeignKeyConstraint(['uscc'], ['enterprise.uscc'], name=op.f('fk_season_application_uscc_enterprise')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_season_application')),
    sa.UniqueConstraint('season_id', 'uscc', name=op.f('uq_season_application_season_id_uscc'))
    )
    op.create_table('season_recommendation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('season_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('enterprises', sa.Text(), nullable=False),
    sa.Column('refused', sa.Text(), nullable=False),
    sa.Column('batch_id', sa.String(length=40), nullable=False),
    sa.Column('job_id', sa.String(length=36), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['season_id'], ['season.id'], name=op.f('fk_season_recommendation_season_id_season')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_season_recommendation')),
    sa.UniqueConstraint('season_id', 'version', name=op.f('uq_season_recommendation_season_id_version'))
    )
    op.create_table('platform_job',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('request', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_job'))
    )
    with op.batch_alter_table('platform_job', schema=None) as batch_op:
        batch_op.create_index('ix_platform_job_created_at', ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('platform_job', schema=None) as batch_op:
        batch_op.drop_index('ix_platform_job_created_at')
    op.drop_table('platform_job')
    op.drop_table('season_recommendation')
    op.drop_table('season_application')
    op.drop_table('season')
