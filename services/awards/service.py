"""Awards use cases. They write through the caller's session and never commit.

The registry's enterprises are its records (shared.projection): every registry event carries the
enterprise's whole record, the handlers keep the newest, and every tier on a date is read from it
(never from a stored tier, never by folding changes). Claim awards rest only on facts their owners
recorded: outreach's contracts, the finance office's listings."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.awards import events, rules
from services.awards.models import (Award, AwardTransition, Budget, Contract, IncubateePromotion, LedgerEntry, Listing,
                                    ParkDesignation, Voucher)
from shared import audit, clock, params, projection
from shared.contracts.finance import EnterpriseListed
from shared.contracts.outreach import ContractSigned
from shared.contracts.parks import IncubateePromoted, ParkDesignated
from shared.contracts.registry import (CertificationAdded, CertificationRecord, CertificationRevoked, EnterpriseEvent,
                                       EnterprisePromoted, EnterpriseRecord)
from shared.db import for_update
from shared.errors import Problem, field_error, not_found
from shared.sheets import safe_cell


def _create(s: Session, key: str, decision: rules.Decision, uscc: str | None, payee: str, payee_type: str,
            decided_on: dt.date, event_id: str, certification_id: int | None = None,
            actor: str | None = None, contract_id: int | None = None) -> Award | None:
    if s.scalars(select(Award.id).where(Award.award_key == key)).first() is not None:
        return None  # paid once already: never twice, whatever event asks again
    award = Award(award_key=key, program=decision.program, uscc=uscc, payee=payee, payee_type=payee_type,
                  tier=decision.tier, amount_yuan=decision.amount_yuan, state="computed",
                  basis={**decision.basis, "event_id": event_id}, decided_on=decided_on,
                  certification_id=certification_id, contract_id=contract_id, source_event_id=event_id)
    s.add(award)
    s.flush()
    actor = actor or f"event:{event_id}"
    s.add(AwardTransition(award_id=award.id, from_state=None, to_state="computed", actor=actor,
                          reason=decision.basis.get("explanation")))
    kind = "top_up" if decision.basis.get("already_awarded_yuan") and decision.program == "tier" else "awarded"
    book(s, award, kind, award.amount_yuan, decided_on, actor, decision.basis.get("explanation"))
    events.changed(s, award)
    return award


def book(s: Session, award: Award, kind: str, amount: int, on: dt.date, actor: str, note: str | None = None,
         budget_year: int | None = None, voucher: str | None = None) -> LedgerEntry:
    """Append one immutable ledger entry."""
    entry = LedgerEntry(kind=kind, award_id=award.id, program=award.program, uscc=award.uscc, payee=award.payee,
                        payee_type=award.payee_type, amount_yuan=amount, booked_on=on, budget_year=budget_year,
                        voucher=voucher, actor=actor, note=(note or "")[:2000] or None)
    s.add(entry)
    return entry


# -- the registry's records ------------------------------------------------------------------
def locked_record(s: Session, uscc: str) -> EnterpriseRecord | None:
    """The newest record held of an enterprise, its row locked: one enterprise's awards are decided
    one at a time (None: the registry never told us of it, so it is not in the district)."""
    return projection.record_of(s, uscc, lock=True)


def remembered(s: Session, data: EnterpriseEvent) -> EnterpriseRecord:
    """Keep the event's record if it is newer than the one held; the newest held either way."""
    projection.remember(s, data.record)
    return locked_record(s, data.uscc) or data.record


def _refused(s: Session, actor: str, object_type: str, object_id: str, why: rules.Ineligible | Problem,
             **facts) -> None:
    """An event that pays nothing is not an error to retry: the reason goes to the audit log."""
    audit.record(s, actor, "award.claim_refused" if object_type in ("contract", "listing") else "award.refused",
                 object_type, object_id, None, {**facts, "status": why.status, "code": why.code, "reason": why.en})


def _foul(record: EnterpriseRecord) -> set[int]:
    """The certifications revoked for cause: what rested on them was taken back."""
    return {c.id for c in record.certifications if c.for_cause}


def _family(s: Session, base: str) -> list[Award]:
    """The awards under a natural key: the first (`base`) and those made after a take-back (`base:n`)."""
    return list(s.scalars(select(Award).where((Award.award_key == base) | Award.award_key.like(f"{base}:%"))
                          .order_by(Award.id)))


def _key_for(s: Session, base: str, foul: set[int]) -> str | None:
    """The key a new award under `base` takes, or None when the key is decided already: an award
    stands on it, or was rejected for a reason other than a revocation for cause (that stands too).
    Awards taken back because their title was revoked for cause leave the key open."""
    awards = _family(s, base)
    if any(a.certification_id not in foul for a in awards):
        return None
    return base if not awards else f"{base}:{len(awards) + 1}"


