"""legal references in Chinese: the 政策依据 of the parameters this service's migrations seeded, as
the policy page shows them to the liaisons, name the policy documents in Chinese (the English notes,
design files and issue numbers they carried are gone). Only the words change: values and dates stay,
and a row is reworded only while it still reads as seeded.

Revision ID: 0007_parks_legal_refs_zh
Revises: 0006_parks_intermediary_events
Create Date: 2026-12-06 00:00:00
"""
from alembic import op

from shared import params

revision = '0007_parks_legal_refs_zh'
down_revision = '0006_parks_intermediary_events'
branch_labels = None
depends_on = None

PROPOSAL = "区政协提案《关于进一步加快推进房山区“专精特新”中小企业高质量发展的建议》"
DISTRICT = "本区自定的默认取值，待区经信局确定"
ASSESSMENT = f"{PROPOSAL} 四：明确考核维度（{DISTRICT}）"
# As the seeds read, every one of them.
SEEDED = "POLICY.md Parks / seed 四: 明确考核维度 (default values chosen for the suite, to be set by 区经信局)"
# (key, effective_from, as seeded, in Chinese)
REWORDED = [(key, "2022-01-01", SEEDED, ASSESSMENT) for key in (
    "parks.assessment.pass_score", "parks.assessment.dimension.srdi_count", "parks.assessment.dimension.srdi_share",
    "parks.assessment.dimension.new_srdi", "parks.assessment.dimension.little_giants",
    "parks.assessment.dimension.incubated_promoted", "parks.assessment.dimension.services_delivered")]


def upgrade() -> None:
    params.reword(op, REWORDED)


def downgrade() -> None:
    params.reword(op, REWORDED, back=True)
