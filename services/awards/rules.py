"""Pure award rules over facts and dated parameters (POLICY.md, proposal section 三/四). No I/O.

Every decision carries its `basis`: the rule, the inputs, the parameter rows used and what
earlier awards it deducted, so that an award can explain itself years later.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from shared import tiers
from shared.params import Param
from shared.tiers import TIER_ZH, rank
from shared.validators import outside_beijing

STATES = ("computed", "reviewed", "approved", "disbursed", "rejected", "clawed_back", "settled_outside",
          "withdrawn", "withheld")
COUNTED = ("computed", "reviewed", "approved", "disbursed")  # payable or paid in the system
# What an enterprise already received or is owed, for the top-up (晋级补差): paid in the system or, for
# a title back-filled from before go-live, outside it (never payable here, but never paid twice
# either); a withheld award too (stopped because the enterprise left, not denied: should the bureau
# settle it by hand, a top-up that ignored it would pay that part twice).
HELD = (*COUNTED, "settled_outside", "withheld")
UNPAID = ("computed", "reviewed", "approved")  # owed and not yet paid: a correction may stop them
# Names for messages and exports (a code is never shown to a person in Chinese).
PROGRAMS_ZH = {"tier": "层级奖励", "relocation": "入区奖励", "introducer": "中介奖励", "listing": "上市奖励",
               "scenario": "应用场景奖励", "ecosystem": "产业生态奖励", "featured_park": "特色园区奖励",
               "incubation": "园区孵化奖励",
               "first_loan_subsidy": "首贷贴息", "npl_compensation": "不良贷款风险补偿"}
STATES_ZH = {"computed": "已核定", "reviewed": "已审核", "approved": "已批准", "disbursed": "已拨付",
             "rejected": "已驳回", "clawed_back": "已追回", "settled_outside": "系统外已兑付", "withdrawn": "已撤回",
             "withheld": "已暂停"}
# Why a correction touched an award (award.flag): the treasury filters on it.
FLAGS_ZH = {"certification_voided": "认定已作废", "enterprise_departed": "企业已迁出或注销",
            "over_entitlement": "重新核定后超出应得"}


@dataclass(frozen=True)
class Decision:
    program: str
    amount_yuan: int
    basis: dict
    tier: str | None = None


@dataclass(frozen=True)
class Facts:
    """What the rules know of an enterprise when a promotion arrives."""

    uscc: str
    to_tier: str
    recognized_on: dt.date
    first_time_at_tier: bool
    relocated_on: dt.date | None = None
    relocated_from: str | None = None  # the origin's name (for the explanation only)
    relocated_from_code: str | None = None  # the origin's GB/T 2260 code: decides "outside Beijing"
    introducer: str | None = None
    earlier_tier_awards: list[tuple[int, str, int]] = field(default_factory=list)  # (id, tier, yuan)
    # Every title the enterprise holds or held (tier, recognized_on), revoked for cause left out: when
    # it first reached a titled tier (the relocation must come first).
    titles: tuple[tuple[str, dt.date], ...] = ()


def cite(*params: Param | None) -> list[dict]:
    return [p.cite() for p in params if p is not None]


def tier_award(f: Facts, params: dict[str, Param]) -> Decision | None:
    """One-time award the first time a tier is reached; on promotion only the difference to what
    the enterprise already received (单个企业不重复享受，晋级补差)."""
    p = params.get(f"award.tier.{f.to_tier}")
    if p is None or not f.first_time_at_tier:
        return None  # no award for this tier, or a renewal (复核)
    already = sum(yuan for _, _, yuan in f.earlier_tier_awards)
    amount = int(p.value) - already
    if amount <= 0:
        return None
    return Decision("tier", amount, {
        "rule": "tier_award_with_top_up",
        "explanation": f"{TIER_ZH.get(f.to_tier, f.to_tier)} 奖励 {int(p.value)} 元，扣除已获层级奖励 {already} 元，补差 {amount} 元",
        "inputs": {"tier": f.to_tier, "recognized_on": f.recognized_on.isoformat(),
                   "first_time_at_tier": True},
        "amount_for_tier_yuan": int(p.value), "already_awarded_yuan": already,
        "deductions": [{"award_id": i, "tier": t, "amount_yuan": y} for i, t, y in f.earlier_tier_awards],
        "parameters": cite(p)}, tier=f.to_tier)


def first_titled_on(f: Facts, floor: str) -> dt.date:
    """The day the enterprise first held a tier ≥ floor (this promotion included)."""
    days = [on for tier, on in f.titles if rank(tier) >= rank(floor)]
    if rank(f.to_tier) >= rank(floor):
        days.append(f.recognized_on)
    return min(days, default=f.recognized_on)


def relocation_award(f: Facts, params: dict[str, Param]) -> Decision | None:
    """An enterprise brought in from outside Beijing (its origin's GB/T 2260 code, not how the name is
    written) on or after the cut-off, on first reaching a titled tier, receives a one-time award on
    top of the tier award. Under `award.relocation.before_title` (the seed's reading of 新引进) the
    relocation must come no later than the day it first held a titled tier: an enterprise that
    already held one when it moved here was not brought in to be cultivated, and earns nothing."""
    amount, cutoff, floor, order = (params.get("award.relocation.amount"), params.get("award.relocation.cutoff"),
                                    params.get("award.relocation.min_tier"),
                                    params.get("award.relocation.before_title"))
    if not (amount and cutoff and floor and order) or f.relocated_on is None:
        return None  # no parameter in force: no money
    if not outside_beijing(f.relocated_from_code) or f.relocated_on < dt.date.fromisoformat(cutoff.value):
        return None
    if rank(f.to_tier) < rank(floor.value):
        return None
    titled = first_titled_on(f, floor.value)
    if order.value and f.relocated_on > titled:
        return None
    origin = f"{f.relocated_from or ''}（{f.relocated_from_code}）"
    return Decision("relocation", int(amount.value), {
        "rule": "relocation_award",
        "explanation": f"{f.relocated_on} 自京外 {origin} 迁入（不早于 {cutoff.value}），"
                       + (f"早于或同日于首次获得称号（{titled}），" if order.value else "")
                       + f"首次达到 {f.to_tier}，一次性入区奖励 {int(amount.value)} 元",
        "inputs": {"relocated_on": f.relocated_on.isoformat(), "relocated_from": f.relocated_from,
                   "relocated_from_code": f.relocated_from_code, "first_titled_on": titled.isoformat(),
                   "tier": f.to_tier, "recognized_on": f.recognized_on.isoformat()},
        "parameters": cite(amount, cutoff, floor, order)})


def introducer_award(f: Facts, relocation: Decision | None, params: dict[str, Param]) -> Decision | None:
    """The intermediary that brought in an enterprise earning the relocation award gets a one-time
    award, recorded against the enterprise with the intermediary as payee."""
    p = params.get("award.introducer.amount")
    if relocation is None or p is None or not f.introducer:
        return None
    return Decision("introducer", int(p.value), {
        "rule": "introducer_award",
        "explanation": f"中介机构 {f.introducer} 引入企业 {f.uscc} 并获入区奖励，一次性奖励 {int(p.value)} 元",
        "inputs": {"introducer": f.introducer, "introduced_uscc": f.uscc},
        "parameters": cite(p)})


def featured_park_award(park_id: str, designated_on: dt.date, params: dict[str, Param]) -> Decision | None:
    """The first park designated an SRDI featured park receives a one-time award."""
    p = params.get("award.featured_park.amount")
    if p is None:
        return None
    return Decision("featured_park", int(p.value), {
        "rule": "first_featured_park_award",
        "explanation": f"首家“专精特新”特色园区 {park_id}（{designated_on} 认定），一次性奖励 {int(p.value)} 元",
        "inputs": {"park_id": park_id, "designated_on": designated_on.isoformat()},
        "parameters": cite(p)})


def incubation_award(park_id: str, uscc: str, to_tier: str, recognized_on: dt.date, incubation_id: int | None,
                     params: dict[str, Param]) -> Decision | None:
    """A park that incubated an enterprise promoted to a titled tier (孵化培育的“专精特新”企业) receives
    `award.incubation.per_enterprise` once for that enterprise; no parameter or an amount of 0 (the
    seed, until the district sets one) pays nothing."""
    p = params.get("award.incubation.per_enterprise")
    if p is None or int(p.value) <= 0:
        return None
    return Decision("incubation", int(p.value), {
        "rule": "incubation_award",
        "explanation": f"园区 {park_id} 孵化的企业 {uscc} 于 {recognized_on} 晋级 {TIER_ZH.get(to_tier, to_tier)}，"
                       f"奖励园区 {int(p.value)} 元（每家孵化企业一次）",
        "inputs": {"park_id": park_id, "uscc": uscc, "to_tier": to_tier,
                   "recognized_on": recognized_on.isoformat(), "incubation_id": incubation_id},
        "parameters": cite(p)})

def voucher_key(voucher: str) -> str:
    """The same voucher however it is typed: trimmed, inner spaces dropped, upper case (an award's
    payment and a recovery's repayment share the rule, and their uniqueness)."""
    return "".join(voucher.split()).upper()


def incubated_title(certs, tier: str, on: dt.date):
    """The registry's title a park's incubation award rests on: a sound certification of the tier
    parks announced, recognised on the day it announced (None: the registry has not recorded it)."""
    return next((c for c in sound(certs) if str(c.tier) == tier and c.recognized_on == on), None)


# -- tiers on a date, from the registry's record (shared.tiers: the one projection) ---------------
def voided(c) -> bool:
    """A certification entered by mistake and voided: it never existed, on any date."""
    return getattr(c, "state", None) == "voided"


def sound(certs) -> list:
    """The certifications that count for eligibility: a title revoked for cause makes nothing
    eligible, not even before its revocation date (it was obtained improperly); a voided one never
    existed."""
    return [c for c in certs if not c.for_cause and not voided(c)]


def gone(certs) -> set[int]:
    """The certifications whose awards were taken back or withdrawn (revoked for cause, voided):
    they account for nothing and leave their award's key open."""
    return {c.id for c in certs if c.for_cause or voided(c)}


def tier_on(certs, on: dt.date) -> str:
    """The highest tier held on a date by the sound certifications (`sme` when none)."""
    return tiers.tier_on(sound(certs), on)


def _before(c, other) -> bool:
    return (other.recognized_on, other.id) < (c.recognized_on, c.id)


def times_before(certs, cert) -> int:
    """How many certifications of the same tier the enterprise had before this one (by date)."""
    return sum(1 for c in certs if c.id != cert.id and c.tier == cert.tier and _before(cert, c))


def first_time_at(certs, cert) -> bool:
    """The first recognition at its tier (by date); a re-recognition is a renewal (复核)."""
    return times_before(certs, cert) == 0


def titles(certs) -> tuple[tuple[str, dt.date], ...]:
    return tuple((str(c.tier), c.recognized_on) for c in sound(certs))


def check_not_after(on: dt.date, today: dt.date, what: str = "fact") -> None:
    """Nothing is paid ahead of its date: a fact dated after today is refused."""
    if on > today:
        raise Ineligible("future-date", f"日期 {on} 晚于今天（{today}），尚未发生的事实不能奖励",
                         f"The {what} is dated {on}, after today ({today}): nothing is paid before it happens")


# -- tier award on first renewal (the district's 2025 measures) --------------------------------
def renewal_award(f: Facts, times_before: int, earlier_renewals: list[tuple[int, str, int]],
                  params: dict[str, Param]) -> Decision | None:
    """When `award.tier.pay_first_renewal` is true, the first renewal (复核) of a tier pays that
    tier's award again, less what earlier renewal awards paid (upgrades get the difference).
    `times_before`: certifications of this tier the enterprise held before this one."""
    flag, p = params.get("award.tier.pay_first_renewal"), params.get(f"award.tier.{f.to_tier}")
    if flag is None or not flag.value or p is None or f.first_time_at_tier or times_before > 1:
        return None
    already = sum(y for _, _, y in earlier_renewals)
    amount = int(p.value) - already
    if amount <= 0:
        return None
    return Decision("tier", amount, {
        "rule": "tier_first_renewal_award",
        "explanation": f"{TIER_ZH.get(f.to_tier, f.to_tier)} 首次复核通过，奖励 {int(p.value)} 元，扣除已获复核奖励 {already} 元，"
                       f"发放 {amount} 元",
        "inputs": {"tier": f.to_tier, "recognized_on": f.recognized_on.isoformat(), "first_time_at_tier": False,
                   "renewal": True},
        "amount_for_tier_yuan": int(p.value), "already_awarded_yuan": already,
        "deductions": [{"award_id": i, "tier": t, "amount_yuan": y} for i, t, y in earlier_renewals],
        "parameters": cite(flag, p)}, tier=f.to_tier)

# -- claims: listing, scenario application, ecosystem contract ---------------------------------
class Ineligible(Exception):
    """A claim the rules refuse; `code`, `zh`, `en` say why."""

    def __init__(self, code: str, zh: str, en: str, status: int = 422):
        super().__init__(en)
        self.code, self.zh, self.en, self.status = code, zh, en, status


# -- replay: the awards a history would earn under a parameter set (what-if, property tests) ----
@dataclass(frozen=True)
class Promotion:
    """A certification the enterprise holds or held (revoked for cause left out)."""

    uscc: str
    certification_id: int
    tier: str
    recognized_on: dt.date
    first_time_at_tier: bool


@dataclass(frozen=True)
class Earned:
    """An award a certification earns: its natural key (as the live awards use), the certification
    it rests on, its date, the decision, and who is paid."""

    key: str
    certification_id: int
    on: dt.date
    decision: Decision
    payee: str
    payee_type: str


def earn(uscc: str, promotions: list[Promotion], facts: dict, params_on) -> list[Earned]:
    """What one enterprise's certifications earn, decided in date order (the history as it should
    have been decided): tier awards with top-up, first-renewal, relocation and introducer awards."""
    items = sorted({p.certification_id: p for p in promotions}.values(),
                   key=lambda p: (p.recognized_on, p.certification_id))
    held = tuple((p.tier, p.recognized_on) for p in items)
    tiers_paid: list[tuple[int, str, int]] = []
    renewals: list[tuple[int, str, int]] = []
    keys: set[str] = set()
    times: dict[str, int] = {}
    out: list[Earned] = []
    for p in items:
        params = params_on(p.recognized_on)
        f = Facts(uscc=uscc, to_tier=p.tier, recognized_on=p.recognized_on,
                  first_time_at_tier=p.first_time_at_tier, relocated_on=facts.get("relocated_on"),
                  relocated_from=facts.get("relocated_from"), relocated_from_code=facts.get("relocated_from_code"),
                  introducer=facts.get("introducer"), earlier_tier_awards=list(tiers_paid), titles=held)
        made: list[tuple[str, Decision, str, str]] = []
        d = tier_award(f, params)
        if d and f"tier:{uscc}:{p.tier}" not in keys:
            made.append((f"tier:{uscc}:{p.tier}", d, uscc, "enterprise"))
            tiers_paid.append((p.certification_id, p.tier, d.amount_yuan))
        r = renewal_award(f, times.get(p.tier, 0), renewals, params)
        if r and f"tier_renewal:{uscc}:{p.tier}" not in keys:
            made.append((f"tier_renewal:{uscc}:{p.tier}", r, uscc, "enterprise"))
            renewals.append((p.certification_id, p.tier, r.amount_yuan))
        reloc = relocation_award(f, params) if f"relocation:{uscc}" not in keys else None
        if reloc:
            made.append((f"relocation:{uscc}", reloc, uscc, "enterprise"))
            intro = introducer_award(f, reloc, params)
            if intro and f"introducer:{uscc}" not in keys:
                made.append((f"introducer:{uscc}", intro, f.introducer, "intermediary"))
        times[p.tier] = times.get(p.tier, 0) + 1
        for key, decision, payee, payee_type in made:
            keys.add(key)
            out.append(Earned(key, p.certification_id, p.recognized_on, decision, payee, payee_type))
    return out


def family(key: str) -> str:
    """The group of keys whose awards add up under one ceiling: first-recognition tier awards (top-up),
    renewal awards, the relocation award, the introducer award."""
    return key.split(":", 1)[0]


def over_earned(earned: list[Earned], standing: list[tuple[int, str, int, str]]) -> tuple[list[int], list[int]]:
    """What stands beyond what the sound history earns, per family, and how it is undone: `standing`
    is every award that still accounts (id, natural key, amount, state). An award made good while a
    title still counted that was later revoked for cause can leave the family above its ceiling (a
    later tier paid in full before an earlier, higher title's award arrived, then the earlier lower
    tier made good under the higher title's ceiling). Unpaid awards of such a family are withdrawn,
    newest first, until what stands is within what is earned (make_good then completes any gap);
    if paid awards alone still exceed it, they are returned to be flagged for the treasury (they
    still account for what they paid: nothing is paid twice meanwhile). Returns (withdraw, flag)."""
    over: dict[str, int] = {}
    for _, key, yuan, _ in standing:
        over[family(key)] = over.get(family(key), 0) + yuan
    for e in earned:
        over[family(e.key)] = over.get(family(e.key), 0) - e.decision.amount_yuan
    withdraw, flag = [], []
    newest_first = sorted(standing, key=lambda a: a[0], reverse=True)
    for award_id, key, yuan, state in newest_first:
        if state in UNPAID and over[family(key)] > 0:
            withdraw.append(award_id)
            over[family(key)] -= yuan
    flagged: dict[str, int] = {}
    for award_id, key, yuan, state in newest_first:
        if state == "disbursed" and over[family(key)] > flagged.get(family(key), 0):
            flag.append(award_id)
            flagged[family(key)] = flagged.get(family(key), 0) + yuan
    return withdraw, flag


def make_good(earned: list[Earned], accounted: dict[str, int], by_key: dict[str, int],
              blocked: frozenset[str] = frozenset()) -> list[tuple[Earned, int]]:
    """After awards resting on a title revoked for cause are taken back: what the enterprise's sound
    history earns (`earned`, decided in date order) against what its awards still account for
    (`accounted`: per family; `by_key`: per natural key; taken-back awards excluded, awards rejected
    for other reasons included). Each key short of what it earns is made good, in date order, never
    beyond what its family is short in total (so nothing is paid twice when the live awards fell on
    other keys of the family); a `blocked` key (an award on it was rejected for another reason: that
    decision stands) is never made good."""
    short_of: dict[str, int] = {}
    for e in earned:
        short_of[family(e.key)] = short_of.get(family(e.key), 0) + e.decision.amount_yuan
    room = {f: total - accounted.get(f, 0) for f, total in short_of.items()}
    out = []
    for e in earned:
        if e.key in blocked:
            continue
        gap = min(e.decision.amount_yuan - by_key.get(e.key, 0), room[family(e.key)])
        if gap > 0:
            out.append((e, gap))
            room[family(e.key)] -= gap
    return out
