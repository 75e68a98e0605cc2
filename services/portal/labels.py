"""Chinese labels for the codes the services use (display only)."""
from __future__ import annotations

import datetime as dt
import re

from shared.clock import SHANGHAI
from shared.contracts.finance import BOARD_ZH
from shared.tiers import TIER_ZH
from shared.validators import REASON_ZH

ROLE_LABELS = {
    "econ": "区经信局（牵头）", "treasury": "区财政局", "talent": "区人社局 / 区委人才办",
    "finance": "区金融服务办", "park": "园区运营方", "bank": "合作银行", "auditor": "审计（只读）",
    "platform": "市级平台", "enterprise": "企业联络员", "township": "乡镇（街道）",
}
TIER_LABELS = TIER_ZH
# Highest first: the pyramid's top.
TIER_ORDER = ["single_champion", "national_little_giant", "municipal_little_giant", "municipal_srdi",
              "potential", "innovative", "sme"]
PROGRAM_LABELS = {
    "tier": "层级奖励", "relocation": "迁入奖励", "introducer": "引荐奖励", "listing": "上市奖励",
    "scenario": "应用场景奖励", "ecosystem": "产业生态奖励", "featured_park": "特色园区奖励", "incubation": "园区孵化奖励",
    "first_loan_subsidy": "首贷贴息", "npl_compensation": "不良贷款风险补偿",
}
AWARD_STATE_LABELS = {
    "computed": "待审核", "reviewed": "已审核，待批准", "approved": "已批准，待拨付", "disbursed": "已拨付",
    "rejected": "已驳回", "clawed_back": "已追回", "settled_outside": "系统外已兑付（历史补录）",
    "withdrawn": "已撤回（认定作废）", "withheld": "已暂停（企业迁出或注销）",
}
AWARD_STATES = list(AWARD_STATE_LABELS)
# A certification's state on a date, from its dates (shared.tiers): it lapses the day after its last
# valid day for everybody, whether or not the registry's expiry sweep has run yet.
CERT_STATE_LABELS = {"active": "有效", "expired": "已到期", "revoked": "已撤销", "not_yet": "尚未生效",
                     "voided": "已作废（录入错误）"}
# An enterprise's status in the registry (issue 18: moved out of the district, or closed).
ENTERPRISE_STATUS_LABELS = {"active": "在册", "moved_out": "已迁出本区", "closed": "已注销"}
AWARD_FLAG_LABELS = {"certification_voided": "认定已作废（已拨付的请财政核处）", "enterprise_departed": "企业已迁出或注销",
                     "over_entitlement": "重新核定后超出应得（已拨付的请财政核处）"}
CERT_SOURCE_LABELS = {"manual": "手工录入", "municipal_list": "市级名单导入", "platform": "市级平台"}
NOMINATION_STATE_LABELS = {
    "submitted": "已提交", "district_reviewed": "区级已审核", "recommended": "已推荐", "approved": "已批准",
    "rejected": "已驳回", "withdrawn": "已撤回",
}
NOMINATION_ACTIONS = {"review": "区级审核", "recommend": "推荐", "approve": "批准", "reject": "驳回",
                      "withdraw": "撤回"}
# The talent office's categories (the talent service's `Category`).
NOMINATION_CATEGORIES = ["战略人才", "领军人才", "骨干人才", "优秀人才"]
# Which actions each open state allows (what the talent service accepts; it has the last word).
NOMINATION_NEXT = {"submitted": ["review", "reject", "withdraw"],
                   "district_reviewed": ["recommend", "reject", "withdraw"],
                   "recommended": ["approve", "reject", "withdraw"]}

# As the registry says them in its own sentences (its CATEGORY_ZH: "提出诉求（用地空间）"), so both read the same.
REQUEST_CATEGORY_LABELS = {"qualification": "资质认定", "subsidy": "资金补贴", "talent": "人才", "finance": "融资",
                           "land_space": "用地空间", "other": "其他"}
# As the registry says them (its STATE_ZH): a department's 受理 makes a request 已受理.
REQUEST_STATE_LABELS = {"open": "待受理", "accepted": "已受理", "resolved": "已办结", "rejected": "已退回"}
LOAN_STATE_LABELS = {"applied": "已申请", "approved": "已审批", "declined": "未获批", "drawn": "已放款",
                     "repaid": "已结清", "non_performing": "不良"}
DELIVERY_STATE_LABELS = {"pending": "待送达", "sending": "发送中", "sent": "已送达", "failed": "失败待重试",
                         "abandoned": "已放弃", "skipped": "已跳过", "read": "已读"}
LOAN_ACTION_LABELS = {"apply": "登记申请", "approve": "批准", "decline": "不批准", "draw": "放款", "extension": "展期",
                      "renewal": "续期", "adjusted_plan": "调整还款计划", "repay": "结清", "default": "认定不良",
                      "guarantee_approve": "担保机构同意", "guarantee_decline": "担保机构不同意",
                      "insurance_approve": "保险机构同意", "insurance_decline": "保险机构不同意"}
# Why a drawn case is not the enterprise's first loan: finance decides it across every bank's cases.
FIRST_LOAN_REASON_LABELS = {"not-drawn": "尚未放款，放款后判定是否首贷",
                            "another-first-loan": "非首贷（该企业另有更早放款或已按首贷贴息的贷款）",
                            "prior-loan-declared": "非首贷（银行报告该企业此前已有银行贷款）"}