def decide(s: Session, record: EnterpriseRecord, cert: CertificationRecord, event_id: str) -> list[Award]:
    """The awards one certification earns, from the record: tier award with top-up, first-renewal,
    relocation and introducer. Natural keys make any repetition (a redelivery, a replay) pay nothing
    more. A title revoked for cause counts for nothing, not even as an earlier recognition."""
    if cert.for_cause:
        return []  # a title revoked for cause earns nothing, whatever order the events came in
    today = clock.today()
    try:
        rules.check_not_after(cert.recognized_on, today, "recognition")
    except rules.Ineligible as why:
        _refused(s, f"event:{event_id}", "certification", str(cert.id), why, uscc=record.uscc)
        return []
    on, uscc, certs = cert.recognized_on, record.uscc, rules.sound(record.certifications)
    foul = _foul(record)
    rows = params.in_force(s, on, "award.")
    earlier, renewals = [], []
    for a in s.scalars(select(Award).where(Award.uscc == uscc, Award.program == "tier",
                                           Award.state.in_(rules.COUNTED)).order_by(Award.id)):
        (renewals if a.award_key.startswith("tier_renewal:") else earlier).append((a.id, a.tier, a.amount_yuan))
    facts = rules.Facts(uscc=uscc, to_tier=str(cert.tier), recognized_on=on,
                        first_time_at_tier=rules.first_time_at(certs, cert), relocated_on=record.relocated_on,
                        relocated_from=record.relocated_from, relocated_from_code=record.relocated_from_code,
                        introducer=record.introducer, earlier_tier_awards=earlier, titles=rules.titles(certs))
    made = []

    def create(base: str, decision: rules.Decision | None, payee: str, payee_type: str) -> None:
        key = decision and _key_for(s, base, foul)
        if key:
            made.append(_create(s, key, decision, uscc, payee, payee_type, on, event_id, cert.id))
    create(f"tier:{uscc}:{facts.to_tier}", rules.tier_award(facts, rows), uscc, "enterprise")
    create(f"tier_renewal:{uscc}:{facts.to_tier}",
           rules.renewal_award(facts, rules.times_before(certs, cert), renewals, rows), uscc, "enterprise")
    relocation = rules.relocation_award(facts, rows)
    create(f"relocation:{uscc}", relocation, uscc, "enterprise")
    if any(a and a.program == "relocation" for a in made):  # the introducer only with a relocation award
        create(f"introducer:{uscc}", rules.introducer_award(facts, relocation, rows), record.introducer,
               "intermediary")
    return [a for a in made if a]


def _cert(record: EnterpriseRecord, data) -> CertificationRecord | None:
    """The certification an event is about, as the newest record held says (it may already know
    of a later revocation); the event's own record if the held one somehow lacks it."""
    return record.certification(data.certification_id) or data.record.certification(data.certification_id)


def on_promotion(s: Session, event_id: str, data: EnterprisePromoted) -> list[Award]:
    """The promoted event is the trigger; what it earns is read from the record."""
    record = remembered(s, data)
    cert = _cert(record, data)
    return decide(s, record, cert, event_id) if cert else []


def on_certification_added(s: Session, event_id: str, data: CertificationAdded) -> list[Award]:
    """A renewal recognised before the earlier title lapsed raises no tier, so the registry publishes
    it as certification.added: it is decided like a promotion (a renewal pays only under
    award.tier.pay_first_renewal; a lower title beside a higher one is covered by the top-up rule)."""
    record = remembered(s, data)
    cert = _cert(record, data)
    return decide(s, record, cert, event_id) if cert else []


def on_revocation(s: Session, event_id: str, data: CertificationRevoked) -> list[Award]:
    """A certification revoked for cause takes back what depended on it: unpaid awards are rejected,
    paid ones clawed back (a new state entry; the amount record is never edited); then the claims it
    made eligible, and the enterprise's remaining certifications are decided again."""
    record = remembered(s, data)
    cert = _cert(record, data)
    if cert is None or not cert.for_cause:
        return []  # not for cause: the title ends on its date, which the record says already
    if cert.revoked_on and cert.revoked_on > clock.today():
        _refused(s, f"event:{event_id}", "certification", str(cert.id),
                 rules.Ineligible("future-date", "撤销日期晚于今天", f"revoked on {cert.revoked_on}, after today"),
                 uscc=record.uscc)
        return []
    why = f"认定撤销（{data.reason}）/ certification revoked for cause"
    changed = []
    for award in s.scalars(select(Award).where(Award.certification_id == cert.id,
                                               Award.uscc == record.uscc).order_by(Award.id)):
        target = {"disbursed": "clawed_back", "computed": "rejected", "reviewed": "rejected",
                  "approved": "rejected"}.get(award.state)
        if target:
            _move(s, award, target, f"event:{event_id}", why)
            changed.append(award)
    changed += recheck_claims(s, record, cert, event_id, data.reason)
    # Even when nothing rested on it (its promotion may not have arrived yet), the title no longer
    # counts as an earlier recognition: decide the sound history again (idempotent).
    reassess(s, record, event_id)
    return changed


def recheck_claims(s: Session, record: EnterpriseRecord, revoked: CertificationRecord, event_id: str,
                   reason: str | None) -> list[Award]:
    """Claim awards (listing, scenario, ecosystem) depended on the tier held on the claim's date: after a
    revocation for cause, those the revoked certification made eligible (eligible with it, not without
    it) are rejected (unpaid) or clawed back (paid). A claim another certification still covers stands,
    and so does one that fails for another reason (a floor raised since): this revocation is not why."""
    without = rules.sound(record.certifications)
    with_it = [*without, revoked.model_copy(update={"for_cause": False, "revoked_on": None})]
    changed = []
    for award in s.scalars(select(Award).where(Award.uscc == record.uscc, Award.program.in_(CLAIMS),
                                               Award.state.in_(rules.COUNTED)).order_by(Award.id)):
        in_force = params.in_force(s, award.decided_on, "award.")
        if rules.claim_still_eligible(award.program, rules.tier_on(with_it, award.decided_on), award.decided_on,
                                      in_force):
            continue
        why = rules.claim_still_eligible(award.program, rules.tier_on(without, award.decided_on), award.decided_on,
                                         in_force)
        if why:
            target = "clawed_back" if award.state == "disbursed" else "rejected"
            _move(s, award, target, f"event:{event_id}",
                  f"认定撤销（{reason}），申领资格不再成立 / certification revoked for cause, the claim no longer "
                  f"eligible: {why}")
            changed.append(award)
    return changed


