"""legal references in Chinese: the 政策依据 of the parameters this service's migrations seeded, as
the policy page shows them to the liaisons, name the policy documents in Chinese (the English notes,
design files and issue numbers they carried are gone). Only the words change: values and dates stay,
and a row is reworded only while it still reads as seeded.

Revision ID: 0008_outreach_legal_refs_zh
Revises: 0007_outreach_channels
Create Date: 2026-12-06 00:00:00
"""
from alembic import op

from shared import params

revision = '0008_outreach_legal_refs_zh'
down_revision = '0007_outreach_channels'
branch_labels = None
depends_on = None

REPLY = "区经信局《关于进一步加快推进房山区“专精特新”中小企业高质量发展的提案办理情况》"
DISTRICT = "本区自定的默认取值，待区经信局确定"
NOTICES = f"{REPLY} 一.2：及时发布申报信息（申报通知推送；{DISTRICT}）"
PROGRAMMES = f"{REPLY} 五：帮助企业申报上级项目（{DISTRICT}）"
# As the seeds read.
SEEDED_NOTICES = "issue 8 / seed reply 一.2 (申报通知推送): default values chosen for the suite, to be set by 区经信局"
SEEDED_PROGRAMMES = "issue 8 / seed reply 五 (协助申报上级项目): default values chosen for the suite, to be set by 区经信局"
# (key, effective_from, as seeded, in Chinese)
REWORDED = [
    *((key, "2022-01-01", SEEDED_NOTICES, NOTICES) for key in (
        "outreach.notice.max_attempts", "outreach.notice.retry_base_s", "outreach.notice.retry_max_s",
        "outreach.notice.lease_s", "outreach.notice.batch_size", "outreach.notice.poll_s",
        "outreach.programme.reminder_days")),
    *((key, "2022-01-01", SEEDED_PROGRAMMES, PROGRAMMES) for key in (
        "outreach.programme.reminder_channels", "outreach.programme.reminder_poll_s")),
    ("outreach.validity.reminder_channels", "2022-01-01",
     "issue 18 (the validity cycle): reminders through the notice channels; default chosen for the suite, "
     "to be set by 区经信局",
     f"{DISTRICT}：称号到期和年度数据更新提醒经申报通知的渠道发送"),
]


def upgrade() -> None:
    params.reword(op, REWORDED)


def downgrade() -> None:
    params.reword(op, REWORDED, back=True)
