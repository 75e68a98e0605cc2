"""legal references in Chinese: the 政策依据 of the parameters this service's migrations seeded, as
the policy page shows them to the liaisons, name the policy documents in Chinese (the English notes,
design files and issue numbers they carried are gone). Only the words change: values and dates stay,
and a row is reworded only while it still reads as seeded.

Revision ID: 0016_registry_legal_refs_zh
Revises: 0015_registry_tier_counts
Create Date: 2026-12-06 00:00:00
"""
from alembic import op

from shared import params

revision = '0016_registry_legal_refs_zh'
down_revision = '0015_registry_tier_counts'
branch_labels = None
depends_on = None

PROPOSAL = "区政协提案《关于进一步加快推进房山区“专精特新”中小企业高质量发展的建议》"
REPLY = "区经信局《关于进一步加快推进房山区“专精特新”中小企业高质量发展的提案办理情况》"
MIIT = "《优质中小企业梯度培育管理暂行办法》（工信部企业〔2022〕63号）"
DISTRICT = "本区自定的默认取值，待区经信局确定"
REVISED_2026 = "《优质中小企业梯度培育管理暂行办法》2026年修订（2026年4月1日起施行）：认定条件（部分条款待核实）"
# (key, effective_from, as seeded, in Chinese)
REWORDED = [
    ("certification.validity_years.innovative", "2022-01-01",
     "CRITERIA.md: every title is valid 3 years",
     f"{MIIT}及本市相关规定：称号有效期三年，期满复核"),
    ("certification.validity_years.potential", "2022-01-01",
     "POLICY.md: set by the district (default chosen: 1 year, reviewed yearly)",
     f"{PROPOSAL} 一：“专精特新”潜在企业为区级培育库，有效期由本区确定（{DISTRICT}：一年，每年复核）"),
    ("certification.validity_years.municipal_srdi", "2022-01-01",
     "CRITERIA.md: every title is valid 3 years",
     f"{MIIT}及本市相关规定：称号有效期三年，期满复核"),
    ("certification.validity_years.municipal_little_giant", "2022-01-01",
     "CRITERIA.md: every title is valid 3 years",
     f"{MIIT}及本市相关规定：称号有效期三年，期满复核"),
    ("certification.validity_years.national_little_giant", "2022-01-01",
     "CRITERIA.md: every title is valid 3 years",
     f"{MIIT}及本市相关规定：称号有效期三年，期满复核"),
    ("certification.validity_years.single_champion", "2022-01-01",
     "CRITERIA.md: every title is valid 3 years",
     f"{MIIT}及本市相关规定：称号有效期三年，期满复核"),
    ("screening.criteria.innovative", "2022-08-01",
     "工信部企业〔2022〕63号; CRITERIA.md",
     f"{MIIT}，2022年8月1日起施行：认定条件"),
    ("screening.criteria.municipal_srdi", "2022-08-01",
     "工信部企业〔2022〕63号; CRITERIA.md",
     f"{MIIT}，2022年8月1日起施行：认定条件"),
    ("screening.criteria.national_little_giant", "2022-08-01",
     "工信部企业〔2022〕63号; CRITERIA.md",
     f"{MIIT}，2022年8月1日起施行：认定条件"),
    ("screening.criteria.municipal_srdi", "2026-04-01",
     "2026 revision (unconfirmed items); CRITERIA.md",
     REVISED_2026),
    ("screening.criteria.national_little_giant", "2026-04-01",
     "2026 revision (unconfirmed items); CRITERIA.md",
     REVISED_2026),
    ("certification.reapply_ban_years", "2022-01-01",
     "CRITERIA.md: revocation for cause, no re-application for 3 years",
     f"{MIIT}：因弄虚作假、重大安全质量环境事故或严重失信被撤销称号的，三年内不得再次申报"),
    ("screening.near_miss.max_failures", "2022-01-01",
     "district choice: 准达标 = at most this many criteria fail",
     f"{REPLY} 一.1（掌握达标、准达标企业）；{DISTRICT}：准达标即未达到的认定条件不超过此数"),
    ("screening.near_miss.max_relative_gap", "2022-01-01",
     "district choice: 准达标 = each failing criterion within this share "
     "of its threshold",
     f"{REPLY} 一.1（掌握达标、准达标企业）；{DISTRICT}：准达标即每项未达到的条件与门槛之差不超过门槛的此比例"),
    ("annual_update.deadline", "2022-01-01",
     "CRITERIA.md: annual data update on the national platform by 30 April",
     f"{MIIT}：每年4月30日前在优质中小企业梯度培育平台更新企业数据"),
    ("change_report.months", "2022-01-01",
     "CRITERIA.md: major changes reported within 3 months",
     f"{MIIT}：企业发生更名、合并、重组、迁址、设立境外分支机构等重大变化，应在三个月内报告"),
    ("renewal.notice_months", "2022-01-01",
     "issue 6: renewal (复核) due lists 6 months ahead",
     f"{DISTRICT}：提前六个月列出称号待复核的企业"),
    ("targets.yearly", "2022-01-01",
     "seed proposal 二: 每年辅导不少于2家上市、10家国家级小巨人、30家市级专精特新、100家潜在企业",
     f"{PROPOSAL} 一：每年辅导不少于2家上市、10家国家级小巨人、30家市级专精特新、100家潜在企业"),
    ("service_package.routing", "2022-01-01",
     "POLICY.md 服务包: requests routed to the department that owns them "
     "(land/space: the parks)",
     f"{REPLY} 二：专精特新企业纳入服务包，企业诉求（资质申报、政策补贴、人才、金融等）分派承办部门办理，空间载体类由园区承办"),
    ("service_package.deadline_days", "2022-01-01",
     "district choice (default 15 days to answer a request)",
     f"{DISTRICT}：诉求办理时限15天"),
    ("reminder.title_lapse.months", "2022-01-01",
     "issue 18 (the validity cycle): default chosen for the suite, to be set by 区经信局; "
     "CRITERIA.md: every title is valid 3 years, renewal (复核) at expiry "
     "— remind 3 months before a title's last valid day",
     f"{DISTRICT}：称号有效期最后一天前三个月提醒复核（{MIIT}：称号有效期三年，期满复核）"),
    ("reminder.annual_update.months", "2022-01-01",
     "issue 18 (the validity cycle): default chosen for the suite, to be set by 区经信局; "
     "CRITERIA.md: annual data update on the national platform by 30 April (annual_update.deadline), "
     "missing it loses the right to renewal — remind 1 month before the deadline",
     f"{DISTRICT}：年度数据更新截止日（4月30日）前一个月提醒（{MIIT}：未按期更新的失去复核资格）"),
    ("reminder.annual_update.min_tier", "2022-01-01",
     "CRITERIA.md: annual data update on the national platform (优质中小企业梯度培育平台) "
     "for the 专精特新 titles; default chosen for the suite: 北京市专精特新 and "
     "above are reminded, innovative SMEs and the district's 培育库 are "
     "not (to be set by 区经信局)",
     f"{DISTRICT}：北京市“专精特新”中小企业及以上称号提醒在优质中小企业梯度培育平台更新年度数据，创新型中小企业和区级培育库企业不提醒"),
    ("monitoring.key_min_tier", "2022-01-01",
     "issue 19 item 4 (每月动态监测): default chosen for the suite, to be "
     "set by 区经信局 — key enterprises (重点监测企业) hold 北京市专精特新 or a higher "
     "title",
     f"{REPLY} 二（每月动态监测）；{DISTRICT}：重点监测企业为北京市“专精特新”中小企业及以上"),
    ("monitoring.revenue_drop_pct", "2022-01-01",
     "issue 19 item 4 (每月动态监测): default chosen for the suite, to be "
     "set by 区经信局 — flag a month's revenue more than 20 % below the "
     "same month last year",
     f"{REPLY} 二（每月动态监测）；{DISTRICT}：月度营业收入同比下降超过20%时预警"),
    ("monitoring.rd_ratio_min_pct", "2022-01-01",
     "issue 19 item 4 (每月动态监测): default chosen for the suite, to be "
     "set by 区经信局 — year-to-date R&D ratio floor when the tier's rule "
     "set (screening.criteria.<tier>) names no rd_ratio_pct threshold; CRITERIA.md: 研发费用占营业收入≥3%",
     f"{REPLY} 二（每月动态监测）；{DISTRICT}：适用的认定条件未设研发投入占比门槛时，年初至今研发费用占营业收入的下限（认定条件：不低于3%）"),
    ("monitoring.min_employees", "2022-01-01",
     "issue 19 item 4 (每月动态监测): default chosen for the suite, to be "
     "set by 区经信局 — employee floor when the tier's rule set names "
     "no staff threshold",
     f"{REPLY} 二（每月动态监测）；{DISTRICT}：适用的认定条件未设从业人数门槛时的从业人数下限"),
]


def upgrade() -> None:
    params.reword(op, REWORDED)


def downgrade() -> None:
    params.reword(op, REWORDED, back=True)