# The declaration season (申报季): applications, the pre-review's screening status, the platform jobs.
APPLICATION_STATE_LABELS = {"applied": "已申报，待初审", "pre_reviewed": "已初审，待决定", "decided": "已决定"}
SCREEN_STATUS_LABELS = {"met": "达标", "near": "准达标", "not_met": "不达标"}
SEASON_PROGRAMMES = ("innovative", "municipal_srdi", "national_little_giant")
PLATFORM_JOB_STATE_LABELS = {"queued": "排队中", "running": "报送中（含重试等待）", "done": "已完成", "failed": "失败"}
PLATFORM_JOB_KIND_LABELS = {"sync": "同步公示名单", "recommend": "报送推荐名单"}
IMPORT_JOB_STATE_LABELS = {"queued": "排队中", "running": "导入中", "done": "已完成", "failed": "失败（未写入任何行）",
                           "cancelled": "已取消（未写入任何行）"}
IMPORT_MODE_LABELS = {"import": "新名单导入", "backfill": "历史名单补录"}
REMINDER_KIND_LABELS = {"title_lapse": "称号即将到期", "annual_update": "年度数据更新即将截止"}
# The registry's timeline kinds.
TIMELINE_KIND_LABELS = {
    "title.recognized": "认定", "title.expired": "到期", "title.revoked": "撤销", "title.voided": "作废", "award": "奖励",
    "quota": "落户指标", "service_list.joined": "金融服务名单", "service_list.left": "金融服务名单",
    "service_request.opened": "服务包", "service_request.accepted": "服务包", "service_request.closed": "服务包", "visit": "走访", "correction": "记录更正",
}
# The audit log: the objects its rows are about (an object_type; the filter's options, each once), the
# first word of an action where it is not an object's type ("reminder.due" → 到期提醒), and the verbs
# of the actions ("certification.void" → 认定 作废; an object's own verbs first: a request 退回, an award 驳回).
AUDIT_OBJECT_LABELS = {
    "enterprise": "企业", "certification": "认定", "award": "奖励", "policy_parameter": "政策参数", "season": "申报季",
    "season_application": "申报", "season_recommendation": "推荐名单", "platform_job": "市级平台任务",
    "import_job": "导入任务", "nomination": "人才推荐", "quota_grant": "落户指标", "loan": "贷款案件", "park": "园区",
    "incubation": "入孵记录", "service_request": "服务包诉求", "visit": "走访", "budget": "预算",
    "annual_update": "年度数据更新", "change_report": "变更报告", "designation": "特色园区认定", "contract": "合同",
    "reminder_sent": "到期提醒", "indicator": "年度指标", "service_list_entry": "金融服务名单",
    "recommendation": "报送市级的推荐名单", "notice": "通知", "hotline_question": "政策咨询", "scenario": "应用场景",
    "application": "申请", "policy_session": "政策宣讲", "session_attendance": "宣讲参加记录",
    "matchmaking_event": "对接活动", "guidance_fund": "引导基金", "fund_investment": "引导基金投资",
    "service_record": "服务记录", "intermediary": "中介机构", "listing": "上市记录", "listing_pipeline": "上市培育",
    "receivable": "应收追回款", "operating_month": "月度经营数据", "payable": "拨付申请", "payee": "收款账户",
    "payment_batch": "支付批次", "product": "金融产品", "programme": "上级项目", "proposal": "场景方案",
    "interest": "采购意向",
}
AUDIT_ACTION_OBJECT_LABELS = {
    **AUDIT_OBJECT_LABELS, "reminder": "到期提醒", "indicators": "年度指标", "service_list": "金融服务名单",
    "import": "导入任务", "policy": "政策参数", "platform": "市级平台", "listing": "上市培育", "quota": "落户指标",
    "hotline": "政策咨询", "fund": "引导基金", "matchmaking": "对接活动", "payment_line": "支付明细",
}
AUDIT_VERB_LABELS = {
    "create": "新建", "correct": "更正", "update": "更新", "change": "更正", "void": "作废", "revoke": "撤销",
    "withdraw": "撤回", "version": "新增版本", "apply": "登记申报", "pre_review": "初审", "decide": "决定",
    "recommendation": "生成推荐名单", "recommend": "报送推荐", "sync": "同步", "depart": "迁出/注销",
    "departure": "迁出/注销", "review": "审核通过", "approve": "批准", "disburse": "拨付", "reject": "驳回",
    "claw_back": "追回", "cancel": "取消", "import": "导入", "record": "登记", "delete": "删除", "put": "设定",
    "set": "设定", "close": "办结", "accept": "受理", "resolve": "办结", "withhold": "暂停", "flag": "标记",
    "expire": "到期处理", "nominate": "推荐", "graduate": "出孵", "enter": "入孵", "designate": "认定",
    "add": "新增", "register": "登记", "announce_records": "重新公布档案", "start": "启动", "claimed": "申领",
    "flagged": "更正标记", "submit": "提交", "open": "提出", "sign": "签订", "answer": "答复",
    "ask": "提问", "send": "发送", "due": "发出", "failed": "失败", "announce": "公布", "stage": "阶段变更",
    "attendance": "登记参加", "attendees": "登记参加", "invest": "投资", "repayment": "还款", "pay": "支付",
    "read": "查看", "recommend_city": "推荐至市级",
    "approval_refused": "因预算不足未获批准", "carried_over": "结转下一年度", "opened": "登记应收",
    "repaid": "追回款到账", "written_off": "核销",
    # an award's moves are named by the state they reach ("award.reviewed")
    "reviewed": "审核通过", "approved": "批准", "disbursed": "拨付", "rejected": "驳回", "clawed_back": "追回",
    "withdrawn": "撤回（认定作废）", "withheld": "暂停（企业迁出或注销）", "settled_outside": "系统外已兑付（历史补录）",
    "refused": "不予奖励（原因见变更后）", "claim_refused": "申领未通过（原因见变更后）",
    "change_ignored": "变更未采纳（已有奖励）", "grant": "核定", "requested": "提出拨付申请", "moved": "状态变更",
    "unknown": "无对应记录", "created": "生成", "exported": "导出", "settled": "结算完成", "cancelled": "取消",
}
AUDIT_VERB_LABELS_BY_OBJECT = {
    "service_request": {"open": "登记", "accepted": "受理", "resolved": "办结", "rejected": "退回"},
    "loan": LOAN_ACTION_LABELS,
    "payment_line": {"paid": "支付成功", "returned": "退回"},
}
AWARD_ACTION_LABELS = {"review": "审核通过", "approve": "批准", "disburse": "拨付", "reject": "驳回"}
PAYEE_TYPE_LABELS = {"enterprise": "企业", "park": "园区", "intermediary": "中介机构", "bank": "银行",
                     "guarantor": "担保机构"}
