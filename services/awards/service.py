"""Awards use cases. They write through the caller's session and never commit."""
from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.awards import events, rules
from services.awards.models import Award, AwardTransition, Budget, Certification, Enterprise, LedgerEntry, Listing
from services.awards.schemas import EcosystemClaim, ScenarioClaim
from shared import audit, clock, params
from shared.db import for_update
from shared.errors import Problem, field_error, not_found
from shared.sheets import safe_cell


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def upsert_enterprise(s: Session, data: dict) -> Enterprise:
    """Keep the registry's facts, and lock the row: one enterprise's awards are decided one at a time."""
    e = s.scalars(for_update(s, select(Enterprise).where(Enterprise.uscc == data["uscc"]))).first()
    if e is None:
        e = Enterprise(uscc=data["uscc"], name=data.get("name") or data["uscc"])
        s.add(e)
    for name in ("name", "park_id", "relocated_from", "introducer"):
        if name in data:
            setattr(e, name, data[name])
    if "relocated_on" in data:
        e.relocated_on = _date(data["relocated_on"])
    s.flush()
    return e


def _create(s: Session, key: str, decision: rules.Decision, uscc: str | None, payee: str, payee_type: str,
            decided_on: dt.date, event_id: str, certification_id: int | None = None,
            actor: str | None = None) -> Award | None:
    if s.scalars(select(Award.id).where(Award.award_key == key)).first() is not None:
        return None  # paid once already: never twice, whatever event asks again
    award = Award(award_key=key, program=decision.program, uscc=uscc, payee=payee, payee_type=payee_type,
                  tier=decision.tier, amount_yuan=decision.amount_yuan, state="computed",
                  basis={**decision.basis, "event_id": event_id}, decided_on=decided_on,
                  certification_id=certification_id, source_event_id=event_id)
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


# -- the registry projection: enterprises and their certifications ----------------------------
def _cert_row(s: Session, cert_id: int, uscc: str) -> Certification:
    c = s.get(Certification, cert_id)
    if c is None:
        c = Certification(certification_id=cert_id, uscc=uscc, revoked_for_cause=False)
        s.add(c)
    return c


def on_registered(s: Session, event_id: str, data: dict) -> None:
    upsert_enterprise(s, data)


def on_demoted(s: Session, event_id: str, data: dict) -> None:
    """A demotion by revocation ends the certification on its date (expiry is known already)."""
    upsert_enterprise(s, {"uscc": data["uscc"], **({"name": data["name"]} if data.get("name") else {})})
    if data.get("reason") == "revoked" and data.get("certification_id") is not None and data.get("on"):
        c = _cert_row(s, int(data["certification_id"]), data["uscc"])
        on = dt.date.fromisoformat(data["on"])
        c.ended_on = min(c.ended_on, on) if c.ended_on else on


def certs_of(s: Session, uscc: str, sound_only: bool = False) -> list[rules.Cert]:
    """The enterprise's certifications; `sound_only` leaves out those revoked for cause (a title
    obtained improperly makes nothing eligible, not even before its revocation date)."""
    stmt = select(Certification).where(Certification.uscc == uscc, Certification.tier.is_not(None),
                                       Certification.recognized_on.is_not(None))
    if sound_only:
        stmt = stmt.where(Certification.revoked_for_cause.is_(False))
    return [rules.Cert(c.certification_id, c.tier, c.recognized_on, c.expires_on, c.ended_on)
            for c in s.scalars(stmt)]


