"""monthly monitoring of key enterprises: operating data per month and the monitoring parameters

Revision ID: 0014_registry_monitoring
Revises: 0013_registry_reminders
Create Date: 2026-12-03 00:00:00
"""
from alembic import op
import sqlalchemy as sa

from shared import params


revision = '0014_registry_monitoring'
down_revision = '0013_registry_reminders'
branch_labels = None
depends_on = None

KEYS = ("monitoring.key_min_tier", "monitoring.revenue_drop_pct", "monitoring.rd_ratio_min_pct",
        "monitoring.min_employees")
REF = "issue 19 item 4 (每月动态监测): default chosen for the suite, to be set by 区经信局"


def upgrade() -> None:
    op.create_table('operating_month',
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('revenue_yuan', sa.BigInteger(), nullable=False),
    sa.Column('rd_spend_yuan', sa.BigInteger(), nullable=False),
    sa.Column('employees', sa.Integer(), nullable=False),
    sa.Column('new_patents', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['uscc'], ['enterprise.uscc'], name=op.f('fk_operating_month_uscc_enterprise')),
    sa.PrimaryKeyConstraint('uscc', 'month', name=op.f('pk_operating_month'))
    )
    params.seed(op, [
        {"key": "monitoring.key_min_tier", "value": "municipal_srdi", "effective_from": "2022-01-01",
         "legal_ref": f"{REF} — key enterprises (重点监测企业) hold 北京市专精特新 or a higher title"},
        {"key": "monitoring.revenue_drop_pct", "value": 20, "effective_from": "2022-01-01",
         "legal_ref": f"{REF} — flag a month's revenue more than 20 % below the same month last year"},
        {"key": "monitoring.rd_ratio_min_pct", "value": 3, "effective_from": "2022-01-01",
         "legal_ref": f"{REF} — year-to-date R&D ratio floor when the tier's rule set "
                      "(screening.criteria.<tier>) names no rd_ratio_pct threshold; CRITERIA.md: 研发费用占营业收入≥3%"},
        {"key": "monitoring.min_employees", "value": 10, "effective_from": "2022-01-01",
         "legal_ref": f"{REF} — employee floor when the tier's rule set names no staff threshold"},
    ])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM policy_parameter WHERE key IN :keys AND set_by = 'migration'")
               .bindparams(sa.bindparam("keys", expanding=True, value=list(KEYS))))
    op.drop_table('operating_month')
