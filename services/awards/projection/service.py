"""Projection use cases: the registry's enterprises are its records (shared.projection). Every
registry event carries the enterprise's whole record; the handlers keep the newest, and every tier on
a date is read from it (never from a stored tier, never by folding changes). What a record earns is
decided here (tier with top-up, first renewal, relocation, introducer), and the parks' facts (featured
park, incubation). They write through the session and never commit."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.awards import rules
from services.awards.claims.service import recheck
from services.awards.corrections import rules as departure
from services.awards.projection import repository
from services.awards.projection.repository import locked_record
from services.awards.tables import Award, IncubateePromotion, ParkDesignation
from services.awards.workflow.service import create as _create
from services.awards.workflow.service import move as _move
from services.awards.workflow.service import flag, stop
from services.awards.workflow.service import refused as _refused
from shared import clock, params, projection
from shared.contracts import EventData
from shared.events import Event
from shared.contracts.parks import IncubateePromoted, ParkDesignated
from shared.contracts.registry import (CertificationAdded, CertificationRecord, CertificationRevoked, EnterpriseEvent,
                                       EnterprisePromoted, EnterpriseRecord)


def read_ahead(s: Session, batch: list[tuple[Event, EventData]]) -> None:
    """For a consumer's batch (shared.handlers.before_batch): the records its registry events carry,
    kept in one statement (shared.projection.read_ahead), and their enterprises' awards and
    parks' incubatee announcements each read in one query (repository.read_ahead)."""
    records = [d.record for _, d in batch if isinstance(d, EnterpriseEvent)]
    projection.read_ahead(s, records)
    # Parks' announcements read ahead only where the batch brings none, and only for enterprises held
    # before it (their rows locked since its start: a replica's incubatee handler waits on them)
    announcing = any(isinstance(d, IncubateePromoted) for _, d in batch)
    repository.read_ahead(s, {r.uscc for r in records}, set() if announcing else projection.held_ahead(s))


def remembered(s: Session, data: EnterpriseEvent) -> EnterpriseRecord:
    """Keep the event's record if it is newer than the one held; the newest held either way, its
    row locked (shared.projection.keep_newest)."""
    return projection.keep_newest(s, data.record)


def _key_for(s: Session, base: str, gone: set[int], uscc: str, among: list[Award] | None = None) -> str | None:
    """The key a new award under `base` takes, or None when the key is decided already: an award
    stands on it, or was rejected for a reason other than a revocation for cause (that stands too).
    Awards taken back because their title was revoked for cause, or resting on a voided title,
    leave the key open. `among`: the enterprise's awards, read already in this transaction (its
    record's row locked), so the family is picked from them instead of queried."""
    awards = repository.family(s, base, uscc) if among is None else repository.in_family(among, base)
    if any(a.certification_id not in gone for a in awards):
        return None
    return base if not awards else f"{base}:{len(awards) + 1}"


def decide(s: Session, record: EnterpriseRecord, cert: CertificationRecord, event_id: str) -> list[Award]:
    """The awards one certification earns, from the record: tier award with top-up, first-renewal,
    relocation and introducer. Natural keys make any repetition (a redelivery, a replay) pay nothing
    more. A title revoked for cause counts for nothing, not even as an earlier recognition; nor does a
    voided one. A title back-filled from before go-live earns awards recorded settled outside the
    system (never payable); an enterprise that left the district before the title earns nothing."""
    if cert.id in rules.gone(record.certifications):
        return []  # revoked for cause or voided: it earns nothing, whatever order the events came in
    today = clock.today()
    try:
        rules.check_not_after(cert.recognized_on, today, "recognition")
        departure.check_here(record, cert.recognized_on)
    except rules.Ineligible as why:
        _refused(s, f"event:{event_id}", "certification", str(cert.id), why, uscc=record.uscc)
        return []
    on, uscc, certs = cert.recognized_on, record.uscc, rules.sound(record.certifications)
    foul = rules.gone(record.certifications)
    rows = params.in_force(s, on, "award.")
    mine = repository.awards_of(s, uscc)  # one query: the held tier awards and every key's family
    earlier, renewals = [], []
    for a in mine:
        if a.program == "tier" and a.state in rules.HELD:  # received or owed (settled outside too): a top-up deducts it
            (renewals if a.award_key.startswith("tier_renewal:") else earlier).append((a.id, a.tier, a.amount_yuan))
    facts = rules.Facts(uscc=uscc, to_tier=str(cert.tier), recognized_on=on,
                        first_time_at_tier=rules.first_time_at(certs, cert), relocated_on=record.relocated_on,
                        relocated_from=record.relocated_from, relocated_from_code=record.relocated_from_code,
                        introducer=record.introducer, earlier_tier_awards=earlier, titles=rules.titles(certs))
    made = []

    def create(base: str, decision: rules.Decision | None, payee: str, payee_type: str) -> None:
        key = decision and _key_for(s, base, foul, uscc, mine)
        if key:
            award = _create(s, key, decision, uscc, payee, payee_type, on, event_id, cert.id, settled=cert.backfilled)
            made.append(award)
            if award is not None:
                mine.append(award)
    create(f"tier:{uscc}:{facts.to_tier}", rules.tier_award(facts, rows), uscc, "enterprise")
    create(f"tier_renewal:{uscc}:{facts.to_tier}",
           rules.renewal_award(facts, rules.times_before(certs, cert), renewals, rows), uscc, "enterprise")
    relocation = rules.relocation_award(facts, rows)
    create(f"relocation:{uscc}", relocation, uscc, "enterprise")
    if any(a and a.program == "relocation" for a in made):  # the introducer only with a relocation award
        create(f"introducer:{uscc}", rules.introducer_award(facts, relocation, rows), record.introducer,
               "intermediary")
    return [a for a in made if a] + incubations_waiting(s, record, cert, event_id)


