"""Awards use cases. They write through the caller's session and never commit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.awards import events, rules
from services.awards.models import Award, AwardTransition, Enterprise
from shared import audit, params
from shared.db import for_update
from shared.errors import Problem, not_found


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
            decided_on: dt.date, event_id: str, certification_id: int | None = None) -> Award | None:
    if s.scalars(select(Award.id).where(Award.award_key == key)).first() is not None:
        return None  # paid once already: never twice, whatever event asks again
    award = Award(award_key=key, program=decision.program, uscc=uscc, payee=payee, payee_type=payee_type,
                  tier=decision.tier, amount_yuan=decision.amount_yuan, state="computed",
                  basis={**decision.basis, "event_id": event_id}, decided_on=decided_on,
                  certification_id=certification_id, source_event_id=event_id)
    s.add(award)
    s.flush()
    s.add(AwardTransition(award_id=award.id, from_state=None, to_state="computed", actor=f"event:{event_id}",
                          reason=decision.basis.get("explanation")))
    events.changed(s, award)
    return award


def on_promotion(s: Session, event_id: str, data: dict) -> list[Award]:
    e = upsert_enterprise(s, data)
    on = dt.date.fromisoformat(data["recognized_on"])
    rows = params.in_force(s, on, "award.")
    earlier = [(a.id, a.tier, a.amount_yuan) for a in s.scalars(
        select(Award).where(Award.uscc == e.uscc, Award.program == "tier", Award.state.in_(rules.COUNTED))
        .order_by(Award.id))]
    facts = rules.Facts(uscc=e.uscc, to_tier=data["to_tier"], recognized_on=on,
                        first_time_at_tier=bool(data.get("first_time_at_tier", True)),
                        relocated_on=e.relocated_on, relocated_from=e.relocated_from,
                        introducer=e.introducer, earlier_tier_awards=earlier)
    made = []
    cert_id = data.get("certification_id")
    tier = rules.tier_award(facts, rows)
    if tier:
        made.append(_create(s, f"tier:{e.uscc}:{facts.to_tier}", tier, e.uscc, e.uscc, "enterprise", on,
                            event_id, cert_id))
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


def on_revocation(s: Session, event_id: str, data: dict) -> list[Award]:
    """A certification revoked for cause takes back what depended on it: unpaid awards are rejected,
    paid ones clawed back (a new state entry; the amount record is never edited)."""
    if not data.get("for_cause"):
        return []
    changed = []
    for award in s.scalars(select(Award).where(Award.certification_id == data["certification_id"],
                                               Award.uscc == data["uscc"])):
        target = {"disbursed": "clawed_back", "computed": "rejected", "reviewed": "rejected",
                  "approved": "rejected"}.get(award.state)
        if target:
            _move(s, award, target, f"event:{event_id}", f"认定撤销（{data.get('reason')}）/ certification revoked for cause")
            changed.append(award)
    return changed


def _move(s: Session, award: Award, target: str, actor: str, reason: str | None = None,
          voucher: str | None = None) -> None:
    before = award.state
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


def award_dict(a: Award, history: list[AwardTransition] | None = None) -> dict:
    doc = {"id": a.id, "uscc": a.uscc, "program": a.program, "tier": a.tier, "amount_yuan": a.amount_yuan,
           "state": a.state, "payee": a.payee, "payee_type": a.payee_type, "decided_on": a.decided_on.isoformat(),
           "certification_id": a.certification_id, "basis": a.basis,
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
