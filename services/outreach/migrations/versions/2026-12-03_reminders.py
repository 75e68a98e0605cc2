"""validity reminders: one per enterprise per cycle (notice.reminder_key); their channels

Revision ID: 0006_outreach_reminders
Revises: 0005_outreach_records
Create Date: 2026-12-03 00:00:00
"""
from alembic import op
import sqlalchemy as sa

from shared import params


revision = '0006_outreach_reminders'
down_revision = '0005_outreach_records'
branch_labels = None
depends_on = None

KEY = "outreach.validity.reminder_channels"


def upgrade() -> None:
    # No table: a validity reminder is a notice keyed by notice.reminder_key ("validity:<uscc>:<cycle>",
    # unique since 0002), so one notice per enterprise and cycle however often the event comes.
    params.seed(op, [
        {"key": KEY, "value": ["inbox", "email"], "effective_from": "2022-01-01",
         "legal_ref": "issue 18 (the validity cycle): reminders through the notice channels; default chosen for "
                      "the suite, to be set by 区经信局"}])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM policy_parameter WHERE key = :k AND set_by = 'migration'").bindparams(k=KEY))
