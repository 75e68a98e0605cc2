"""Pure timeline rules: every dated thing about one enterprise as entries, newest first. The
facts come in as plain values (rows, other departments' latest records); no I/O."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from services.registry.service_package.rules import CATEGORY_ZH, DEPARTMENT_ZH, STATE_ZH
from shared.clock import SHANGHAI
from shared.contracts import EventData
from shared.contracts.awards import AwardChanged
from shared.contracts.finance import ServiceListChanged
from shared.contracts.talent import QuotaCancelled, QuotaGranted
from shared.tiers import TIER_ZH

AWARD_STATE_ZH = {"computed": "已核定", "reviewed": "已审核", "approved": "已批准", "disbursed": "已拨付",
                  "rejected": "已驳回", "clawed_back": "已追回", "withheld": "已暂停（企业迁出或注销）",
                  "withdrawn": "已撤回（认定作废）", "settled_outside": "系统外已兑付"}
# As the awards service names them (services/awards/rules.PROGRAMS_ZH).
PROGRAM_ZH = {"tier": "层级奖励", "relocation": "入区奖励", "introducer": "中介奖励", "listing": "上市奖励",
              "scenario": "应用场景奖励", "ecosystem": "产业生态奖励", "featured_park": "特色园区奖励",
              "incubation": "园区孵化奖励", "first_loan_subsidy": "首贷贴息", "npl_compensation": "不良贷款风险补偿"}
# The audit actions and fields a correction names, in the bureau's words.
ACTION_ZH = {"enterprise.change": "更正企业信息", "enterprise.depart": "企业迁出或注销",
             "enterprise.register": "企业登记", "certification.void": "认定作废"}
FIELD_ZH = {"name": "名称", "township": "乡镇（街道）", "park_id": "园区", "industry_code": "行业代码",
            "status": "经营状态", "status_on": "状态日期", "status_reason": "说明"}


def yuan(amount) -> str:
    """Whole 元 with thousands separators, as officials read them."""
    return f"{amount:,} 元" if isinstance(amount, int) else f"{amount} 元"
# Within one day: what happened first reads last (newest first), e.g. recognised before expired.
ORDER = ("title.recognized", "service_list.joined", "quota", "award", "service_request.opened",
         "service_request.accepted", "visit",
         "service_request.closed", "service_list.left", "title.revoked", "title.expired", "title.voided",
         "correction")


@dataclass(frozen=True)
class Entry:
    on: dt.date
    kind: str
    ref: str
    summary_zh: str
    summary_en: str
    detail: dict = field(default_factory=dict, compare=False, hash=False)


def event_day(time: str) -> dt.date | None:
    """The Shanghai date of a CloudEvent time (ISO, UTC); None when it does not parse."""
    try:
        at = dt.datetime.fromisoformat(time.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(SHANGHAI).date()


# The other departments' facts the timeline keeps: each award, quota year and service-list entry
FACT_EVENTS = (AwardChanged, QuotaGranted, QuotaCancelled, ServiceListChanged)


# Who may read each department's facts on a timeline: the roles that department's own service lets
# read them (awards' readers but a park or an enterprise, which read only their own awards there;
# talent's quota readers; finance's service-list readers). Every timeline reader sees the registry's own.
FACT_READERS = {"award": frozenset({"econ", "treasury", "auditor"}),
                "quota": frozenset({"talent", "econ", "auditor"}),
                "service_list": frozenset({"finance", "bank", "econ", "auditor"})}


def fact_of(data: EventData) -> tuple[str, str, str | None] | None:
    """(kind, ref, uscc) of the fact an event's data is the latest record of; None for other data.
    A fact about no enterprise (a park's award) has no USCC."""
    if isinstance(data, AwardChanged):
        return "award", str(data.award_id), data.uscc
    if isinstance(data, QuotaGranted | QuotaCancelled):
        return "quota", str(data.year), data.uscc
    if isinstance(data, ServiceListChanged):
        return "service_list", "entry", data.uscc
    return None


def newer(time: str, event_id: str, held_time: str, held_id: str) -> bool:
    """Is the event (time, id) newer than the one held? CloudEvent times are ISO UTC to the
    microsecond (lexical order is time order); the id breaks a tie the same way everywhere, so
    whichever order two versions arrive in, the same one stands."""
    return (time, event_id) > (held_time, held_id)


def titles(certs: list, on: dt.date) -> list[Entry]:
    """Each certification's recognition, and by `on` its revocation, expiry (the day after its last
    valid day, unless revoked first) or voiding (entered by mistake)."""
    out = []
    for c in certs:
        ref, name = f"certification:{c.id}", TIER_ZH.get(c.tier, c.tier)
        detail = {"certification_id": c.id, "tier": c.tier, "recognized_on": c.recognized_on.isoformat(),
                  "expires_on": c.expires_on.isoformat(), "batch": c.batch}
        voided = getattr(c, "state", None) == "voided"
        out.append(Entry(c.recognized_on, "title.recognized", ref, f"认定为{name}（有效期至{c.expires_on}）",
                         f"recognised {c.tier} (valid until {c.expires_on})", detail))
        if voided:
            day = getattr(c, "voided_on", None) or c.recognized_on
            out.append(Entry(day, "title.voided", ref, f"{name}认定录入错误已作废：{c.void_reason or ''}",
                             f"{c.tier} voided (entered by mistake): {c.void_reason or ''}", detail))
        elif c.revoked_on:
            out.append(Entry(c.revoked_on, "title.revoked", ref, f"{name}认定被撤销：{c.revoke_reason or ''}",
                             f"{c.tier} revoked: {c.revoke_reason or ''}",
                             detail | {"for_cause": c.for_cause}))
        if not voided and (not c.revoked_on or c.revoked_on > c.expires_on):
            lapsed = c.expires_on + dt.timedelta(days=1)
            if lapsed <= on:
                out.append(Entry(lapsed, "title.expired", ref, f"{name}有效期届满（{c.expires_on}）",
                                 f"{c.tier} lapsed (last valid day {c.expires_on})", detail))
    return out


def award(record: dict, day: dt.date) -> Entry:
    state = record.get("state", "")
    program = record.get("program", "")
    tier = f"（{TIER_ZH.get(record['tier'], record['tier'])}）" if record.get("tier") else ""
    return Entry(day, "award", f"award:{record.get('award_id')}",
                 f"{PROGRAM_ZH.get(program, '奖励')}{tier} {yuan(record.get('amount_yuan'))}："
                 f"{AWARD_STATE_ZH.get(state, '状态变更')}",
                 f"award {program} {record.get('amount_yuan')} yuan: {state}", record)


def quota(record: dict, day: dt.date) -> Entry:
    year, count = record.get("year"), record.get("count")
    if "cancelled" in record:
        zh = f"{year}年度落户指标取消 {record['cancelled']} 个，余 {count} 个"
        en = f"{year} settlement quota: {record['cancelled']} cancelled, {count} left"
    else:
        zh, en = f"{year}年度落户指标 {count} 个", f"{year} settlement quota: {count}"
    return Entry(day, "quota", f"quota:{year}", zh, en, record)


def service_list(record: dict, day: dt.date) -> list[Entry]:
    """The banks' service list entry: the day it joined, and the day it left (when it did). The record
    is finance's latest: its tier is today's, not the tier the enterprise joined with, so the joining
    entry does not name it (a list joined as municipal SRDI read as a national little giant after a
    promotion, even on a timeline asked for an earlier date)."""
    out = []
    since = _date(record.get("since")) or (day if record.get("listed") else None)
    if since:
        out.append(Entry(since, "service_list.joined", "service_list", "列入专精特新企业服务名单",
                         "on the banks' service list", record))
    removed = _date(record.get("removed_on")) or (day if not record.get("listed") else None)
    if removed:
        out.append(Entry(removed, "service_list.left", "service_list", "退出专精特新企业服务名单",
                         "left the banks' service list", record))
    return out


def request_state_on(r, on: dt.date) -> str:
    """A request's state as it stood on a date (its closing and acceptance are dated)."""
    if r.closed_on and r.closed_on <= on:
        return r.state
    return "accepted" if r.accepted_on and r.accepted_on <= on else "open"


def requests(rows: list, on: dt.date) -> list[Entry]:
    out = []
    for r in rows:
        ref = f"service_request:{r.id}"
        detail = {"id": r.id, "category": r.category, "department": r.department, "state": request_state_on(r, on),
                  "due_on": r.due_on.isoformat()}
        out.append(Entry(r.opened_on, "service_request.opened", ref, f"提出诉求（{CATEGORY_ZH.get(r.category, '其他')}）：{r.summary[:100]}",
                         f"service request opened ({r.category})", detail))
        if r.accepted_on:
            out.append(Entry(r.accepted_on, "service_request.accepted", ref,
                             f"诉求已受理（{DEPARTMENT_ZH.get(r.department, '承办部门')}）",
                             f"service request accepted ({r.department})", detail))
        if r.closed_on:
            out.append(Entry(r.closed_on, "service_request.closed", ref, f"诉求办结（{STATE_ZH.get(r.state, '已关闭')}）",
                             f"service request closed ({r.state})", detail))
    return out


def visits(rows: list) -> list[Entry]:
    return [Entry(v.visited_on, "visit", f"visit:{v.id}", f"走访（{v.visitors[:100]}）", "visited",
                  {"id": v.id, "visitors": v.visitors}) for v in rows]


def corrections(rows: list) -> list[Entry]:
    """The audit rows of the enterprise's record: what changed, not who (the audit log has that)."""
    out = []
    for a in rows:
        before, after = a.before or {}, a.after or {}
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        day = a.at.replace(tzinfo=dt.UTC).astimezone(SHANGHAI).date()
        out.append(Entry(day, "correction", f"audit:{a.id}", f"{ACTION_ZH.get(a.action, '记录变更')}：{'、'.join(FIELD_ZH.get(k, k) for k in changed)}",
                         f"record changed {a.action}: {', '.join(changed)}", {"action": a.action, "fields": changed}))
    return out


def newest_first(entries: list[Entry], on: dt.date) -> list[Entry]:
    """Entries dated on or before `on`, newest first (within a day, the later step first)."""
    rank = {k: i for i, k in enumerate(ORDER)}
    kept = [e for e in entries if e.on <= on]
    return sorted(kept, key=lambda e: (e.on, rank.get(e.kind, len(ORDER)), e.ref), reverse=True)


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None