def reassess(s: Session, record: EnterpriseRecord, event_id: str) -> list[Award]:
    """After awards are taken back, the enterprise's sound history is decided again in date order
    (rules.earn, the rules the live path uses) and what its awards no longer account for is made
    good: a lower tier covered by a revoked higher award's top-up earns its own award, a top-up that
    deducted a revoked award is completed, a relocation award moves to the first sound title. So
    the awards that stand do not depend on the order in which the registry's events arrived."""
    today = clock.today()
    foul = _foul(record)
    sound = rules.sound(record.certifications)
    promotions = [rules.Promotion(record.uscc, c.id, str(c.tier), c.recognized_on, rules.first_time_at(sound, c))
                  for c in sound if c.recognized_on <= today]
    facts = {"relocated_on": record.relocated_on, "relocated_from": record.relocated_from,
             "relocated_from_code": record.relocated_from_code, "introducer": record.introducer}
    earned = rules.earn(record.uscc, promotions, facts, lambda on: params.in_force(s, on, "award."))
    accounted: dict[str, int] = {}
    by_key: dict[str, int] = {}
    blocked: set[str] = set()
    for a in s.scalars(select(Award).where(Award.uscc == record.uscc,
                                           Award.program.in_(("tier", "relocation", "introducer")))):
        if a.certification_id in foul:
            continue  # taken back: it accounts for nothing
        key = ":".join(a.award_key.split(":")[:3 if a.program == "tier" else 2])
        accounted[rules.family(key)] = accounted.get(rules.family(key), 0) + a.amount_yuan
        by_key[key] = by_key.get(key, 0) + a.amount_yuan
        if a.state not in rules.COUNTED:
            blocked.add(key)  # rejected by the bureau for its own reasons: that decision stands
    made = []
    for e, gap in rules.make_good(earned, accounted, by_key, frozenset(blocked)):
        awards = _family(s, e.key)
        key = e.key if not awards else f"{e.key}:{len(awards) + 1}"
        short = by_key.get(e.key, 0)
        decision = rules.Decision(e.decision.program, gap, {
            **e.decision.basis, "made_good": {"earned_yuan": e.decision.amount_yuan, "accounted_yuan": short},
            "explanation": f"{e.decision.basis.get('explanation')}；认定撤销后重新核定：应得 {e.decision.amount_yuan} 元，"
                           f"已计 {short} 元，补足 {gap} 元 / decided again after a revocation for cause: "
                           f"earns {e.decision.amount_yuan}, accounted {short}, made good {gap}"}, tier=e.decision.tier)
        made.append(_create(s, key, decision, record.uscc, e.payee, e.payee_type, e.on, event_id, e.certification_id))
    return [a for a in made if a]


# -- facts other departments recorded -----------------------------------------------------------
def on_designation(s: Session, event_id: str, data: ParkDesignated) -> Award | None:
    if s.get(ParkDesignation, data.designation_id) is None:
        s.add(ParkDesignation(designation_id=data.designation_id, park_id=data.park_id,
                              designation=data.designation, designated_on=data.designated_on,
                              source_event_id=event_id))
    if data.designation != "srdi_featured":
        return None
    on = data.designated_on
    try:
        rules.check_not_after(on, clock.today(), "designation")
    except rules.Ineligible as why:
        _refused(s, f"event:{event_id}", "designation", str(data.designation_id), why, park_id=data.park_id)
        return None
    decision = rules.featured_park_award(data.park_id, on, params.in_force(s, on, "award."))
    if decision is None:
        return None
    # One key for the programme: only the first designated park is ever paid.
    return _create(s, "featured_park:first", decision, None, data.park_id, "park", on, event_id)


def on_incubatee_promoted(s: Session, event_id: str, data: IncubateePromoted) -> Award | None:
    """A park's incubated enterprise was promoted (parks' incubatee.promoted.v1): the incubation award
    to the park, by the parameter in force on the recognition date, once per (park, enterprise)."""
    on, tier = data.recognized_on, str(data.to_tier)
    if s.scalars(select(IncubateePromotion.id).where(
            IncubateePromotion.park_id == data.park_id, IncubateePromotion.uscc == data.uscc,
            IncubateePromotion.to_tier == tier)).first() is None:
        s.add(IncubateePromotion(park_id=data.park_id, uscc=data.uscc, to_tier=tier, recognized_on=on,
                                 incubation_id=data.incubation_id, source_event_id=event_id))
    try:
        rules.check_not_after(on, clock.today(), "recognition")
    except rules.Ineligible as why:
        _refused(s, f"event:{event_id}", "incubation", str(data.incubation_id), why, uscc=data.uscc)
        return None
    decision = rules.incubation_award(data.park_id, data.uscc, tier, on, data.incubation_id,
                                      params.in_force(s, on, "award."))
    if decision is None:
        return None
    return _create(s, f"incubation:{data.park_id}:{data.uscc}", decision, data.uscc, data.park_id,
                   "park", on, event_id)


def on_listed(s: Session, event_id: str, data: EnterpriseListed) -> None:
    """The finance office recorded a listing: keep it, the only ground of a listing award."""
    uscc, board = data.uscc.strip().upper(), data.board.strip().lower()
    row = s.scalars(select(Listing).where(Listing.uscc == uscc, Listing.board == board)).first()
    if row is None:
        s.add(Listing(uscc=uscc, board=board, listed_on=data.listed_on, source_event_id=event_id))
    elif data.listed_on < row.listed_on:  # a repeated or corrected event: the earliest listing date stands
        row.listed_on, row.source_event_id = data.listed_on, event_id