# What the financial office asked the treasury to pay (finance's payables), where it stands.
PAYABLE_STATE_LABELS = {"requested": "待财政局批准", "approved": "已批准，待拨付", "paid": "已拨付", "refused": "未获批准",
                        "clawed_back": "已追回"}
# The financial institutions that sign in as `bank` (org = their code; the finance service keeps no
# directory of them): their names for the pages, and the codes sign-in accepts (a name typed
# instead of the code is resolved to it). More are added with SRDI_PORTAL_BANKS.
BANK_LABELS = {
    "ICBC": "中国工商银行", "ABC": "中国农业银行", "BOC": "中国银行", "CCB": "中国建设银行", "BOCOM": "交通银行",
    "PSBC": "中国邮政储蓄银行", "CMB": "招商银行", "CITIC": "中信银行", "CEB": "中国光大银行", "CMBC": "中国民生银行",
    "SPDB": "上海浦东发展银行", "CIB": "兴业银行", "HXB": "华夏银行", "PAB": "平安银行", "CGB": "广发银行",
    "BOB": "北京银行", "BRCB": "北京农商银行", "BJ-GUARANTEE": "北京市融资担保（专精特新保）",
    "PICC": "中国人民财产保险（专精特新险）",
}


# A reason from shared.validators still in English (from a service not yet giving it in Chinese,
# or an older message): the portal shows it in Chinese. Unknown text passes through unchanged.


# Names of the parameters users send (the portal's and the services'), for "请求参数不正确（年度）".
LOAN_FIELD_LABELS = {
    "applied_yuan": "申请金额", "applied_on": "申请日期", "decided_on": "审批日期", "drawn_yuan": "放款金额",
    "drawn_on": "放款日期", "rate_bp": "年利率", "due_on": "到期日", "paid_on": "支付日期", "period_from": "计息起日",
    "period_to": "计息止日", "principal_yuan": "归还本金", "interest_yuan": "支付利息", "repaid_on": "结清日期",
    "outstanding_yuan": "未还本金"}
PARAM_LABELS = {
    **LOAN_FIELD_LABELS, "allocated_yuan": "预算",
    "award_id": "奖励编号", "nomination_id": "推荐编号", "job_id": "导入任务编号", "park_id": "园区编号",
    "uscc": "统一社会信用代码", "year": "年度", "state": "状态", "tier": "层级", "cursor": "分页位置",
    "limit": "每页条数", "q": "查询词", "township": "乡镇/街道", "file": "名单文件", "note": "备注",
    "voucher": "支付凭证号", "reason": "原因", "role": "角色", "org": "所属机构", "name": "姓名",
    "overdue": "是否逾期", "entered_on": "入孵日期", "graduated_on": "毕业日期", "person": "被推荐人",
    "id_number": "身份证号码", "education": "学历", "post": "岗位", "category": "人才类别",
    "gender": "性别", "birth_date": "出生日期", "on": "日期", "status": "状态", "industry_code": "行业代码",
    "reasons": "理由", "recommend": "是否推荐", "notice": "申报通知", "opens_on": "开始受理日", "closes_on": "截止日",
    "programme": "申报称号", "mode": "导入方式", "dry_run": "预览", "object_type": "对象类型", "object_id": "对象编号",
    "actor": "操作人", "since": "起始时间", "until": "截止时间", "key": "参数", "version_id": "参数版本编号",
    "season_id": "申报季编号", "application_id": "申报编号", "cert_id": "认定编号", "service": "服务",
    "opened_on": "提出日期", "summary": "诉求内容",
}


# Codes a service's Chinese message may still carry ("奖励当前状态为 approved，不能执行 approve",
# "2026 年度 tier 项目尚未设定预算"), per service (a code means one thing in each): shown as their
# labels. Whole codes only, never inside a word or an id.
MESSAGE_CODES = {
    "awards": {**TIER_LABELS, **AWARD_ACTION_LABELS, **AWARD_STATE_LABELS, **PROGRAM_LABELS},
    "talent": {**TIER_LABELS, **NOMINATION_ACTIONS, **NOMINATION_STATE_LABELS},
    "finance": {**TIER_LABELS, **LOAN_STATE_LABELS, **LOAN_FIELD_LABELS},
    "registry": {**TIER_LABELS, **APPLICATION_STATE_LABELS, **ENTERPRISE_STATUS_LABELS},
    "parks": dict(TIER_LABELS),
}
# A code followed by its name in （）(a refusal listing the codes it takes: "sme（中小板）") is the
# service's own words: left as it is (the board's sme is not the tier's).
NOT_NAMED = r"(?![A-Za-z0-9_\-]|\s?[（(])"
MESSAGE_CODE = {service: re.compile(r"(?<![A-Za-z0-9_\-])(" + "|".join(sorted(codes, key=len, reverse=True))
                                    + r")" + NOT_NAMED) for service, codes in MESSAGE_CODES.items()}


