"""indicators

Revision ID: 0003_registry_indicators
Revises: 0002_registry_import_jobs
Create Date: 2026-11-24 15:59:39.770683
"""
from alembic import op
import sqlalchemy as sa

from shared import params


revision = '0003_registry_indicators'
down_revision = '0002_registry_import_jobs'
branch_labels = None
depends_on = None


# Criteria per tier as dated rule sets (CRITERIA.md; screening/criteria.py documents the shapes).
def t(cid, zh, indicator, op, value):
    return {"id": cid, "zh": zh, "indicator": indicator, "op": op, "value": str(value)}


def ladder(indicator, *bands):
    return {"indicator": indicator, "bands": [dict(b) for b in bands]}


INNOVATIVE_2022 = {"rule_set": "工信部企业〔2022〕63号 创新型中小企业", "criteria": [{"id": "score_or_direct", "zh": "评价得分或直通条件", "any": [
    {"id": "score", "zh": "评价得分≥60（创新能力≥20、成长性≥15、专业化≥15）", "score": {
        "min_total": 60, "categories": {"创新能力": 20, "成长性": 15, "专业化": 15}, "items": [
            {"id": "ip", "category": "创新能力", "best_of": [
                ladder("ip_class1_high_value", {"min": 1, "points": 20}),
                ladder("ip_class1_self_developed", {"min": 1, "points": 15}),
                ladder("ip_class1", {"min": 1, "points": 10}), ladder("ip_class2", {"min": 1, "points": 5})]},
            {"id": "rd_ratio", "category": "创新能力", "bands": ladder(
                "rd_ratio_pct", {"min": 5, "points": 20}, {"min": 3, "points": 15}, {"min": 2, "points": 10},
                {"min": 1, "points": 5})},
            {"id": "growth", "category": "成长性", "bands": ladder(
                "main_growth_pct", {"min": 15, "points": 20}, {"min": 10, "points": 15}, {"min": 5, "points": 10},
                {"min": 0, "points": 5})},
            {"id": "debt", "category": "成长性", "bands": ladder(
                "debt_ratio_pct", {"max": 55, "inclusive": False, "points": 10}, {"max": 75, "points": 5})},
            {"id": "strategic", "category": "专业化", "flag": {"indicator": "strategic_emerging", "yes": 10, "no": 5}},
            {"id": "main_share", "category": "专业化", "bands": ladder(
                "main_business_share_pct", {"min": 70, "points": 20}, {"min": 60, "points": 15},
                {"min": 55, "points": 10}, {"min": 50, "points": 5})}]}},
    {"id": "direct", "zh": "直通条件", "any": [
        t("high_tech", "有效期内的高新技术企业", "high_tech_enterprise", "gte", 1),
        t("st_award", "近三年国家级或省级科技奖励", "st_award", "gte", 1),
        t("rd_institution", "省级以上研发机构", "provincial_rd_institution", "gte", 1),
        t("equity_3y", "近三年合格投资者股权融资≥500万元", "equity_raised_3y_yuan", "gte", 5_000_000)]}]}]}

SRDI_2022 = {"rule_set": "工信部企业〔2022〕63号 专精特新中小企业", "criteria": [
    t("niche_years", "从事特定细分市场≥2年", "years_in_niche", "gte", 2),
    t("rd_spend", "上年研发费用≥100万元", "rd_spend_yuan", "gte", 1_000_000),
    t("rd_ratio", "研发费用占营业收入≥3%", "rd_ratio_pct", "gte", 3),
    {"id": "revenue_or_equity", "zh": "营业收入≥1000万元或近2年股权融资≥2000万元", "any": [
        t("revenue", "营业收入≥1000万元", "revenue_yuan", "gte", 10_000_000),
        t("equity_2y", "近2年股权融资≥2000万元", "equity_raised_2y_yuan", "gte", 20_000_000)]},
    {"id": "score_or_direct", "zh": "13项指标评分≥60（录入）或直通条件", "any": [
        t("srdi_score", "13项指标评分≥60（由申报平台录入，不重算）", "srdi_score", "gte", 60),
        t("rd_2y_avg", "近2年研发费用平均≥1000万元", "rd_spend_2y_avg_yuan", "gte", 10_000_000),
        t("equity_2y_direct", "近2年股权融资≥6000万元", "equity_raised_2y_yuan", "gte", 60_000_000)]}]}

SRDI_2026 = {"rule_set": "2026年修订 专精特新中小企业（部分未经确认）", "criteria": [
    t("niche_years", "从事特定细分市场≥3年", "years_in_niche", "gte", 3),
    t("rd_spend", "上年研发费用≥100万元", "rd_spend_yuan", "gte", 1_000_000),
    t("rd_ratio", "研发费用占营业收入≥3%", "rd_ratio_pct", "gte", 3),
    t("main_share", "主营业务收入占比≥80%", "main_business_share_pct", "gte", 80),
    {"id": "revenue_or_equity", "zh": "营业收入≥1500万元或近2年股权融资≥2000万元", "any": [
        t("revenue", "营业收入≥1500万元", "revenue_yuan", "gte", 15_000_000),
        t("equity_2y", "近2年股权融资≥2000万元", "equity_raised_2y_yuan", "gte", 20_000_000)]},
    SRDI_2022["criteria"][4]]}