# -- the review workflow, with the budget and the ledger ----------------------------------------
def _lock_budget(s: Session, year: int, program: str) -> Budget | None:
    return s.scalars(for_update(s, select(Budget).where(Budget.year == year, Budget.program == program))).first()


def budget_figures(s: Session, year: int, program: str | None = None) -> dict[str, dict]:
    """Per program of a year: allocated, reserved, disbursed, clawed back, remaining (from the ledger)."""
    out: dict[str, dict] = {}
    stmt = select(Budget).where(Budget.year == year)
    if program:
        stmt = stmt.where(Budget.program == program)
    for b in s.scalars(stmt.order_by(Budget.program)):
        out[b.program] = {"program": b.program, "allocated_yuan": b.allocated_yuan, "set_by": b.set_by}
    sums = select(LedgerEntry.program, LedgerEntry.kind, func.sum(LedgerEntry.amount_yuan)).where(
        LedgerEntry.budget_year == year).group_by(LedgerEntry.program, LedgerEntry.kind)
    if program:
        sums = sums.where(LedgerEntry.program == program)
    moved: dict[str, dict[str, int]] = {}
    for prog, kind, total in s.execute(sums):
        moved.setdefault(prog, {})[kind] = int(total or 0)
    for prog in sorted(set(out) | set(moved)):
        m = moved.get(prog, {})
        row = out.setdefault(prog, {"program": prog, "allocated_yuan": 0, "set_by": None})
        row["disbursed_yuan"] = m.get("disbursed", 0)
        row["reserved_yuan"] = m.get("reserved", 0) - m.get("released", 0) - m.get("disbursed", 0)
        row["clawed_back_yuan"] = m.get("clawed_back", 0)
        row["remaining_yuan"] = row["allocated_yuan"] - row["reserved_yuan"] - row["disbursed_yuan"]
    return out


def _reserve(s: Session, award: Award, actor: str, today: dt.date) -> int:
    """Book the reservation of the approval year's budget; the year (set on the award with its state)."""
    year = today.year
    budget = _lock_budget(s, year, award.program)
    if budget is None:
        raise Problem(409, "no-budget", f"{year} 年度 {award.program} 项目尚未设定预算，请财政局先设定预算",
                      f"No {year} budget is set for program {award.program}; the treasury must set it first "
                      f"(PUT /api/v1/budgets/{year}/{award.program})", year=year, program=award.program)
    fig = budget_figures(s, year, award.program)[award.program]
    if award.amount_yuan > fig["remaining_yuan"]:
        raise Problem(409, "budget-exceeded",
                      f"{year} 年度 {award.program} 预算剩余 {fig['remaining_yuan']} 元，不足以批准 {award.amount_yuan} 元",
                      f"The {year} {award.program} budget has {fig['remaining_yuan']} yuan left, "
                      f"less than the {award.amount_yuan} yuan award", year=year, program=award.program,
                      remaining_yuan=fig["remaining_yuan"], amount_yuan=award.amount_yuan)
    book(s, award, "reserved", award.amount_yuan, today, actor, "批准预留预算 / reserved on approval", budget_year=year)
    return year


def voucher_key(voucher: str) -> str:
    """The same voucher however it is typed: trimmed, inner spaces dropped, upper case."""
    return "".join(voucher.split()).upper()


def _spend_voucher(s: Session, award: Award, voucher: str) -> None:
    """A voucher number pays one award: 409 when it paid another already (the table's key holds it
    under concurrent disbursements too)."""
    key = voucher_key(voucher)
    used = s.get(Voucher, key)
    if used is None:
        try:
            with s.begin_nested():
                s.add(Voucher(voucher=key, award_id=award.id))
                s.flush()
            return
        except IntegrityError:
            used = s.get(Voucher, key)
    other = used.award_id if used else None
    raise Problem(409, "voucher-used", f"凭证号 {voucher} 已用于拨付奖励 {other}，一张凭证只能拨付一笔奖励",
                  f"Voucher {voucher} already paid award {other}: one voucher pays one award",
                  voucher=voucher, award_id=other)


def _move(s: Session, award: Award, target: str, actor: str, reason: str | None = None,
          voucher: str | None = None) -> None:
    """The one way an award's state changes: the ledger entries, then the transition row, then the
    state it names (the database refuses a state without its transition, see migration 0006)."""
    before = award.state
    today = clock.today()
    year = None
    if target == "approved":
        year = _reserve(s, award, actor, today)
    elif target == "rejected":
        if before == "approved":
            book(s, award, "released", award.amount_yuan, today, actor, reason, budget_year=award.budget_year)
        book(s, award, "reversed", award.amount_yuan, today, actor, reason)
    elif target == "disbursed":
        _spend_voucher(s, award, voucher)
        book(s, award, "disbursed", award.amount_yuan, today, actor, reason, budget_year=award.budget_year,
             voucher=voucher)
    elif target == "clawed_back":
        book(s, award, "clawed_back", award.amount_yuan, today, actor, reason, budget_year=award.budget_year)
    s.add(AwardTransition(award_id=award.id, from_state=before, to_state=target, actor=actor, reason=reason,
                          voucher=voucher))
    s.flush()
    award.state = target
    if year is not None:
        award.budget_year = year
    s.flush()
    audit.record(s, actor, f"award.{target}", "award", str(award.id), {"state": before},
                 {"state": target, "reason": reason, "voucher": voucher})
    events.changed(s, award)