def _cert(record: EnterpriseRecord, data) -> CertificationRecord | None:
    """The certification an event is about, as the newest record held says (it may already know
    of a later revocation); the event's own record if the held one somehow lacks it."""
    return record.certification(data.certification_id) or data.record.certification(data.certification_id)


def on_promotion(s: Session, event_id: str, data: EnterprisePromoted,
                 record: EnterpriseRecord | None = None) -> list[Award]:
    """The promoted event is the trigger; what it earns is read from the record. `record`: what
    `remembered` returned for this event already (the newest held, its row locked), so it is not
    read again."""
    record = remembered(s, data) if record is None else record
    cert = _cert(record, data)
    return decide(s, record, cert, event_id) if cert else []


def on_certification_added(s: Session, event_id: str, data: CertificationAdded,
                           record: EnterpriseRecord | None = None) -> list[Award]:
    """A renewal recognised before the earlier title lapsed raises no tier, so the registry publishes
    it as certification.added: it is decided like a promotion (a renewal pays only under
    award.tier.pay_first_renewal; a lower title beside a higher one is covered by the top-up rule).
    `record` as for on_promotion."""
    record = remembered(s, data) if record is None else record
    cert = _cert(record, data)
    return decide(s, record, cert, event_id) if cert else []


def on_revocation(s: Session, event_id: str, data: CertificationRevoked,
                  record: EnterpriseRecord | None = None) -> list[Award]:
    """A certification revoked for cause takes back what depended on it: unpaid awards are rejected,
    paid ones clawed back (a new state entry; the amount record is never edited); then the claims it
    made eligible, and the enterprise's remaining certifications are decided again. `record` as for
    on_promotion."""
    record = remembered(s, data) if record is None else record
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
    for award in repository.resting_on(s, record.uscc, cert.id):
        target = {"disbursed": "clawed_back", "computed": "rejected", "reviewed": "rejected",
                  "approved": "rejected", "withheld": "rejected"}.get(award.state)
        if target:
            _move(s, award, target, f"event:{event_id}", why)
            changed.append(award)
    changed += recheck(s, record, cert, event_id, data.reason)
    # Even when nothing rested on it (its promotion may not have arrived yet), the title no longer
    # counts as an earlier recognition: decide the sound history again (idempotent).
    reassess(s, record, event_id)
    return changed


REVOKED = ("认定撤销后重新核定", "decided again after a revocation for cause")


def reassess(s: Session, record: EnterpriseRecord, event_id: str, after: tuple[str, str] = REVOKED) -> list[Award]:
    """After awards are taken back (a revocation for cause) or withdrawn (a voided title), the
    enterprise's sound history is decided again in date order (rules.earn, the rules the live path
    uses) and what its awards no longer account for is made good: a lower tier covered by a revoked
    higher award's top-up earns its own award, a top-up that deducted a revoked award is completed,
    a relocation award moves to the first sound title. So the awards that stand do not depend on the
    order in which the registry's events arrived. A paid award on a voided title still accounts for
    what it paid (the treasury settles it: nothing is paid twice meanwhile); a made-good award on a
    back-filled title is settled outside; nothing is made good for a date the enterprise had left."""
    today = clock.today()
    foul = rules.gone(record.certifications)
    sound = [c for c in rules.sound(record.certifications) if departure.here_on(record, c.recognized_on)]
    promotions = [rules.Promotion(record.uscc, c.id, str(c.tier), c.recognized_on, rules.first_time_at(sound, c))
                  for c in sound if c.recognized_on <= today]
    facts = {"relocated_on": record.relocated_on, "relocated_from": record.relocated_from,
             "relocated_from_code": record.relocated_from_code, "introducer": record.introducer}
    earned = rules.earn(record.uscc, promotions, facts, lambda on: params.in_force(s, on, "award."))
    mine = repository.certification_awards(s, record.uscc)
    undone = _undo_over_earned(s, mine, earned, foul, event_id, after)
    accounted: dict[str, int] = {}
    by_key: dict[str, int] = {}
    blocked: set[str] = set()
    for a in mine:
        if a.certification_id in foul and a.state not in rules.HELD:
            continue  # taken back or withdrawn: it accounts for nothing
        if a.flag == OVER and a.state not in rules.HELD:
            continue  # withdrawn as beyond what the history earns: it accounts for nothing, blocks nothing
        key = _natural_key(a)
        accounted[rules.family(key)] = accounted.get(rules.family(key), 0) + a.amount_yuan
        by_key[key] = by_key.get(key, 0) + a.amount_yuan
        if a.state not in rules.HELD:
            blocked.add(key)  # rejected by the bureau for its own reasons: that decision stands
    made = []
    for e, gap in rules.make_good(earned, accounted, by_key, frozenset(blocked)):
        awards = repository.family(s, e.key, record.uscc)
        key = e.key if not awards else f"{e.key}:{len(awards) + 1}"
        short = by_key.get(e.key, 0)
        decision = rules.Decision(e.decision.program, gap, {
            **e.decision.basis, "made_good": {"earned_yuan": e.decision.amount_yuan, "accounted_yuan": short},
            "explanation": f"{e.decision.basis.get('explanation')}；{after[0]}：应得 {e.decision.amount_yuan} 元，"
                           f"已计 {short} 元，补足 {gap} 元 / {after[1]}: "
                           f"earns {e.decision.amount_yuan}, accounted {short}, made good {gap}"}, tier=e.decision.tier)
        cert = record.certification(e.certification_id)
        made.append(_create(s, key, decision, record.uscc, e.payee, e.payee_type, e.on, event_id, e.certification_id,
                            settled=bool(cert and cert.backfilled)))
    return undone + [a for a in made if a]