def codes_zh(text: str, service: str) -> str:
    """A service's Chinese message with the codes in it as their labels (display only)."""
    if service not in MESSAGE_CODE:
        return text
    # A policy key in words, whole: not a code inside it ("award.introducer.amount").
    text = PARAM_KEY_IN_TEXT.sub(lambda m: param_key(m.group(0)), text)
    return MESSAGE_CODE[service].sub(lambda m: MESSAGE_CODES[service][m.group(1)], text)


def param_label(name) -> str:
    """The Chinese name of a parameter; an unknown one keeps its own (still telling support which)."""
    return PARAM_LABELS.get(str(name), str(name))


# A service's "中文 / English" sentence (an award's recorded reason): its Chinese half. The English
# half has words and no Chinese; "区人社局 / 区委人才办" or "2025/3/1" are not split.
BILINGUAL = re.compile(r"^(.*[\u4e00-\u9fff\uff00-\uffef].*?)\s*/\s+([^\u4e00-\u9fff]*[A-Za-z]{2,}[^\u4e00-\u9fff]*)$", re.S)


# "中文（含引文） / English (含引文)": the English half starts with a Latin letter after " / ".
BILINGUAL_LOOSE = re.compile(r"^(.*[\u4e00-\u9fff].*?)\s+/\s+[A-Za-z][A-Za-z ,:;'()\-]", re.S)


# An amount in whole 元 in a service's sentence ("奖励 300000 元"): said as `yuan` says it ("300,000 元").
YUAN_IN_TEXT = re.compile(r"(?<![\d.,])(\d{4,}) ?元")


def zh_text(text) -> str:
    text = "" if text is None else str(text)
    if m := BILINGUAL.match(text) or BILINGUAL_LOOSE.match(text):
        text = m.group(1)
    for en, zh in REASON_ZH.items():
        text = text.replace(en, zh)
    return YUAN_IN_TEXT.sub(lambda m: yuan(m.group(1)), text)


TIER_CODE = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(sorted(TIER_LABELS, key=len, reverse=True)) + r")(?![A-Za-z0-9_])")


def explain(text) -> str:
    """An award's basis explanation (the awards service's sentence) with tier codes as their labels."""
    return TIER_CODE.sub(lambda m: TIER_LABELS[m.group(1)], zh_text(text)) if text else "—"


def beijing(at) -> str:
    """A UTC timestamp from a service as Beijing time, to the second (the services store UTC)."""
    try:
        t = dt.datetime.fromisoformat(str(at).replace("Z", "+00:00"))
    except ValueError:
        return str(at or "—")[:19].replace("T", " ")
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


# The words of a policy parameter's key ("award.tier.municipal_srdi" → 奖励·层级奖励·北京市专精特新中小企业).
PARAM_KEY_WORDS = {
    "award": "奖励", "tier": "层级奖励", "claim": "申领", "min_tier": "最低层级", "amount": "金额", "rate_bp": "比例（万分之）",
    "cap_yuan": "上限（元）", "cap_bp": "上限（万分之）", "per_enterprise": "每家企业", "boards": "上市板块",
    "match_bp": "配套比例（万分之）", "before_title": "认定前迁入", "cutoff": "截止日", "pay_first_renewal": "首次复核是否兑付",
    "certification": "认定", "reapply_ban_years": "撤销后禁止再申报年限", "change_report": "变更报告", "months": "月数",
    "finance": "金融", "first_loan_subsidy": "首贷贴息", "certified_cap_bp": "已认定企业上限（万分之）",
    "certified_min_tier": "已认定企业最低层级", "certified_rate_bp": "已认定企业比例（万分之）", "max_loan_yuan": "贷款上限（元）",
    "guarantee": "担保", "bank_share_min_bp": "银行分担下限（万分之）", "guarantor_share_bp": "担保机构分担（万分之）",
    "guidance_fund": "引导基金", "srdi_min_tier": "专精特新最低层级", "srdi_share_min_bp": "专精特新投资占比下限（万分之）",
    "npl_compensation": "不良贷款补偿", "srdi_rate_bp": "专精特新补偿比例（万分之）", "service_list": "金融服务名单",
    "outreach": "服务触达", "notice": "通知", "programme": "项目", "validity": "有效期", "reminder_channels": "提醒渠道",
    "reminder_days": "提前提醒天数", "parks": "园区", "assessment": "考核", "pass_score": "合格分",
    "reminder": "到期提醒", "annual_update": "年度数据更新", "deadline": "截止日", "title_lapse": "称号到期",
    "renewal": "复核", "notice_months": "提前提示月数", "screening": "培育筛选", "near_miss": "准达标",
    "max_failures": "未达条件数上限", "max_relative_gap": "相对差距上限", "service_package": "服务包",
    "deadline_days": "办理时限（天）", "routing": "承办部门分派", "talent": "人才", "quota": "落户指标",
    "per_year": "每年", "years": "年数", "targets": "培育目标", "yearly": "年度", "criteria": "认定条件",
    "relocation": "迁入奖励", "introducer": "引荐奖励", "listing": "上市奖励", "scenario": "应用场景奖励",
    "ecosystem": "产业生态奖励", "featured_park": "特色园区奖励", "incubation": "园区孵化奖励",
    "recovery": "追回", "due_days": "缴回期限（天）", "validity_years": "有效期（年）",
    "monitoring": "月度监测", "key_min_tier": "重点监测最低层级", "min_employees": "最少从业人数",
    "rd_ratio_min_pct": "研发投入占比下限（%）", "revenue_drop_pct": "营收同比下降预警幅度（%）",
    "dimension": "考核维度", "incubated_promoted": "孵化企业晋级数", "little_giants": "“小巨人”企业数",
    "new_srdi": "新增专精特新企业数", "services_delivered": "服务企业次数", "srdi_count": "专精特新企业数",
    "srdi_share": "专精特新企业占比", "batch_size": "每批条数", "lease_s": "发送租约（秒）",
    "max_attempts": "最多尝试次数", "poll_s": "轮询间隔（秒）", "retry_base_s": "重试初始间隔（秒）",
    "retry_max_s": "重试最长间隔（秒）", "reminder_poll_s": "提醒轮询间隔（秒）",
}


