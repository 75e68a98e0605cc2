"""legal references in Chinese: the 政策依据 of award.relocation.before_title said its values as
true/false, codes the policy page shows to the liaisons as 是/否. Only the words change: the value
and date stay, and the row is reworded only while it still reads as seeded.

Revision ID: 0013_awards_legal_refs_zh
Revises: 0012_awards_recovery_due_days
Create Date: 2026-12-06 00:00:00
"""
from alembic import op

from shared import params

revision = '0013_awards_legal_refs_zh'
down_revision = '0012_awards_recovery_due_days'
branch_labels = None
depends_on = None

RELOCATION = ("区政协提案《关于进一步加快推进房山区“专精特新”中小企业高质量发展的建议》 三.2：“从北京市外新引进……符合条件的"
              "‘专精特新’中小企业”再给予入区奖励 —— 解读：迁入本区（迁入日期）不晚于首次获得市级专精特新及以上称号之日；"
              "迁入前已获称号的企业不享受入区奖励")
# (key, effective_from, as seeded, in Chinese)
REWORDED = [
    ("award.relocation.before_title", "2022-01-01",
     f"{RELOCATION}（true = 迁入须在先；false = 不论先后）",
     f"{RELOCATION}（是 = 迁入须在先；否 = 不论先后）"),
]


def upgrade() -> None:
    params.reword(op, REWORDED)


def downgrade() -> None:
    params.reword(op, REWORDED, back=True)