def on_promotion(s: Session, event_id: str, data: dict) -> list[Award]:
    e = upsert_enterprise(s, data)
    on = dt.date.fromisoformat(data["recognized_on"])
    cert_id = data.get("certification_id")
    times_before = 0
    if cert_id is not None:
        c = _cert_row(s, int(cert_id), e.uscc)
        c.tier, c.recognized_on = data["to_tier"], on
        c.expires_on = _date(data.get("expires_on"))
        c.first_time_at_tier = bool(data.get("first_time_at_tier", True))
        s.flush()
        times_before = sum(1 for x in certs_of(s, e.uscc)
                           if x.tier == c.tier and x.recognized_on < on and x.id != c.certification_id)
        if c.revoked_for_cause:
            return []  # the revocation arrived first: nothing to award for a certification revoked for cause
    rows = params.in_force(s, on, "award.")
    earlier, renewals = [], []
    for a in s.scalars(select(Award).where(Award.uscc == e.uscc, Award.program == "tier",
                                           Award.state.in_(rules.COUNTED)).order_by(Award.id)):
        (renewals if a.award_key.startswith("tier_renewal:") else earlier).append((a.id, a.tier, a.amount_yuan))
    facts = rules.Facts(uscc=e.uscc, to_tier=data["to_tier"], recognized_on=on,
                        first_time_at_tier=bool(data.get("first_time_at_tier", True)),
                        relocated_on=e.relocated_on, relocated_from=e.relocated_from,
                        introducer=e.introducer, earlier_tier_awards=earlier)
    made = []
    tier = rules.tier_award(facts, rows)
    if tier:
        made.append(_create(s, f"tier:{e.uscc}:{facts.to_tier}", tier, e.uscc, e.uscc, "enterprise", on,
                            event_id, cert_id))
    renewal = rules.renewal_award(facts, times_before, renewals, rows)
    if renewal:
        made.append(_create(s, f"tier_renewal:{e.uscc}:{facts.to_tier}", renewal, e.uscc, e.uscc, "enterprise",
                            on, event_id, cert_id))
    relocation = rules.relocation_award(facts, rows)
    if relocation:
        made.append(_create(s, f"relocation:{e.uscc}", relocation, e.uscc, e.uscc, "enterprise", on,
                            event_id, cert_id))
    introducer = rules.introducer_award(facts, relocation, rows)
    if introducer:
        made.append(_create(s, f"introducer:{e.uscc}", introducer, e.uscc, e.introducer, "intermediary", on,
                            event_id, cert_id))
    return [a for a in made if a]


def on_designation(s: Session, event_id: str, data: dict) -> Award | None:
    if data.get("designation") != "srdi_featured":
        return None
    on = dt.date.fromisoformat(data["designated_on"])
    decision = rules.featured_park_award(data["park_id"], on, params.in_force(s, on, "award."))
    if decision is None:
        return None
    # One key for the programme: only the first designated park is ever paid.
    return _create(s, "featured_park:first", decision, None, data["park_id"], "park", on, event_id)


def on_incubatee_promoted(s: Session, event_id: str, data: dict) -> Award | None:
    """A park's incubated enterprise was promoted (parks' incubatee.promoted.v1): the incubation award
    to the park, by the parameter in force on the recognition date, once per (park, enterprise)."""
    on = dt.date.fromisoformat(data["recognized_on"])
    decision = rules.incubation_award(data["park_id"], data["uscc"], data["to_tier"], on,
                                      data.get("incubation_id"), params.in_force(s, on, "award."))
    if decision is None:
        return None
    return _create(s, f"incubation:{data['park_id']}:{data['uscc']}", decision, data["uscc"], data["park_id"],
                   "park", on, event_id)


def on_listed(s: Session, event_id: str, data: dict) -> None:
    """The finance office recorded a listing: keep it, so a listing claim is checked against it."""
    uscc, board = str(data["uscc"]).strip().upper(), str(data["board"]).strip().lower()
    on = dt.date.fromisoformat(data["listed_on"])
    row = s.scalars(select(Listing).where(Listing.uscc == uscc, Listing.board == board)).first()
    if row is None:
        s.add(Listing(uscc=uscc, board=board, listed_on=on, source_event_id=event_id))
    elif on < row.listed_on:  # a repeated or corrected event: the earliest listing date stands
        row.listed_on, row.source_event_id = on, event_id


