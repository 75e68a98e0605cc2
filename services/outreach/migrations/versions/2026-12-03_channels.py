"""channels that deliver: an enterprise's mobile number for SMS (contact.phone)

Revision ID: 0007_outreach_channels
Revises: 0006_outreach_reminders
Create Date: 2026-12-10 00:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_outreach_channels'
down_revision = '0006_outreach_reminders'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # delivery.state gains "skipped" (no address, channel not configured): a value of the same
    # 10-character column, no schema change.
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_column('phone')