NLG_2022 = {"rule_set": "工信部企业〔2022〕63号 专精特新“小巨人”企业", "criteria": [
    {"id": "holds_srdi", "zh": "持有有效的专精特新中小企业称号", "holds": "municipal_srdi"},
    t("niche_years", "从事特定细分市场≥3年", "years_in_niche", "gte", 3),
    t("main_share", "主营业务收入占比≥70%", "main_business_share_pct", "gte", 70),
    t("growth", "近2年主营业务收入平均增长率≥5%", "main_growth_2y_avg_pct", "gte", 5),
    t("debt", "资产负债率≤70%", "debt_ratio_pct", "lte", 70),
    t("market_share", "细分市场占有率≥10%", "niche_market_share_pct", "gte", 10),
    t("ip_class1", "主导产品Ⅰ类知识产权≥2项", "ip_class1", "gte", 2),
    {"id": "rd_intensity", "zh": "研发投入强度（按营业收入分档）", "any": [
        {"id": "rd_large", "zh": "营收≥1亿元：近2年研发费用占比均≥3%", "all": [
            t("rev_1e8", "营业收入≥1亿元", "revenue_yuan", "gte", 100_000_000),
            t("rd3", "研发费用占比≥3%", "rd_ratio_pct", "gte", 3),
            t("rd3_prev", "上上年研发费用占比≥3%", "prev_rd_ratio_pct", "gte", 3)]},
        {"id": "rd_mid", "zh": "营收5000万–1亿元：近2年研发费用占比均≥6%", "all": [
            t("rev_5e7", "营业收入≥5000万元", "revenue_yuan", "gte", 50_000_000),
            t("rev_lt_1e8", "营业收入<1亿元", "revenue_yuan", "lt", 100_000_000),
            t("rd6", "研发费用占比≥6%", "rd_ratio_pct", "gte", 6),
            t("rd6_prev", "上上年研发费用占比≥6%", "prev_rd_ratio_pct", "gte", 6)]},
        {"id": "rd_small", "zh": "营收<5000万元：近2年股权融资≥8000万元、研发费用≥3000万元、研发人员≥50%", "all": [
            t("rev_lt_5e7", "营业收入<5000万元", "revenue_yuan", "lt", 50_000_000),
            t("equity_8e7", "近2年股权融资≥8000万元", "equity_raised_2y_yuan", "gte", 80_000_000),
            t("rd_3e7", "近2年研发费用≥3000万元", "rd_spend_2y_yuan", "gte", 30_000_000),
            t("rd_staff", "研发人员占比≥50%", "rd_staff_pct", "gte", 50)]}]}]}

NLG_2026 = {"rule_set": "2026年修订 专精特新“小巨人”企业（部分未经确认）", "criteria": [
    NLG_2022["criteria"][0], t("niche_years", "从事特定细分市场≥3年", "years_in_niche", "gte", 3),
    t("revenue", "营业收入≥5000万元", "revenue_yuan", "gte", 50_000_000),
    t("main_share", "主营业务收入占比≥90%", "main_business_share_pct", "gte", 90),
    t("ip_class1", "主导产品Ⅰ类知识产权≥4项", "ip_class1", "gte", 4),
    t("debt", "资产负债率≤75%", "debt_ratio_pct", "lte", 75),
    t("rd_2y", "近2年研发费用≥1200万元", "rd_spend_2y_yuan", "gte", 12_000_000),
    t("dev_score", "平台发展评分≥60（导入，不重算）", "development_score", "gte", 60)]}

CRITERIA = [
    ("innovative", INNOVATIVE_2022, "2022-08-01", "工信部企业〔2022〕63号; CRITERIA.md"),
    ("municipal_srdi", SRDI_2022, "2022-08-01", "工信部企业〔2022〕63号; CRITERIA.md"),
    ("national_little_giant", NLG_2022, "2022-08-01", "工信部企业〔2022〕63号; CRITERIA.md"),
    ("municipal_srdi", SRDI_2026, "2026-04-01", "2026 revision (unconfirmed items); CRITERIA.md"),
    ("national_little_giant", NLG_2026, "2026-04-01", "2026 revision (unconfirmed items); CRITERIA.md"),
]


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('indicator',
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['uscc'], ['enterprise.uscc'], name=op.f('fk_indicator_uscc_enterprise')),
    sa.PrimaryKeyConstraint('uscc', 'year', name=op.f('pk_indicator'))
    )
    # ### end Alembic commands ###
    params.seed(op, [{"key": f"screening.criteria.{tier}", "value": rule_set, "effective_from": since,
                      "legal_ref": ref} for tier, rule_set, since, ref in CRITERIA] + [
        {"key": "certification.reapply_ban_years", "value": 3, "effective_from": "2022-01-01",
         "legal_ref": "CRITERIA.md: revocation for cause, no re-application for 3 years"},
        {"key": "screening.near_miss.max_failures", "value": 2, "effective_from": "2022-01-01",
         "legal_ref": "district choice: 准达标 = at most this many criteria fail"},
        {"key": "screening.near_miss.max_relative_gap", "value": "0.2", "effective_from": "2022-01-01",
         "legal_ref": "district choice: 准达标 = each failing criterion within this share of its threshold"}])


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table('indicator')
    # ### end Alembic commands ###