def param_key(key) -> str:
    words = [PARAM_KEY_WORDS.get(w) or TIER_LABELS.get(w) or w for w in str(key or "").split(".")]
    return "·".join(words) or "—"


# The parts of a table-valued parameter (a park dimension's "weight"), beyond tier and
# request-category codes; a year's targets in the registry's own words (新增 titles, the pool as a
# stock, listings coached); and the departments a routing parameter names.
PARAM_PART_WORDS = {"listing": "上市企业", "measure": "计量方式", "floor": "起算层级", "weight": "权重",
                    "threshold": "达标值", "label": "名称"}
PARAM_PART_WORDS_BY_KEY = {"targets.yearly": {
    "listing": "辅导上市企业（家）", "national_little_giant": "新增国家级专精特新“小巨人”企业（家）",
    "municipal_srdi": "新增北京市专精特新中小企业（家）", "potential": "专精特新潜在企业（培育库，家）"}}
DEPARTMENT_LABELS = {code: ROLE_LABELS[code] for code in ("econ", "treasury", "talent", "finance", "park")}
# Listing boards (the finance contract's `Board`, awards' award.listing.boards). "sme" here is 中小板,
# the board, not the tier 中小企业: a list's codes are read by the key that holds them, never as tiers.
BOARD_LABELS = BOARD_ZH
# The listing pipeline's stages in order (finance's rules.STAGES): 股改, 辅导备案, 申报受理, 注册/核准, 上市.
LISTING_STAGE_LABELS = {"shareholding_reform": "股改", "coaching_filed": "辅导备案", "application_accepted": "申报受理",
                        "registered": "注册 / 核准", "listed": "上市"}
# Outreach's notice channels.
CHANNEL_LABELS = {"inbox": "企业门户收件箱", "email": "电子邮件", "wechat": "微信模板消息", "sms": "短信"}
# The codes a list-valued parameter holds, by its key's last word (another list: tier codes).
PARAM_LIST_LABELS = {"boards": BOARD_LABELS, "reminder_channels": CHANNEL_LABELS}
# What a park dimension measures (the parks service's MEASURES, services/parks/rules.py), counted
# from its 起算层级 (floor) up.
MEASURE_LABELS = {"count": "园区内达到起算层级的企业数", "share_pct": "园区内达到起算层级的企业占比（%）",
                  "new": "年内新增达到起算层级的企业数", "incubated_promoted": "园区孵化企业年内晋级至起算层级的企业数",
                  "services": "年内中介机构、商协会服务园区企业的次数"}
# The codes a part of a table-valued parameter holds beyond tier codes: by the part (a dimension's
# measure), or by the key for all its parts (a routing's departments).
PARAM_PART_CODES = {"measure": MEASURE_LABELS}
PARAM_PART_CODES_BY_KEY = {"service_package.routing": DEPARTMENT_LABELS}


def param_list_labels(key: str = "") -> dict[str, str] | None:
    return PARAM_LIST_LABELS.get(str(key or "").rsplit(".", 1)[-1])


def param_part_codes(part, key: str = "") -> dict[str, str] | None:
    return PARAM_PART_CODES_BY_KEY.get(key) or PARAM_PART_CODES.get(str(part))


def param_part(part, key: str = "") -> str:
    """One part of a table-valued parameter in words (a code the portal does not know keeps its own)."""
    part = str(part)
    return PARAM_PART_WORDS_BY_KEY.get(key, {}).get(part) or PARAM_PART_WORDS.get(part) or TIER_LABELS.get(part) \
        or REQUEST_CATEGORY_LABELS.get(part) or PARAM_KEY_WORDS.get(part) or part


def criteria_tree(v) -> dict | None:
    """A screening rule set (screening.criteria.<tier>: {"rule_set", "criteria": [...]}) for reading:
    its name and each criterion's own words (`zh`), a group's (all / any) criteria under it, joined
    by 且 / 或; None for any other value."""
    if not (isinstance(v, dict) and isinstance(v.get("criteria"), list)):
        return None

    def one(c) -> dict:
        if not isinstance(c, dict):
            return {"zh": str(c), "join": "", "items": []}
        join, parts = ("或", c["any"]) if isinstance(c.get("any"), list) else (
            ("且", c["all"]) if isinstance(c.get("all"), list) else ("", []))
        return {"zh": said_zh(c.get("zh") or c.get("id")), "join": join, "items": [one(x) for x in parts]}
    return {"rule_set": said_zh(v.get("rule_set")) if v.get("rule_set") else "", "items": [one(c) for c in v["criteria"]]}


def criteria_text(tree: dict) -> str:
    """A rule set on one line (the audit log): "规则集：条件一；条件二（条件甲 或 条件乙）"."""
    def one(c: dict) -> str:
        if not c["items"]:
            return c["zh"]
        return f"{c['zh']}（" + f" {c['join']} ".join(one(x) for x in c["items"]) + "）"
    return (f"{tree['rule_set']}：" if tree["rule_set"] else "") + ("；".join(one(c) for c in tree["items"]) or "（无条件）")