def on_revocation(s: Session, event_id: str, data: dict) -> list[Award]:
    """A certification revoked for cause takes back what depended on it: unpaid awards are rejected,
    paid ones clawed back (a new state entry; the amount record is never edited)."""
    c = _cert_row(s, int(data["certification_id"]), data["uscc"])
    if data.get("tier") and c.tier is None:
        c.tier = data["tier"]
    if data.get("revoked_on"):
        on = dt.date.fromisoformat(data["revoked_on"])
        c.ended_on = min(c.ended_on, on) if c.ended_on else on
    if not data.get("for_cause"):
        return []
    c.revoked_for_cause = True
    changed = []
    for award in s.scalars(select(Award).where(Award.certification_id == data["certification_id"],
                                               Award.uscc == data["uscc"]).order_by(Award.id)):
        target = {"disbursed": "clawed_back", "computed": "rejected", "reviewed": "rejected",
                  "approved": "rejected"}.get(award.state)
        if target:
            _move(s, award, target, f"event:{event_id}", f"认定撤销（{data.get('reason')}）/ certification revoked for cause")
            changed.append(award)
    if c.tier is not None and c.recognized_on is not None:
        changed += recheck_claims(s, data["uscc"], c, event_id, data.get("reason"))
    if changed:
        reassess(s, data["uscc"], event_id)
    return changed