def transition(s: Session, award_id: int, action: str, role: str, actor: str, reason: str | None = None,
               voucher: str | None = None, scope=lambda stmt: stmt) -> Award:
    award = s.scalars(for_update(s, scope(select(Award).where(Award.id == award_id)))).first()
    if award is None:
        raise not_found("奖励", "Award", str(award_id))
    target = rules.next_state(action, award.state, role)
    if isinstance(target, tuple):
        kind, why = target
        if kind == "forbidden":
            raise Problem(403, "forbidden", f"角色 {role} 无权执行 {action}", why)
        raise Problem(409, "invalid-transition", f"奖励当前状态为 {award.state}，不能执行 {action}", why,
                      state=award.state)
    _move(s, award, target, actor, reason, voucher)
    return award

# -- claims: listing, scenario application, ecosystem contract ----------------------------------
CLAIMS = ("listing", "scenario", "ecosystem")


def _on_field(field: str, code: str, zh: str, en: str) -> list[dict]:
    """API.md: a 422 carries `errors`, the field-level list; a claim's refusal names the claim's fact."""
    return [{"loc": ["body", field], "msg": f"{zh} / {en}", "type": code}]


def _refuse(e: rules.Ineligible, field: str) -> Problem:
    return Problem(e.status, e.code, e.zh, e.en,
                   errors=_on_field(field, e.code, e.zh, e.en) if e.status == 422 else None)


def _not_in_registry(uscc: str, field: str) -> Problem:
    zh, en = f"企业 {uscc} 不在本区企业名录中", f"Enterprise {uscc} is not in the district registry"
    return Problem(422, "not-in-registry", zh, en, errors=_on_field(field, "not-in-registry", zh, en), uscc=uscc)


def claim(s: Session, body, actor: str) -> Award:
    """A claim becomes a computed award against a recorded fact, or a 4xx problem saying why not."""
    if body.program == "listing":
        return claim_listing(s, body.uscc, body.municipal_award_yuan, body.municipal_award_ref, actor)
    contract = s.get(Contract, body.contract_id)
    if contract is None:
        zh = f"外联未记录合同 {body.contract_id}，场景和生态奖励只依据外联记录的合同"
        en = (f"Outreach recorded no contract {body.contract_id}: scenario and ecosystem awards rest only "
              "on contracts outreach recorded")
        raise Problem(422, "contract-unknown", zh, en, errors=_on_field("contract_id", "contract-unknown", zh, en),
                      contract_id=body.contract_id)
    if contract.kind != body.program:
        zh = f"合同 {contract.contract_id} 是 {contract.kind} 合同，不是 {body.program}"
        en = f"Contract {contract.contract_id} is a {contract.kind} contract, not {body.program}"
        raise Problem(422, "program-mismatch", zh, en, errors=_on_field("program", "program-mismatch", zh, en),
                      contract_id=contract.contract_id, kind=contract.kind)
    return raise_contract(s, contract, actor)


def _standing(s: Session, *where) -> Award | None:
    return s.scalars(select(Award).where(*where, Award.state.in_(rules.COUNTED)).order_by(Award.id)).first()


def _next_key(s: Session, base: str, *where) -> str:
    """`base` for the first award; after a rejection (a correction) the next, `base:{n}`."""
    n = s.scalar(select(func.count()).select_from(Award).where(*where))
    return base if not n else f"{base}:{n + 1}"


def _exists(award: Award, what_zh: str, what_en: str) -> Problem:
    return Problem(409, "claim-exists", f"{what_zh}已有奖励（奖励 {award.id}）",
                   f"{what_en} has an award already (award {award.id})", award_id=award.id)


def raise_contract(s: Session, c: Contract, actor: str) -> Award:
    """The one award of a contract outreach recorded, whichever path asks (its event, or a claim
    re-raising it): 409 while one stands. Eligibility from the registry's record on the signing
    date; a scenario's yearly cap per enterprise counts every contract (phase) of the scenario."""
    record = locked_record(s, c.uscc)
    if record is None:
        raise _not_in_registry(c.uscc, "contract_id")
    standing = _standing(s, Award.contract_id == c.contract_id)
    if standing is not None:
        raise _exists(standing, f"合同 {c.contract_id} ", f"Contract {c.contract_id}")
    on = c.signed_on
    inputs = {"contract_id": c.contract_id, "contract_yuan": c.contract_yuan, "signed_on": on.isoformat(),
              "evidence_ref": f"outreach:{c.contract_id}", **({"evidence": c.evidence} if c.evidence else {})}
    tier = rules.tier_on(record.certifications, on)
    in_force = params.in_force(s, on, "award.")
    try:
        rules.check_not_after(on, clock.today(), "contract")
        if c.kind == "scenario":
            rules.check_chosen(c.scenario_id, c.proposal_id)
            inputs |= {"scenario_id": c.scenario_id, "proposal_id": c.proposal_id}
            already = sum(a.amount_yuan for a in s.scalars(select(Award).where(
                Award.uscc == c.uscc, Award.program == "scenario", Award.state.in_(rules.COUNTED)))
                if a.decided_on.year == on.year and str(a.basis.get("inputs", {}).get("scenario_id")) == str(c.scenario_id))
            decision = rules.scenario_award(tier, c.contract_yuan, on, already, in_force, inputs)
        else:
            if c.buyer_uscc == c.uscc:
                raise rules.Ineligible("same-party", "采购方与供应方是同一企业", "The buyer is the supplier itself")
            inputs |= {"buyer_uscc": c.buyer_uscc}
            buyer = c.buyer_uscc is not None and projection.record_of(s, c.buyer_uscc) is not None
            decision = rules.ecosystem_award(tier, c.contract_yuan, on, buyer, in_force, inputs)
    except rules.Ineligible as why:
        raise _refuse(why, "contract_id") from None
    key = _next_key(s, f"{c.kind}:contract:{c.contract_id}", Award.contract_id == c.contract_id)
    award = _create(s, key, decision, c.uscc, c.uscc, "enterprise", on, c.source_event_id, actor=actor,
                    contract_id=c.contract_id)
    audit.record(s, actor, "award.claimed", "award", str(award.id), None,
                 {"program": award.program, "amount_yuan": award.amount_yuan, "inputs": decision.basis["inputs"]})
    return award


