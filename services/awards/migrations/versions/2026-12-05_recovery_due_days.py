"""recovery due period: the dated parameter award.recovery.due_days (seed 90 days from 2022-01-01,
the district's own choice; was the constant recoveries.rules.DUE_DAYS)

Revision ID: 0012_awards_recovery_due_days
Revises: 0011_awards_batch_cancel
Create Date: 2026-12-05 01:00:00
"""
from alembic import op

from shared import params

revision = '0012_awards_recovery_due_days'
down_revision = '0011_awards_batch_cancel'
branch_labels = None
depends_on = None


def upgrade() -> None:
    params.seed(op, [
        {"key": "award.recovery.due_days", "value": 90, "effective_from": "2022-01-01",
         "legal_ref": "区经信局确定：追回通知书的还款期限（自追回入账之日起的天数）。上级政策未规定期限，"
                      "90 天为本区的选择，可按日期发布新版本调整"},
    ])


def downgrade() -> None:
    op.execute("DELETE FROM policy_parameter WHERE key = 'award.recovery.due_days' AND set_by = 'migration'")