def recheck_claims(s: Session, uscc: str, revoked: Certification, event_id: str, reason: str | None) -> list[Award]:
    """Claim awards (listing, scenario, ecosystem) depended on the tier held on the claim's date: after a
    revocation for cause, those the revoked certification made eligible (eligible with it, not without
    it) are rejected (unpaid) or clawed back (paid). A claim another certification still covers stands,
    and so does one that fails for another reason (a floor raised since): this revocation is not why."""
    without = certs_of(s, uscc, sound_only=True)
    with_it = [*without, rules.Cert(revoked.certification_id, revoked.tier, revoked.recognized_on, revoked.expires_on)]
    changed = []
    for award in s.scalars(select(Award).where(Award.uscc == uscc, Award.program.in_(CLAIMS),
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


def reassess(s: Session, uscc: str, event_id: str) -> list[Award]:
    """After awards are taken back, decide again from the certifications still held, in date order:
    a lower tier that earned nothing because a (now revoked) higher award covered it earns its own
    award now. The natural keys keep this idempotent, so the result does not depend on the order
    in which the events arrived."""
    made = []
    for c in sorted(s.scalars(select(Certification).where(
            Certification.uscc == uscc, Certification.tier.is_not(None), Certification.recognized_on.is_not(None),
            Certification.revoked_for_cause.is_(False))), key=lambda c: (c.recognized_on, c.certification_id)):
        made += on_promotion(s, event_id, {
            "uscc": uscc, "to_tier": c.tier, "certification_id": c.certification_id,
            "recognized_on": c.recognized_on.isoformat(), "expires_on": c.expires_on and c.expires_on.isoformat(),
            "first_time_at_tier": True if c.first_time_at_tier is None else c.first_time_at_tier})
    return made


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


def _reserve(s: Session, award: Award, actor: str, today: dt.date) -> None:
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
    award.budget_year = year
    book(s, award, "reserved", award.amount_yuan, today, actor, "批准预留预算 / reserved on approval", budget_year=year)


def _move(s: Session, award: Award, target: str, actor: str, reason: str | None = None,
          voucher: str | None = None) -> None:
    before = award.state
    today = clock.today()
    if target == "approved":
        _reserve(s, award, actor, today)
    elif target == "rejected":
        if before == "approved":
            book(s, award, "released", award.amount_yuan, today, actor, reason, budget_year=award.budget_year)
        book(s, award, "reversed", award.amount_yuan, today, actor, reason)
    elif target == "disbursed":
        book(s, award, "disbursed", award.amount_yuan, today, actor, reason, budget_year=award.budget_year,
             voucher=voucher)
    elif target == "clawed_back":
        book(s, award, "clawed_back", award.amount_yuan, today, actor, reason, budget_year=award.budget_year)
    award.state = target
    s.add(AwardTransition(award_id=award.id, from_state=before, to_state=target, actor=actor, reason=reason,
                          voucher=voucher))
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


def _digest(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:24]


def _refuse(e: rules.Ineligible) -> Problem:
    return Problem(e.status, e.code, e.zh, e.en)


def claim(s: Session, body, actor: str) -> Award:
    """A claim becomes a computed award, or a 4xx problem saying why it may not."""
    e = s.scalars(for_update(s, select(Enterprise).where(Enterprise.uscc == body.uscc))).first()
    if e is None:
        raise Problem(422, "not-in-registry", f"企业 {body.uscc} 不在本区企业名录中",
                      f"Enterprise {body.uscc} is not in the district registry", uscc=body.uscc)
    certs = certs_of(s, e.uscc, sound_only=True)
    evidence = {"evidence_ref": body.evidence_ref} if body.evidence_ref else {}
    try:
        if body.program == "scenario":
            on = body.signed_on
            key = f"scenario:{e.uscc}:{_digest(body.scenario_id, on, body.contract_yuan, body.evidence_ref)}"
            _not_claimed(s, key)
            already = sum(a.amount_yuan for a in s.scalars(select(Award).where(
                Award.uscc == e.uscc, Award.program == "scenario", Award.state.in_(rules.COUNTED)))
                if a.decided_on.year == on.year and a.basis.get("inputs", {}).get("scenario_id") == body.scenario_id)
            inputs = {"scenario_id": body.scenario_id, "contract_yuan": body.contract_yuan,
                      "signed_on": on.isoformat(), **evidence}
            decision = rules.scenario_award(rules.tier_on(certs, on), body.contract_yuan, on, already,
                                            params.in_force(s, on, "award."), inputs)
        elif body.program == "ecosystem":
            on = body.signed_on
            if body.buyer_uscc == e.uscc:
                raise field_error("buyer_uscc", "采购方与供应方不能是同一企业", "the buyer must differ from the supplier")
            key = f"ecosystem:{e.uscc}:{_digest(body.buyer_uscc, on, body.contract_yuan, body.evidence_ref)}"
            _not_claimed(s, key)
            buyer = s.get(Enterprise, body.buyer_uscc) is not None
            inputs = {"buyer_uscc": body.buyer_uscc, "contract_yuan": body.contract_yuan,
                      "signed_on": on.isoformat(), **evidence}
            decision = rules.ecosystem_award(rules.tier_on(certs, on), body.contract_yuan, on, buyer,
                                             params.in_force(s, on, "award."), inputs)
        else:
            key = _listing_key(s, e.uscc)
            board, on, source = _listing_facts(s, e.uscc, body)
            inputs = {"board": board, "listed_on": on.isoformat(), "municipal_award_yuan": body.municipal_award_yuan,
                      "listing_source": source, **evidence}
            decision = rules.listing_award(rules.tier_on(certs, on), board, on, body.municipal_award_yuan,
                                           params.in_force(s, on, "award."), inputs)
    except rules.Ineligible as why:
        raise _refuse(why) from None
    award = _create(s, key, decision, e.uscc, e.uscc, "enterprise", on, str(uuid.uuid4()), actor=actor)
    audit.record(s, actor, "award.claimed", "award", str(award.id), None,
                 {"program": award.program, "amount_yuan": award.amount_yuan, "inputs": decision.basis["inputs"]})
    return award


def on_contract_signed(s: Session, event_id: str, data: dict) -> Award | None:
    """A contract signed in outreach raises its scenario or ecosystem claim, with no re-typing.
    The claim's natural key makes a repeated event a no-op; an ineligible contract is recorded in
    the audit log with the reason and pays nothing (it is not an error to retry)."""
    fields = {"uscc": data["uscc"], "contract_yuan": data["contract_yuan"], "signed_on": data["signed_on"],
              "evidence_ref": f"outreach:{data['contract_id']}"}
    if data.get("kind") == "scenario":
        body = ScenarioClaim(program="scenario", scenario_id=str(data["scenario_id"]), **fields)
    else:
        body = EcosystemClaim(program="ecosystem", buyer_uscc=data["buyer_uscc"], **fields)
    try:
        with s.begin_nested():  # a refused claim leaves nothing behind but the audit line below
            return claim(s, body, f"event:{event_id}")
    except Problem as why:
        audit.record(s, f"event:{event_id}", "award.claim_refused", "contract", str(data["contract_id"]), None,
                     {"kind": data.get("kind"), "uscc": data["uscc"], "status": why.status, "code": why.code,
                      "reason": why.en})
        return None


def _not_claimed(s: Session, key: str) -> None:
    existing = s.scalars(select(Award).where(Award.award_key == key)).first()
    if existing is not None:
        raise Problem(409, "claim-exists", f"该申领已存在（奖励 {existing.id}）",
                      f"This claim exists already (award {existing.id})", award_id=existing.id)


def _listing_key(s: Session, uscc: str) -> str:
    """One listing award per enterprise: 409 while one stands (not rejected or clawed back). After a
    rejection (a correction) the enterprise may claim again, under the next key."""
    rows = list(s.scalars(select(Award).where(Award.program == "listing", Award.uscc == uscc).order_by(Award.id)))
    standing = [a for a in rows if a.state in rules.COUNTED]
    if standing:
        raise Problem(409, "claim-exists", f"该企业已有上市奖励（奖励 {standing[0].id}）",
                      f"The enterprise has a listing award already (award {standing[0].id})", award_id=standing[0].id)
    return f"listing:{uscc}" if not rows else f"listing:{uscc}:{len(rows) + 1}"


def _listing_facts(s: Session, uscc: str, body) -> tuple[str, dt.date, str]:
    """Board and date of a listing: the finance office's record when there is one, else the claim's."""
    recorded = list(s.scalars(select(Listing).where(Listing.uscc == uscc).order_by(Listing.listed_on)))
    match = [r for r in recorded if body.board in (None, r.board)]
    if match:
        r = match[0]
        if body.listed_on is not None and body.listed_on != r.listed_on:
            raise Problem(422, "listing-mismatch",
                          f"金融办记录的上市日期为 {r.listed_on}（{r.board}），与申领的 {body.listed_on} 不符",
                          f"The financial office recorded the listing on {r.listed_on} ({r.board}), "
                          f"not {body.listed_on}", recorded={"board": r.board, "listed_on": r.listed_on.isoformat()})
        return r.board, r.listed_on, "finance_office"
    if body.board is None or body.listed_on is None:
        raise Problem(422, "listing-unknown", "金融办未记录该企业上市，请提供上市板块和上市日期",
                      "The financial office recorded no listing for this enterprise; give board and listed_on")
    return body.board, body.listed_on, "claim"


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


def history(s: Session) -> tuple[list[rules.Promotion], dict[str, dict], list[rules.Claim]]:
    """What a replay needs: the promotions held (revoked for cause excluded), enterprise facts, claims."""
    promotions = [rules.Promotion(c.uscc, c.certification_id, c.tier, c.recognized_on,
                                  True if c.first_time_at_tier is None else c.first_time_at_tier)
                  for c in s.scalars(select(Certification).where(Certification.tier.is_not(None),
                                                                 Certification.recognized_on.is_not(None),
                                                                 Certification.revoked_for_cause.is_(False)))]
    facts = {e.uscc: {"relocated_on": e.relocated_on, "relocated_from": e.relocated_from,
                      "introducer": e.introducer} for e in s.scalars(select(Enterprise))}
    claims = [rules.Claim(a.uscc, a.program, a.decided_on, a.basis.get("inputs", {}))
              for a in s.scalars(select(Award).where(Award.program.in_(CLAIMS), Award.state.in_(rules.COUNTED))
                                 .order_by(Award.id))]
    return promotions, facts, claims


def simulate(s: Session, set_name: str, overrides: dict, start: dt.date, end: dt.date, actor: str) -> dict:
    proposed = parameter_set(set_name)
    for k, v in overrides.items():
        why = rules.parameter_error(k, v)
        if why:
            raise field_error("parameters", f"{k}：{why}", f"{k}: {why}")
        proposed[k] = params.Param(0, k, v, start, "what-if override")
    promotions, facts, claims = history(s)
    cache: dict[dt.date, dict] = {}

    def in_force(on: dt.date) -> dict:
        if on not in cache:
            cache[on] = params.in_force(s, on, "award.")
        return cache[on]
    p_cost = rules.cost(rules.replay(promotions, facts, claims, lambda _on: proposed, start, end))
    f_cost = rules.cost(rules.replay(promotions, facts, claims, in_force, start, end))
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
        "note": "在途与已付奖励不受影响；仅为测算 / a costing only: no award is changed"}


def award_dict(a: Award, history: list[AwardTransition] | None = None) -> dict:
    doc = {"id": a.id, "uscc": a.uscc, "program": a.program, "tier": a.tier, "amount_yuan": a.amount_yuan,
           "state": a.state, "payee": a.payee, "payee_type": a.payee_type, "decided_on": a.decided_on.isoformat(),
           "certification_id": a.certification_id, "budget_year": a.budget_year, "basis": a.basis,
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
