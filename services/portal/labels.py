"""Chinese labels for the codes the services use (display only)."""
from __future__ import annotations

import datetime as dt
import re

from shared.clock import SHANGHAI
from shared.tiers import TIER_ZH
from shared.validators import REASON_ZH

ROLE_LABELS = {
    "econ": "区经信局（牵头）", "treasury": "区财政局", "talent": "区人社局 / 区委人才办",
    "finance": "区金融服务办", "park": "园区运营方", "bank": "合作银行", "auditor": "审计（只读）",
    "platform": "市级平台", "enterprise": "企业联络员",
}
TIER_LABELS = TIER_ZH
# Highest first: the pyramid's top.
TIER_ORDER = ["single_champion", "national_little_giant", "municipal_little_giant", "municipal_srdi",
              "potential", "innovative", "sme"]
PROGRAM_LABELS = {
    "tier": "层级奖励", "relocation": "迁入奖励", "introducer": "引荐奖励", "listing": "上市奖励",
    "scenario": "应用场景奖励", "ecosystem": "产业生态奖励", "featured_park": "特色园区奖励", "incubation": "园区孵化奖励",
}
AWARD_STATE_LABELS = {
    "computed": "待审核", "reviewed": "已审核，待批准", "approved": "已批准，待拨付", "disbursed": "已拨付",
    "rejected": "已驳回", "clawed_back": "已追回",
}
AWARD_STATES = list(AWARD_STATE_LABELS)
# A certification's state on a date, from its dates (shared.tiers): it lapses the day after its last
# valid day for everybody, whether or not the registry's expiry sweep has run yet.
CERT_STATE_LABELS = {"active": "有效", "expired": "已到期", "revoked": "已撤销", "not_yet": "尚未生效"}
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

REQUEST_CATEGORY_LABELS = {"qualification": "资质认定", "subsidy": "资金补贴", "talent": "人才服务", "finance": "融资服务",
                           "land_space": "空间载体", "other": "其他"}
REQUEST_STATE_LABELS = {"open": "待受理", "accepted": "办理中", "resolved": "已办结", "rejected": "已退回"}
LOAN_STATE_LABELS = {"applied": "已申请", "approved": "已审批", "declined": "未获批", "drawn": "已放款",
                     "repaid": "已结清", "non_performing": "不良"}
# Why a drawn case is not the enterprise's first loan: finance decides it across every bank's cases.
FIRST_LOAN_REASON_LABELS = {"another-first-loan": "非首贷（该企业另有更早放款或已按首贷贴息的贷款）",
                            "prior-loan-declared": "非首贷（银行报告该企业此前已有银行贷款）"}
AWARD_ACTION_LABELS = {"review": "审核通过", "approve": "批准", "disburse": "拨付", "reject": "驳回"}


# A reason from shared.validators still in English (from a service not yet giving it in Chinese,
# or an older message): the portal shows it in Chinese. Unknown text passes through unchanged.


# Names of the parameters users send (the portal's and the services'), for "请求参数不正确（年度）".
PARAM_LABELS = {
    "award_id": "奖励编号", "nomination_id": "推荐编号", "job_id": "导入任务编号", "park_id": "园区编号",
    "uscc": "统一社会信用代码", "year": "年度", "state": "状态", "tier": "层级", "cursor": "分页位置",
    "limit": "每页条数", "q": "查询词", "township": "乡镇/街道", "file": "名单文件", "note": "备注",
    "voucher": "支付凭证号", "reason": "原因", "role": "角色", "org": "所属机构", "name": "姓名",
    "overdue": "是否超期", "entered_on": "入孵日期", "graduated_on": "毕业日期", "person": "被推荐人",
    "id_number": "身份证号码", "education": "学历", "post": "岗位", "category": "人才类别",
    "gender": "性别", "birth_date": "出生日期",
}


# Codes a service's Chinese message may still carry ("奖励当前状态为 approved，不能执行 approve",
# "2026 年度 tier 项目尚未设定预算"), per service (a code means one thing in each): shown as their
# labels. Whole codes only, never inside a word or an id.
MESSAGE_CODES = {
    "awards": {**TIER_LABELS, **AWARD_ACTION_LABELS, **AWARD_STATE_LABELS, **PROGRAM_LABELS},
    "talent": {**TIER_LABELS, **NOMINATION_ACTIONS, **NOMINATION_STATE_LABELS},
    "finance": {**TIER_LABELS, **LOAN_STATE_LABELS},
    "registry": dict(TIER_LABELS), "parks": dict(TIER_LABELS),
}
MESSAGE_CODE = {service: re.compile(r"(?<![A-Za-z0-9_\-])(" + "|".join(sorted(codes, key=len, reverse=True))
                                    + r")(?![A-Za-z0-9_\-])") for service, codes in MESSAGE_CODES.items()}


def codes_zh(text: str, service: str) -> str:
    """A service's Chinese message with the codes in it as their labels (display only)."""
    if service not in MESSAGE_CODE:
        return text
    return MESSAGE_CODE[service].sub(lambda m: MESSAGE_CODES[service][m.group(1)], text)


def param_label(name) -> str:
    """The Chinese name of a parameter; an unknown one keeps its own (still telling support which)."""
    return PARAM_LABELS.get(str(name), str(name))


# A service's "中文 / English" sentence (an award's recorded reason): its Chinese half. The English
# half has words and no Chinese; "区人社局 / 区委人才办" or "2025/3/1" are not split.
BILINGUAL = re.compile(r"^(.*[\u4e00-\u9fff\uff00-\uffef].*?)\s*/\s+([^\u4e00-\u9fff]*[A-Za-z]{2,}[^\u4e00-\u9fff]*)$", re.S)


def zh_text(text) -> str:
    text = "" if text is None else str(text)
    if m := BILINGUAL.match(text):
        text = m.group(1)
    for en, zh in REASON_ZH.items():
        text = text.replace(en, zh)
    return text


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
    "yuan": yuan,
    "zh": zh_text,
    "explain": explain,
    "beijing": beijing,
}