def claim_listing(s: Session, uscc: str, municipal_award_yuan: int, municipal_award_ref: str, actor: str) -> Award:
    """The listing award, only for a listing the finance office recorded (its earliest listing: board
    and date from that record), matching the municipal award whose document is cited. One standing
    listing award per enterprise; after a rejection a corrected claim may be made."""
    record = locked_record(s, uscc)
    if record is None:
        raise _not_in_registry(uscc, "uscc")
    listing = s.scalars(select(Listing).where(Listing.uscc == uscc)
                        .order_by(Listing.listed_on, Listing.id)).first()
    if listing is None:
        zh = "金融办未记录该企业上市，上市奖励只依据金融办的上市记录"
        en = "The financial office recorded no listing of this enterprise: a listing award rests only on its record"
        raise Problem(422, "listing-unknown", zh, en, errors=_on_field("uscc", "listing-unknown", zh, en), uscc=uscc)
    standing = _standing(s, Award.program == "listing", Award.uscc == uscc)
    if standing is not None:
        raise _exists(standing, "该企业", "The enterprise")
    on = listing.listed_on
    inputs = {"board": listing.board, "listed_on": on.isoformat(), "listing_id": listing.id,
              "listing_source": "finance_office", "municipal_award_yuan": municipal_award_yuan,
              "municipal_award_ref": municipal_award_ref}
    try:
        rules.check_not_after(on, clock.today(), "listing")
        decision = rules.listing_award(rules.tier_on(record.certifications, on), listing.board, on,
                                       municipal_award_yuan, params.in_force(s, on, "award."), inputs)
    except rules.Ineligible as why:
        raise _refuse(why, "uscc") from None
    key = _next_key(s, f"listing:{uscc}", Award.program == "listing", Award.uscc == uscc)
    award = _create(s, key, decision, uscc, uscc, "enterprise", on, listing.source_event_id, actor=actor)
    audit.record(s, actor, "award.claimed", "award", str(award.id), None,
                 {"program": award.program, "amount_yuan": award.amount_yuan, "inputs": decision.basis["inputs"]})
    return award


CONTRACT_FACTS = ("kind", "uscc", "buyer_uscc", "scenario_id", "proposal_id", "contract_yuan", "signed_on", "evidence")


def on_contract_signed(s: Session, event_id: str, data: ContractSigned) -> Award | None:
    """A contract signed in outreach: recorded (keyed by its id), and its award raised. A repeated
    event finds the award standing and pays nothing; a corrected one (new facts) replaces the
    record while no award stands on it. An ineligible contract is recorded in the audit log with
    the reason and pays nothing (not an error to retry; `POST /claims` re-raises it later)."""
    facts = {"kind": data.kind, "uscc": data.uscc, "buyer_uscc": data.buyer_uscc, "scenario_id": data.scenario_id,
             "proposal_id": data.proposal_id, "contract_yuan": data.contract_yuan, "signed_on": data.signed_on,
             "evidence": (data.evidence or "")[:200] or None}
    c = s.get(Contract, data.contract_id)
    if c is None:
        c = Contract(contract_id=data.contract_id, source_event_id=event_id, **facts)
        s.add(c)
        s.flush()
    elif any(getattr(c, k) != v for k, v in facts.items()):
        if _standing(s, Award.contract_id == c.contract_id) is None:
            for k, v in facts.items():
                setattr(c, k, v)
            c.source_event_id = event_id
        else:
            audit.record(s, f"event:{event_id}", "contract.change_ignored", "contract", str(c.contract_id), None,
                         {"reason": "an award stands on the contract as first recorded"})
    try:
        with s.begin_nested():  # a refused claim leaves nothing behind but the audit line below
            return raise_contract(s, c, f"event:{event_id}")
    except Problem as why:
        if why.code != "claim-exists":
            _refused(s, f"event:{event_id}", "contract", str(c.contract_id), why, kind=c.kind, uscc=c.uscc)
        return None


# -- budgets ---------------------------------------------------------------------------------------
def set_budget(s: Session, year: int, program: str, allocated: int, actor: str) -> dict:
    b = _lock_budget(s, year, program)
    fig = budget_figures(s, year, program).get(program, {"reserved_yuan": 0, "disbursed_yuan": 0})
    committed = fig["reserved_yuan"] + fig["disbursed_yuan"]
    if allocated < committed:
        raise Problem(409, "below-committed", f"预算 {allocated} 元低于已预留和已支付的 {committed} 元",
                      f"An allocation of {allocated} yuan is below the {committed} yuan already reserved or paid",
                      committed_yuan=committed)
    before = {"allocated_yuan": b.allocated_yuan} if b else None
    if b is None:
        b = Budget(year=year, program=program, allocated_yuan=allocated, set_by=actor)
        s.add(b)
    else:
        b.allocated_yuan, b.set_by = allocated, actor
    s.flush()
    audit.record(s, actor, "budget.set", "budget", f"{year}/{program}", before, {"allocated_yuan": allocated})
    return budget_figures(s, year, program)[program]


