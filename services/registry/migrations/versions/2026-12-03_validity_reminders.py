"""the validity cycle: reminders announced once per enterprise per cycle

Revision ID: 0013_registry_reminders
Revises: 0012_registry_season
Create Date: 2026-12-03 00:00:00
"""
from alembic import op
import sqlalchemy as sa

from shared import params


revision = '0013_registry_reminders'
down_revision = '0012_registry_season'
branch_labels = None
depends_on = None

KEYS = ("reminder.title_lapse.months", "reminder.annual_update.months", "reminder.annual_update.min_tier")


def upgrade() -> None:
    op.create_table('reminder_sent',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('cycle', sa.String(length=40), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('tier', sa.String(length=30), nullable=True),
    sa.Column('certification_id', sa.Integer(), nullable=True),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['uscc'], ['enterprise.uscc'], name=op.f('fk_reminder_sent_uscc_enterprise')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_sent'))
    )
    with op.batch_alter_table('reminder_sent', schema=None) as batch_op:
        batch_op.create_index('uq_reminder_sent_uscc_cycle', ['uscc', 'cycle'], unique=True)
        batch_op.create_index('ix_reminder_sent_kind', ['kind'], unique=False)

    ref = ("issue 18 (the validity cycle): default chosen for the suite, to be set by 区经信局; CRITERIA.md: every "
           "title is valid 3 years, renewal (复核) at expiry")
    params.seed(op, [
        {"key": "reminder.title_lapse.months", "value": 3, "effective_from": "2022-01-01",
         "legal_ref": f"{ref} — remind 3 months before a title's last valid day"},
        {"key": "reminder.annual_update.months", "value": 1, "effective_from": "2022-01-01",
         "legal_ref": "issue 18 (the validity cycle): default chosen for the suite, to be set by 区经信局; "
                      "CRITERIA.md: annual data update on the national platform by 30 April (annual_update.deadline), "
                      "missing it loses the right to renewal — remind 1 month before the deadline"},
        {"key": "reminder.annual_update.min_tier", "value": "municipal_srdi", "effective_from": "2022-01-01",
         "legal_ref": "CRITERIA.md: annual data update on the national platform (优质中小企业梯度培育平台) for the "
                      "专精特新 titles; default chosen for the suite: 北京市专精特新 and above are reminded, innovative "
                      "SMEs and the district's 培育库 are not (to be set by 区经信局)"},
    ])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM policy_parameter WHERE key IN :keys AND set_by = 'migration'")
               .bindparams(sa.bindparam("keys", expanding=True, value=list(KEYS))))
    with op.batch_alter_table('reminder_sent', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_sent_kind')
        batch_op.drop_index('uq_reminder_sent_uscc_cycle')

    op.drop_table('reminder_sent')