def param_value(v, key: str = "") -> str:
    """A policy value for reading: whole numbers with separators, tier codes as their names, a list of
    codes as their labels (by the parameter's key: a board's "sme" is not the tier's), a screening
    rule set by its criteria's words."""
    if str(key).startswith("screening.criteria.") and (tree := criteria_tree(v)):
        return criteria_text(tree)
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, list) and all(isinstance(c, str) for c in v):
        labels = param_list_labels(key) or TIER_LABELS
        return "、".join(labels.get(c, c) for c in v) or "（空）"
    if isinstance(v, dict) and v and all(isinstance(x, (bool, int, float, str)) for x in v.values()):
        return "；".join(f"{param_part(part, key)}：{param_part_value(part, x, key)}" for part, x in v.items())
    if isinstance(v, (dict, list)):
        import json
        return TIER_CODE.sub(lambda m: TIER_LABELS[m.group(1)], json.dumps(v, ensure_ascii=False))
    return TIER_LABELS.get(str(v), str(v))


def param_part_value(part, v, key: str = "") -> str:
    """One part's value of a table-valued parameter in words (a routing's department, a measure)."""
    codes = param_part_codes(part, key)
    return codes.get(v, v) if codes and isinstance(v, str) else param_value(v)


# The fields an audit row's before/after names, in Chinese (beyond PARAM_LABELS).
FIELD_LABELS = {"township": "乡镇/街道", "park_id": "园区", "industry_code": "行业代码", "status_on": "状态日期",
                "recognized_on": "认定日期", "expires_on": "有效期至", "batch": "批次", "source": "来源",
                "revoked_on": "撤销日期", "revoke_reason": "撤销原因", "voided_on": "作废日期", "void_reason": "作废原因",
                "value": "取值", "effective_from": "生效日期", "legal_ref": "政策依据", "withdrawn_at": "撤回时间",
                "withdrawn_by": "撤回人", "withdraw_reason": "撤回理由", "set_by": "设定人", "set_at": "设定时间",
                "amount_yuan": "金额（元）", "program": "项目", "flag": "更正标记", "flag_reason": "标记原因",
                "id": "编号", "version": "版本", "enterprises": "企业", "cancel_requested": "已请求取消", "name": "名称",
                "state": "状态", "tier": "层级", "status": "状态", "status_reason": "迁出/注销说明",
                "founded_on": "成立日期", "relocated_on": "迁入日期", "relocated_from": "迁出地",
                "relocated_from_code": "迁出地区划代码", "introducer": "引荐机构", "for_cause": "是否因故撤销",
                "backfilled": "历史补录", "kind": "类型", "mode": "导入方式", "dry_run": "预览", "filename": "文件名",
                "rows_total": "总行数", "rows_done": "已处理行数", "report": "导入报告", "error": "错误",
                "submitted_on": "提交日期", "changed_on": "变更日期", "reported_on": "报告日期", "due_on": "截止日期",
                "late": "是否逾期", "detail": "详情", "summary": "诉求", "department": "承办部门", "category": "类别",
                "resolution": "办理结果", "opened_on": "提出日期", "accepted_on": "受理日期", "closed_on": "办结日期", "facts": "指标",
                "recorded_by": "登记人", "updated_by": "更新人", "created_at": "创建时间", "current_tier": "当前层级",
                "area_mu": "面积（亩）", "operator_org": "运营方", "designated_on": "认定日期", "graduated_on": "出孵日期",
                "entered_on": "入孵日期", "voucher": "支付凭证号", "budget_year": "预算年度", "payee": "收款方",
                "payee_type": "收款方类型", "decided_on": "核定日期", "certification_id": "认定编号",
                "contract_id": "合同编号", "basis": "核定依据", "allocated_yuan": "预算（元）", "year": "年度",
                # a claim's inputs (awards' award.claimed): a listing's, a contract's
                "inputs": "申领依据", "board": "上市板块", "listed_on": "上市日期", "listing_id": "上市记录编号",
                "listing_source": "上市记录来源", "municipal_award_yuan": "市级奖励（元）", "municipal_award_ref": "市级奖励文件",
                "tier_on_date": "当日层级", "contract_yuan": "合同金额（元）", "signed_on": "签订日期",
                "evidence": "合同凭证", "evidence_ref": "合同来源",
                # a listing pipeline (finance's 上市培育)
                "sponsor": "保荐机构", "stage": "阶段", "stage_on": "阶段日期", "stages": "各阶段",
                # a service-list entry (finance's 金融服务名单)
                "listed": "在名单上", "since": "列入日期", "removed_on": "退出日期", "removed_reason": "退出原因",
                # a hotline question (the registry's 政策咨询)
                "question": "咨询内容", "asked_on": "咨询日期", "caller_name": "来电人", "caller_phone": "来电号码",
                "answered": "是否已答复", "answer": "答复内容", "answered_by": "答复人", "answered_on": "答复日期"}
# Codes an audit row's values may hold, as their labels.
VALUE_LABELS = {**TIER_LABELS, **AWARD_STATE_LABELS, **CERT_SOURCE_LABELS, **APPLICATION_STATE_LABELS,
                **ENTERPRISE_STATUS_LABELS, **AWARD_FLAG_LABELS, **NOMINATION_STATE_LABELS}
# Codes read by the field that holds them (a board's "sme" is 中小板, not the tier), and those read by the
# field of one kind of object (a request's "rejected" is 已退回, an award's 已驳回).
FIELD_CODES = {"board": BOARD_LABELS, "listing_source": {"finance_office": "区金融服务办登记"}}
FIELD_CODES_BY_OBJECT = {
    "service_request": {"category": REQUEST_CATEGORY_LABELS, "department": DEPARTMENT_LABELS,
                        "state": REQUEST_STATE_LABELS},
    "hotline_question": {"category": REQUEST_CATEGORY_LABELS, "department": DEPARTMENT_LABELS},
    "listing_pipeline": {"stage": LISTING_STAGE_LABELS},
}