# -- the ledger ------------------------------------------------------------------------------------
KINDS_ZH = {"awarded": "奖励核定", "top_up": "晋级补差", "reserved": "预算预留", "released": "预算释放",
            "disbursed": "拨付", "reversed": "冲销（未付驳回）", "clawed_back": "追回"}
PROGRAMS_ZH = {"tier": "层级奖励", "relocation": "入区奖励", "introducer": "中介奖励", "listing": "上市奖励",
               "scenario": "应用场景奖励", "ecosystem": "产业生态奖励", "featured_park": "特色园区奖励",
               "incubation": "园区孵化奖励"}


def entry_dict(x: LedgerEntry) -> dict:
    return {"id": x.id, "kind": x.kind, "award_id": x.award_id, "program": x.program, "uscc": x.uscc,
            "payee": x.payee, "payee_type": x.payee_type, "amount_yuan": x.amount_yuan,
            "booked_on": x.booked_on.isoformat(), "budget_year": x.budget_year, "voucher": x.voucher,
            "actor": x.actor, "note": x.note, "at": x.at.isoformat() + "Z"}


def year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


LEDGER_HEADER = ["序号", "记账日期", "类型", "奖励编号", "项目", "统一社会信用代码", "收款方", "收款方类型",
                 "金额（元）", "预算年度", "凭证号", "经办", "说明"]
DISBURSEMENT_HEADER = ["序号", "拨付日期", "奖励编号", "项目", "层级", "统一社会信用代码", "收款方", "收款方类型",
                       "金额（元）", "凭证号", "经办"]


def ledger_rows(s: Session, year: int, scope=lambda stmt: stmt) -> list[list]:
    a, b = year_range(year)
    return [[x.id, x.booked_on.isoformat(), KINDS_ZH.get(x.kind, x.kind), x.award_id,
             PROGRAMS_ZH.get(x.program, x.program), x.uscc or "", x.payee, x.payee_type, x.amount_yuan,
             x.budget_year or "", x.voucher or "", x.actor, x.note or ""]
            for x in s.scalars(scope(select(LedgerEntry).where(LedgerEntry.booked_on.between(a, b))
                                     .order_by(LedgerEntry.id)))]


def disbursement_rows(s: Session, year: int, scope=lambda stmt: stmt) -> list[list]:
    a, b = year_range(year)
    stmt = (select(LedgerEntry, Award.tier).join(Award, Award.id == LedgerEntry.award_id)
            .where(LedgerEntry.kind == "disbursed", LedgerEntry.booked_on.between(a, b)).order_by(LedgerEntry.id))
    return [[n, x.booked_on.isoformat(), x.award_id, PROGRAMS_ZH.get(x.program, x.program), tier or "",
             x.uscc or "", x.payee, x.payee_type, x.amount_yuan, x.voucher or "", x.actor]
            for n, (x, tier) in enumerate(s.execute(scope(stmt)), 1)]


