"""incubation reward: the dated parameter award.incubation.per_enterprise (seed 0: no award until
the district sets an amount)

Revision ID: 0003_awards_incubation
Revises: 0002_awards_claims
Create Date: 2026-11-24 16:27:51.877116
"""
from alembic import op

from shared import params


revision = '0003_awards_incubation'
down_revision = '0002_awards_claims'
branch_labels = None
depends_on = None


def upgrade() -> None:
    seed = "区政协提案《关于进一步加快推进房山区“专精特新”中小企业高质量发展的建议》"
    params.seed(op, [
        {"key": "award.incubation.per_enterprise", "value": 0, "effective_from": "2022-01-01",
         "legal_ref": f"{seed} 四：对园区孵化培育的“专精特新”企业，给予一定的要求和一定力度的奖励补贴政策优惠"
                      "（每家孵化企业奖励园区的金额，元；0 = 待区里确定，不奖励）"},
    ])


def downgrade() -> None:
    op.execute("DELETE FROM policy_parameter WHERE key = 'award.incubation.per_enterprise' AND set_by = 'migration'")