def field_codes(field: str, obj: str = "") -> dict[str, str]:
    return FIELD_CODES_BY_OBJECT.get(obj, {}).get(field) or FIELD_CODES.get(field, {})


def listing_stages(stages: list) -> str:
    """A listing pipeline's stages reached, in words: "股改（2025-01-10）；申报受理（2025-06-01，主板）"."""
    said = []
    for x in stages:
        if not isinstance(x, dict):
            return param_value(stages)
        board = BOARD_LABELS.get(x.get("board") or "", x.get("board") or "")
        said.append(f"{LISTING_STAGE_LABELS.get(x.get('stage'), x.get('stage_zh') or x.get('stage'))}"
                    f"（{'，'.join(str(w) for w in (x.get('on'), board) if w)}）")
    return "；".join(said) or "（空）"


def audit_fields(row) -> list[tuple[str, object]]:
    """An audit row's before/after, field by field, without a field's Chinese twin ("stage_zh" beside
    "stage": the stage is said in words already)."""
    row = row if isinstance(row, dict) else {}
    return [(k, v) for k, v in row.items() if not (str(k).endswith("_zh") and str(k)[:-3] in row)]


ACTOR = re.compile(r"^(?:event:|system:|(?:" + "|".join(ROLE_LABELS) + r"):[^:\s]*:)")
UTC_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def field_label(name) -> str:
    """A field's Chinese name; an unlabelled code (a service's new field) as 其他信息, never the code."""
    name = str(name)
    return FIELD_LABELS.get(name) or PARAM_LABELS.get(name) or ("其他信息" if re.fullmatch(r"[a-z0-9_]+", name) else name)


def shown(v, key: str = "", field: str = "", obj: str = "") -> str:
    """One value of an audit row, for reading (masked already by the service): `field` is the name it
    has in the row, `obj` the row's object type, `key` the policy parameter it is a value of (its codes
    read by it)."""
    if v is None or v == "":
        return "（空）"
    if isinstance(v, bool):
        return "是" if v else "否"
    if obj == "listing_pipeline" and field == "stages" and isinstance(v, list):
        return listing_stages(v)
    if isinstance(v, str):  # a code as its label, a policy key in words, codes in a sentence as words
        if v in (codes := field_codes(field, obj)):
            return codes[v]
        if ACTOR.match(v):
            return actor_zh(v)
        if UTC_TIME.match(v):
            return beijing(v)
        return VALUE_LABELS.get(v) or said_zh(v)
    if isinstance(v, dict) and not key:  # a record in the row (a claim's inputs): its fields, labelled
        return "；".join(f"{field_label(k)}：{shown(x, field=k)}" for k, x in v.items()) or "（空）"
    return param_value(v, key)


def audit_action(action) -> str:
    """"certification.void" → "认定 作废"; an unknown part keeps its own words (still telling support which)."""
    obj, _, verb = str(action or "").partition(".")
    verb = verb.rsplit(".", 1)[-1]
    said = AUDIT_VERB_LABELS_BY_OBJECT.get(obj, {}).get(verb) or AUDIT_VERB_LABELS.get(verb, verb)
    return f"{AUDIT_ACTION_OBJECT_LABELS.get(obj, obj)} {said}".strip() or "—"


# A user's id in an actor that is not a name (a CLI token's "econ-6da4f482", an IdP's opaque subject).
OPAQUE_SUB = re.compile(r"^(?:[a-z]+-[0-9a-f]{6,}|[0-9a-f-]{16,}|portal-directory"
                        r"|[A-Za-z0-9_.@|:-]*\d[A-Za-z0-9_.@|:-]*)$")


def actor_zh(actor, me=None, org_name=None) -> str:
    """Who acted, in words: an event's handler is 系统自动; a user is their department (and park or
    bank by name) and their name where it is one ("econ:-:李明" → "区经信局（牵头） 李明"), the signed-in
    user's own actions by the name they gave at sign-in (`me`: the session's sub and name)."""
    text = str(actor or "")
    role, _, rest = text.partition(":")
    if role == "event":
        return "系统自动"
    if role == "system":
        return "系统"
    if role not in ROLE_LABELS:
        return "系统" if not CJK_ANY.search(text) and text else (text or "—")
    org, _, person = rest.partition(":")
    if me and person and person == me[0]:
        person = me[1]  # signed in without a name, that is the role's label: said once, below
        if person in (role, ROLE_LABELS[role]):
            person = ""
    elif OPAQUE_SUB.match(person) or person in (role, ROLE_LABELS[role]):
        person = ""
    if org in ("", "-"):
        org = ""
    elif role == "bank":
        org = BANK_LABELS.get(org.upper(), org)
    elif org_name:
        org = org_name(role, org)
    return " ".join(x for x in (ROLE_LABELS[role], org, person) if x)


CJK_ANY = re.compile(r"[\u4e00-\u9fff]")


def wan_text(yuan, sep: bool = True) -> str:
    """Whole 元 as 万元, exactly, without floats ("3,000", "123.4567"; "3000" without separators, as a
    form holds it); "" when it is not a whole number."""
    try:
        n = int(yuan)
    except (TypeError, ValueError):
        return ""
    whole, rest = divmod(abs(n), 10_000)
    text = ("-" if n < 0 else "") + (f"{whole:,}" if sep else str(whole))
    return text + (f".{rest:04d}".rstrip("0") if rest else "")


