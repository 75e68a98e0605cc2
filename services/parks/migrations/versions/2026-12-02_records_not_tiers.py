"""records, not tiers: the tier is read from the registry's record (registry_record), never stored

Drops `enterprise.tier` (the "highest version wins" copy) and `tier_change` (the history folded from
promotions and demotions): every tier is now computed from the newest record on the date asked
(shared.projection, shared.tiers). The `enterprise` table stays as an index of the newest record's
facts (introducer, park). An enterprise shows in its park again once a registry event carrying its
record has arrived (its next change, or the registry publishing its records again after the upgrade).

Revision ID: 0004_parks_records
Revises: 0003_parks_relocation
Create Date: 2026-12-02 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_parks_records'
down_revision = '0003_parks_relocation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tier_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tier_change_uscc'))
    op.drop_table('tier_change')
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_column('tier')


def downgrade() -> None:
    # The stored tier comes back as `sme` and the history empty: the next registry event refills them.
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tier', sa.String(length=30), nullable=False, server_default='sme'))
    op.create_table('tier_change',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('enterprise_version', sa.Integer(), nullable=False),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.Column('from_tier', sa.String(length=30), nullable=False),
    sa.Column('to_tier', sa.String(length=30), nullable=False),
    sa.Column('first_time', sa.Boolean(), nullable=True),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_change')),
    sa.UniqueConstraint('uscc', 'enterprise_version', name=op.f('uq_tier_change_uscc_enterprise_version'))
    )
    with op.batch_alter_table('tier_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tier_change_uscc'), ['uscc'], unique=False)