def to_csv(header: list[str], rows: list[list]) -> bytes:
    import csv
    import io
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows([safe_cell(v) for v in r] for r in rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: spreadsheet programs then read Chinese right


def to_xlsx(title: str, header: list[str], rows: list[list]) -> bytes:
    import io

    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.append(header)
    for r in rows:
        ws.append([safe_cell(v) for v in r])  # openpyxl would write "=…" as a live formula
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- what-if ---------------------------------------------------------------------------------------
def parameter_set(name: str) -> dict[str, rules.Param]:
    import json
    from pathlib import Path
    path = Path(__file__).parent / "parameter_sets" / f"{name}.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    frm = dt.date.fromisoformat(doc["effective_from"])
    return {k: params.Param(0, k, v["value"], frm, v["legal_ref"]) for k, v in doc["parameters"].items()}


PARAMETER_SETS = ("seed_proposal", "fangshan_2025")
COSTED = ("tier", "relocation", "introducer", "scenario", "ecosystem", "listing", "featured_park", "incubation")


def history(s: Session) -> dict:
    """What a replay needs, from the facts held: every enterprise's record (certifications revoked for
    cause left out, the tier on a claim's date read from it), the contracts outreach recorded, the
    listings the finance office recorded with the municipal award claimed against them, the parks'
    designations and incubatees' promotions; and what cannot be costed, with why."""
    recs = projection.records(s)
    promotions = [rules.Promotion(r.uscc, c.id, str(c.tier), c.recognized_on, rules.first_time_at(r.certifications, c))
                  for r in recs.values() for c in rules.sound(r.certifications)]
    facts = {u: {"relocated_on": r.relocated_on, "relocated_from": r.relocated_from,
                 "relocated_from_code": r.relocated_from_code, "introducer": r.introducer} for u, r in recs.items()}

    def tier(uscc: str, on: dt.date) -> str:
        r = recs.get(uscc)
        return rules.tier_on(r.certifications, on) if r else "sme"
    claims = [rules.Claim(c.uscc, c.kind, c.signed_on,
                          {"contract_id": c.contract_id, "contract_yuan": c.contract_yuan, "scenario_id": c.scenario_id,
                           "proposal_id": c.proposal_id, "buyer_uscc": c.buyer_uscc},
                          tier=tier(c.uscc, c.signed_on),
                          buyer_in_district=bool(c.buyer_uscc) and c.buyer_uscc in recs and c.buyer_uscc != c.uscc)
              for c in s.scalars(select(Contract).order_by(Contract.contract_id))]
    left_out = []
    # Listings: the municipal award's amount is econ's claim, not the finance office's record.
    listings: dict[str, Listing] = {}
    for x in s.scalars(select(Listing).order_by(Listing.listed_on, Listing.id)):
        listings.setdefault(x.uscc, x)
    municipal: dict[str, int] = {}
    for a in s.scalars(select(Award).where(Award.program == "listing", Award.state.in_(rules.COUNTED))
                       .order_by(Award.id)):
        if "municipal_award_yuan" in a.basis.get("inputs", {}):
            municipal[a.uscc] = int(a.basis["inputs"]["municipal_award_yuan"])
    unclaimed = []
    for uscc, x in listings.items():
        if uscc in municipal:
            claims.append(rules.Claim(uscc, "listing", x.listed_on,
                                      {"board": x.board, "municipal_award_yuan": municipal[uscc]},
                                      tier=tier(uscc, x.listed_on)))
        else:
            unclaimed.append(uscc)
    if unclaimed:
        left_out.append({
            "program": "listing", "usccs": sorted(unclaimed), "count": len(unclaimed),
            "reason_zh": "金融办已记录上市，但尚无上市奖励申领：市级奖励金额未知，无法测算配套",
            "reason_en": "listings the finance office recorded with no listing claim yet: the municipal award's "
                         "amount is unknown, so its match cannot be costed"})
    unrecorded = sorted({a.uscc for a in s.scalars(select(Award).where(Award.program == "listing",
                                                                       Award.state.in_(rules.COUNTED)))
                         if a.uscc not in listings})
    if unrecorded:
        left_out.append({
            "program": "listing", "usccs": unrecorded, "count": len(unrecorded),
            "reason_zh": "早期按申领录入的上市奖励，金融办无上市记录：不予测算",
            "reason_en": "listing awards claimed before listings had to be the finance office's record, with no "
                         "such record: not costed"})
    designations = [rules.Designation(d.park_id, d.designation, d.designated_on)
                    for d in s.scalars(select(ParkDesignation))]
    incubations = [rules.Incubation(n.park_id, n.uscc, n.to_tier, n.recognized_on, n.incubation_id)
                   for n in s.scalars(select(IncubateePromotion))]
    return {"promotions": promotions, "facts": facts, "claims": claims, "designations": designations,
            "incubations": incubations, "left_out": left_out}


def simulate(s: Session, set_name: str, overrides: dict, start: dt.date, end: dt.date, actor: str) -> dict:
    proposed = parameter_set(set_name)
    for k, v in overrides.items():
        why = rules.parameter_error(k, v)
        if why:
            raise field_error("parameters", f"{k}：{why}", f"{k}: {why}")
        proposed[k] = params.Param(0, k, v, start, "what-if override")
    h = history(s)
    cache: dict[dt.date, dict] = {}

    def in_force(on: dt.date) -> dict:
        if on not in cache:
            cache[on] = params.in_force(s, on, "award.")
        return cache[on]

    def run(params_on):
        return rules.cost(rules.replay(h["promotions"], h["facts"], h["claims"], params_on, start, end,
                                       h["designations"], h["incubations"]))
    p_cost, f_cost = run(lambda _on: proposed), run(in_force)
    programs = sorted(set(p_cost["by_program"]) | set(f_cost["by_program"]))
    payees = sorted(set(p_cost["by_enterprise"]) | set(f_cost["by_enterprise"]))
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat()}, "parameter_set": set_name,
        "parameters": [p.cite() for p in proposed.values()],
        "proposed": p_cost, "in_force": f_cost,
        "difference": {"total_yuan": p_cost["total_yuan"] - f_cost["total_yuan"],
                       "by_program": {p: p_cost["by_program"].get(p, 0) - f_cost["by_program"].get(p, 0)
                                      for p in programs},
                       "by_enterprise": {u: p_cost["by_enterprise"].get(u, 0) - f_cost["by_enterprise"].get(u, 0)
                                         for u in payees}},
        "programs": list(COSTED), "left_out": h["left_out"],
        "note": "在途与已付奖励不受影响；仅为测算 / a costing only: no award is changed"}


def award_dict(a: Award, history: list[AwardTransition] | None = None) -> dict:
    doc = {"id": a.id, "uscc": a.uscc, "program": a.program, "tier": a.tier, "amount_yuan": a.amount_yuan,
           "state": a.state, "payee": a.payee, "payee_type": a.payee_type, "decided_on": a.decided_on.isoformat(),
           "certification_id": a.certification_id, "contract_id": a.contract_id, "budget_year": a.budget_year,
           "basis": a.basis,
           "created_at": a.created_at.isoformat() + "Z"}
    if history is not None:
        doc["history"] = [{"from_state": t.from_state, "to_state": t.to_state, "actor": t.actor,
                           "reason": t.reason, "voucher": t.voucher, "at": t.at.isoformat() + "Z"}
                          for t in history]
    return doc


def history_of(s: Session, award_id: int) -> list[AwardTransition]:
    return list(s.scalars(select(AwardTransition).where(AwardTransition.award_id == award_id)
                          .order_by(AwardTransition.id)))


def totals(s: Session, uscc: str) -> dict:
    by_program: dict[str, int] = {}
    for program, amount in s.execute(select(Award.program, Award.amount_yuan)
                                      .where(Award.uscc == uscc, Award.payee_type == "enterprise",
                                             Award.state.in_(rules.COUNTED))):
        by_program[program] = by_program.get(program, 0) + amount
    return {"uscc": uscc, "total_yuan": sum(by_program.values()), "by_program": by_program}
