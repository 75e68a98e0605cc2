"""legal references in Chinese: the 政策依据 of the parameters this service's migrations seeded, as
the policy page shows them to the liaisons, name the policy documents in Chinese (the English notes,
design files and issue numbers they carried are gone). Only the words change: values and dates stay,
and a row is reworded only while it still reads as seeded.

Revision ID: 0004_talent_legal_refs_zh
Revises: 0003_talent_corrections
Create Date: 2026-12-06 00:00:00
"""
from alembic import op

from shared import params

revision = '0004_talent_legal_refs_zh'
down_revision = '0003_talent_corrections'
branch_labels = None
depends_on = None

PROPOSAL = "区政协提案《关于进一步加快推进房山区“专精特新”中小企业高质量发展的建议》"
REPLY = "区经信局《关于进一步加快推进房山区“专精特新”中小企业高质量发展的提案办理情况》"
QUOTAS = f"{PROPOSAL} 三.3，{REPLY} 四"
# (key, effective_from, as seeded, in Chinese)
REWORDED = [
    ("talent.quota.per_year.national_little_giant", "2022-01-01",
     "POLICY.md 落户指标; seed proposal 三.3 and the bureau's reply 四: "
     "national little giant, 1 quota a year",
     f"{QUOTAS}：国家级专精特新“小巨人”企业每年1名落户指标"),
    ("talent.quota.years.national_little_giant", "2022-01-01",
     "POLICY.md 落户指标; seed proposal 三.3 and the bureau's reply 四: "
     "national little giant, for 3 years from the year of recognition",
     f"{QUOTAS}：国家级专精特新“小巨人”企业落户指标持续三年（自认定当年起）"),
    ("talent.quota.per_year.municipal_little_giant", "2022-01-01",
     "POLICY.md 落户指标; seed proposal 三.3 and the bureau's reply 四: "
     "municipal little giant, 1 quota a year",
     f"{QUOTAS}：北京市专精特新“小巨人”企业每年1名落户指标"),
    ("talent.quota.years.municipal_little_giant", "2022-01-01",
     "POLICY.md 落户指标; seed proposal 三.3 and the bureau's reply 四: "
     "municipal little giant, for 1 year (the year of recognition)",
     f"{QUOTAS}：北京市专精特新“小巨人”企业落户指标持续一年（认定当年）"),
]


def upgrade() -> None:
    params.reword(op, REWORDED)


def downgrade() -> None:
    params.reword(op, REWORDED, back=True)