OVER = "over_entitlement"


def _natural_key(a: Award) -> str:
    """The award's natural key without the `:n` of an award made after a take-back."""
    return ":".join(a.award_key.split(":")[:3 if a.program == "tier" else 2])


def _undo_over_earned(s: Session, mine: list[Award], earned: list[rules.Earned], foul: set[int], event_id: str,
                      after: tuple[str, str]) -> list[Award]:
    """Awards on sound titles that stand beyond what the sound history earns (rules.over_earned) are
    withdrawn if unpaid, flagged for the treasury if paid. An award on a title the record says is gone
    is its title's own revocation's or voiding's to take back or flag (a paid one on a voided title
    keeps its `certification_voided` flag), so it is neither counted here nor touched."""
    standing = [a for a in mine if a.state in rules.HELD and a.certification_id not in foul]
    withdraw, paid = rules.over_earned(earned, [(a.id, _natural_key(a), a.amount_yuan, a.state) for a in standing])
    by_id = {a.id: a for a in standing}
    actor = f"event:{event_id}"
    why = (f"{after[0]}：已计奖励超出应得，此笔撤回（未拨付）/ {after[1]}: what stands exceeds what the history earns, "
           f"this unpaid award is withdrawn")
    paid_why = (f"{after[0]}：已计奖励超出应得，此笔已拨付，请财政局核处 / {after[1]}: what stands exceeds what the "
                f"history earns; this award was paid, for the treasury to settle")
    undone = [stop(s, by_id[i], "withdrawn", OVER, actor, why) for i in withdraw]
    return undone + [by_id[i] for i in paid if flag(s, by_id[i], OVER, paid_why, actor)]


# -- facts other departments recorded -----------------------------------------------------------
def on_designation(s: Session, event_id: str, data: ParkDesignated) -> Award | None:
    if repository.designation(s, data.designation_id) is None:
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
    to the park, by the parameter in force on the recognition date, once per (park, enterprise). It
    rests on the registry's certification of that tier and date (the registry owns the title), so a
    revocation for cause takes it back like any award on the title; until the registry's record
    holds the title, nothing is paid (decide() pays it when the record arrives)."""
    tier = str(data.to_tier)
    if not repository.incubatee_known(s, data.park_id, data.uscc, tier):
        s.add(IncubateePromotion(park_id=data.park_id, uscc=data.uscc, to_tier=tier,
                                 recognized_on=data.recognized_on, incubation_id=data.incubation_id,
                                 source_event_id=event_id))
    record = locked_record(s, data.uscc)
    cert = record and rules.incubated_title(record.certifications, tier, data.recognized_on)
    return _incubation(s, data.park_id, data.uscc, data.incubation_id, cert, event_id) if cert else None


def _incubation(s: Session, park_id: str, uscc: str, incubation_id: int | None, cert: CertificationRecord,
                event_id: str) -> Award | None:
    on = cert.recognized_on
    try:
        rules.check_not_after(on, clock.today(), "recognition")
    except rules.Ineligible as why:
        _refused(s, f"event:{event_id}", "incubation", str(incubation_id), why, uscc=uscc)
        return None
    decision = rules.incubation_award(park_id, uscc, str(cert.tier), on, incubation_id,
                                      params.in_force(s, on, "award."))
    if decision is None:
        return None
    return _create(s, f"incubation:{park_id}:{uscc}", decision, uscc, park_id, "park", on, event_id, cert.id)


def incubations_waiting(s: Session, record: EnterpriseRecord, cert: CertificationRecord, event_id: str) -> list[Award]:
    """Parks announced this title's incubatee before the registry's record reached awards: pay it now."""
    made = [_incubation(s, p.park_id, p.uscc, p.incubation_id, cert, event_id)
            for p in repository.incubatee_promotions(s, record.uscc, str(cert.tier), cert.recognized_on)]
    return [a for a in made if a]
