"""legal references in Chinese: the 政策依据 of the parameters this service's migrations seeded, as
the policy page shows them to the liaisons, name the policy documents in Chinese (the English notes,
design files and issue numbers they carried are gone). Only the words change: values and dates stay,
and a row is reworded only while it still reads as seeded.

Revision ID: 0007_finance_legal_refs_zh
Revises: 0006_finance_payables
Create Date: 2026-12-06 00:00:00
"""
from alembic import op

from shared import params

revision = '0007_finance_legal_refs_zh'
down_revision = '0006_finance_payables'
branch_labels = None
depends_on = None

PROPOSAL = "区政协提案《关于进一步加快推进房山区“专精特新”中小企业高质量发展的建议》"
REPLY = "区经信局《关于进一步加快推进房山区“专精特新”中小企业高质量发展的提案办理情况》"
DISTRICT = "本区自定的默认取值，待区经信局确定"
# (key, effective_from, as seeded, in Chinese)
REWORDED = [
    ("finance.service_list.min_tier", "2022-01-01",
     "POLICY.md Finance (提案六、答复三): 专精特新企业服务名单, tier ≥ parameter, default "
     "municipal_srdi",
     f"{PROPOSAL} 六，{REPLY} 三：推出“专精特新”企业服务名单；{DISTRICT}：北京市“专精特新”中小企业及以上列入名单"),
    ("finance.first_loan_subsidy.rate_bp", "2022-01-01",
     "CRITERIA.md Finance facts: 北京市首贷贴息（2025）按首年已付利息的20%",
     "北京市首贷贴息政策（2025年）：按首年已付利息的20%贴息"),
    ("finance.first_loan_subsidy.cap_bp", "2022-01-01",
     "CRITERIA.md Finance facts: 首贷贴息上限为放款金额的1%",
     "北京市首贷贴息政策（2025年）：贴息不超过放款金额的1%"),
    ("finance.first_loan_subsidy.certified_rate_bp", "2022-01-01",
     "CRITERIA.md Finance facts: 认定中小企业首贷贴息40%",
     "北京市首贷贴息政策（2025年）：认定中小企业按首年已付利息的40%贴息"),
    ("finance.first_loan_subsidy.certified_cap_bp", "2022-01-01",
     "CRITERIA.md Finance facts: 认定中小企业首贷贴息上限为放款金额的2%",
     "北京市首贷贴息政策（2025年）：认定中小企业贴息不超过放款金额的2%"),
    ("finance.first_loan_subsidy.certified_min_tier", "2022-01-01",
     "CRITERIA.md Finance facts: 'certified SMEs' (which tier: unconfirmed); chosen: municipal_srdi",
     f"北京市首贷贴息政策（2025年）：“认定中小企业”所指层级待核实；{DISTRICT}：北京市“专精特新”中小企业及以上"),
    ("finance.first_loan_subsidy.max_loan_yuan", "2022-01-01",
     "CRITERIA.md Finance facts: 单笔贷款不超过2000万元（2022年规则）",
     "北京市首贷贴息政策（2022年）：单笔贷款不超过2000万元"),
    ("finance.guarantee.guarantor_share_bp", "2022-01-01",
     "CRITERIA.md Finance facts: 北京银担分险，政府性融资担保体系承担80%",
     "北京市银担分险机制：政府性融资担保体系承担80%"),
    ("finance.guarantee.bank_share_min_bp", "2022-01-01",
     "CRITERIA.md Finance facts: 北京银担分险，银行承担不低于20%",
     "北京市银担分险机制：银行承担不低于20%"),
    ("finance.npl_compensation.rate_bp", "2022-01-01",
     "CRITERIA.md Finance facts: 北京经开区风险补偿，不良贷款未偿本金的30%",
     "北京经济技术开发区风险补偿政策：按不良贷款未偿本金的30%补偿"),
    ("finance.npl_compensation.srdi_rate_bp", "2022-01-01",
     "CRITERIA.md Finance facts: 专精特新及小巨人企业不良贷款补偿40%",
     "北京经济技术开发区风险补偿政策：专精特新及“小巨人”企业不良贷款补偿40%"),
    ("finance.npl_compensation.srdi_min_tier", "2022-01-01",
     "CRITERIA.md Finance facts: 40% for SRDI and little giants (municipal_srdi and above)",
     "北京经济技术开发区风险补偿政策：专精特新及“小巨人”企业（北京市“专精特新”中小企业及以上）补偿40%"),
    ("finance.guidance_fund.srdi_share_min_bp", "2022-01-01",
     "POLICY.md Finance: 政府引导基金投资企业中专精特新企业不低于30%",
     f"{PROPOSAL} 七：政府引导基金投资“专精特新”项目不得低于总投资企业的30%"),
    ("finance.guidance_fund.srdi_min_tier", "2022-01-01",
     "POLICY.md Finance: SRDI enterprises = municipal_srdi and above",
     f"{PROPOSAL} 七：“专精特新”企业指北京市“专精特新”中小企业及以上"),
]


def upgrade() -> None:
    params.reword(op, REWORDED)


def downgrade() -> None:
    params.reword(op, REWORDED, back=True)