def wan(v) -> str:
    """An amount as officials say it: "100 万元" (whole 元 below 万 as they are: "5,000 元")."""
    try:
        n = int(v)
    except (TypeError, ValueError):
        return "—"
    if abs(n) < 10000:
        return f"{n:,} 元"
    return wan_text(n) + " 万元"


def yuan_also(v) -> str:
    """The amount in 元 beside its 万元 ("（300,000 元）"); nothing when `wan` said it in 元 already
    ("合计 0 元", not "合计 0 元（0 元）")."""
    said = yuan(v)
    return "" if said in ("—", wan(v)) else f"（{said}）"


def deduction(d) -> str:
    """One deduction of an award's basis ({award_id, tier, amount_yuan}) in words."""
    if not isinstance(d, dict):
        return zh_text(d)
    parts = []
    if d.get("award_id") is not None:
        parts.append(f"奖励 {d['award_id']}")
    if d.get("tier"):
        parts.append(f"（{TIER_LABELS.get(d['tier'], d['tier'])}）")
    said = "".join(parts) or "已获奖励"
    if d.get("amount_yuan") is not None:
        said += f"已获 {yuan(d['amount_yuan'])}，予以扣除"
    return said


# A policy key inside a sentence ("award.tier.national_little_giant"): its words.
PARAM_KEY_IN_TEXT = re.compile(r"(?<![A-Za-z0-9_.])(?:award|certification|finance|outreach|parks|reminder|renewal|"
                               r"screening|service_package|talent|targets|criteria)(?:\.[a-z_]+){1,4}(?![A-Za-z0-9_])")
AWARD_CODES = {**TIER_LABELS, **PROGRAM_LABELS, **AWARD_STATE_LABELS, **AWARD_FLAG_LABELS}
AWARD_CODE = re.compile(r"(?<![A-Za-z0-9_\-])(" + "|".join(sorted(AWARD_CODES, key=len, reverse=True))
                        + r")" + NOT_NAMED)


def said_zh(text) -> str:
    """A service's sentence for reading: its Chinese half, policy keys and award codes (tier, programme,
    state, flag) as their words."""
    if text is None or text == "":
        return "—"
    text = PARAM_KEY_IN_TEXT.sub(lambda m: param_key(m.group(0)), zh_text(text))
    text = FIELD_IN_PARENS.sub("", text)  # "迁入本区（relocated_on）": the words already say it
    return AWARD_CODE.sub(lambda m: AWARD_CODES[m.group(1)], text)


FIELD_IN_PARENS = re.compile(r"\s*[（(]\s*[a-z]+(?:_[a-z]+)+\s*[）)]")


def yuan(v) -> str:
    try:
        return f"{int(v):,} 元"
    except (TypeError, ValueError):
        return "—"


FILTERS = {
    "tier": lambda c: TIER_LABELS.get(c or "", c or "—"),
    "program": lambda c: PROGRAM_LABELS.get(c or "", c or "—"),
    "award_state": lambda c: AWARD_STATE_LABELS.get(c or "", c or "—"),
    "cert_state": lambda c: CERT_STATE_LABELS.get(c or "", c or "—"),
    "cert_source": lambda c: CERT_SOURCE_LABELS.get(c or "", c or "—"),
    "nomination_state": lambda c: NOMINATION_STATE_LABELS.get(c or "", c or "—"),
    "role": lambda c: ROLE_LABELS.get(c or "", c or "—"),
    "request_category": lambda c: REQUEST_CATEGORY_LABELS.get(c or "", c or "—"),
    "request_state": lambda c: REQUEST_STATE_LABELS.get(c or "", c or "—"),
    "ent_status": lambda c: ENTERPRISE_STATUS_LABELS.get(c or "", c or "—"),
    "award_flag": lambda c: AWARD_FLAG_LABELS.get(c or "", c or "—"),
    "application_state": lambda c: APPLICATION_STATE_LABELS.get(c or "", c or "—"),
    "screen_status": lambda c: SCREEN_STATUS_LABELS.get(c or "", c or "—"),
    "platform_job_state": lambda c: PLATFORM_JOB_STATE_LABELS.get(c or "", c or "—"),
    "platform_job_kind": lambda c: PLATFORM_JOB_KIND_LABELS.get(c or "", c or "—"),
    "import_job_state": lambda c: IMPORT_JOB_STATE_LABELS.get(c or "", c or "—"),
    "import_mode": lambda c: IMPORT_MODE_LABELS.get(c or "", c or "—"),
    "reminder_kind": lambda c: REMINDER_KIND_LABELS.get(c or "", c or "—"),
    "timeline_kind": lambda c: TIMELINE_KIND_LABELS.get(c or "", c or "—"),
    "audit_object": lambda c: AUDIT_OBJECT_LABELS.get(c or "", c or "—"),
    "audit_action": lambda c: audit_action(c),
    "audit_fields": audit_fields,
    "wan": wan,
    "deduction": deduction,
    "said": said_zh,
    "payee_type": lambda c: PAYEE_TYPE_LABELS.get(c or "", c or "—"),
    "loan_state": lambda c: LOAN_STATE_LABELS.get(c or "", c or "—"),
    "delivery_state": lambda c: DELIVERY_STATE_LABELS.get(c or "", c or "—"),
    "loan_action": lambda c: LOAN_ACTION_LABELS.get(c or "", c or "—"),
    "first_loan_reason": lambda c: FIRST_LOAN_REASON_LABELS.get(c or "", c or "—"),
    "bank": lambda c: BANK_LABELS.get((c or "").upper(), c or "—"),
    "param_key": param_key,
    "param_value": param_value,
    "criteria": criteria_tree,
    "field": field_label,
    "shown": shown,
    "yuan": yuan,
    "yuan_also": yuan_also,
    "zh": zh_text,
    "explain": said_zh,
    "beijing": beijing,
}
