"""Award workflow use cases: an award is created computed, with its ledger entry and event; it moves
only by recorded transitions (review, approve, disburse, reject; a take-back rejects or claws back),
each with its ledger entries. They write through the session and never commit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.awards import events, rules
from services.awards.ledger.service import book, reserve
from services.awards.tables import Award, AwardTransition, Voucher
from services.awards.workflow import repository
from services.awards.workflow.rules import ACTIONS_ZH, ROLES_ZH, next_state
from services.awards.workflow.schemas import AwardDetail, AwardPublic
from shared import audit, clock
from shared.auth import Principal
from shared.errors import Problem, not_found


def create(s: Session, key: str, decision: rules.Decision, uscc: str | None, payee: str, payee_type: str,
           decided_on: dt.date, event_id: str, certification_id: int | None = None,
           actor: str | None = None, contract_id: int | None = None) -> Award | None:
    """A computed award under its natural key, with its first transition, ledger entry and event;
    None when the key is taken (paid once already: never twice, whatever event asks again)."""
    if repository.key_taken(s, key):
        return None
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


def refused(s: Session, actor: str, object_type: str, object_id: str, why: rules.Ineligible | Problem,
            **facts) -> None:
    """An event that pays nothing is not an error to retry: the reason goes to the audit log."""
    audit.record(s, actor, "award.claim_refused" if object_type in ("contract", "listing") else "award.refused",
                 object_type, object_id, None, {**facts, "status": why.status, "code": why.code, "reason": why.en})


def voucher_key(voucher: str) -> str:
    """The same voucher however it is typed: trimmed, inner spaces dropped, upper case."""
    return "".join(voucher.split()).upper()


def _spend_voucher(s: Session, award: Award, voucher: str) -> None:
    """A voucher number pays one award: 409 when it paid another already (the table's key holds it
    under concurrent disbursements too)."""
    key = voucher_key(voucher)
    used = repository.voucher(s, key)
    if used is None:
        try:
            with s.begin_nested():
                s.add(Voucher(voucher=key, award_id=award.id))
                s.flush()
            return
        except IntegrityError:
            used = repository.voucher(s, key)
    other = used.award_id if used else None
    raise Problem(409, "voucher-used", f"凭证号 {voucher} 已用于拨付奖励 {other}，一张凭证只能拨付一笔奖励",
                  f"Voucher {voucher} already paid award {other}: one voucher pays one award",
                  voucher=voucher, award_id=other)


def move(s: Session, award: Award, target: str, actor: str, reason: str | None = None,
         voucher: str | None = None) -> None:
    """The one way an award's state changes: the ledger entries, then the transition row, then the
    state it names (the database refuses a state without its transition, see migration 0006)."""
    before = award.state
    today = clock.today()
    year = None
    if target == "approved":
        year = reserve(s, award, actor, today)
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


def transition(s: Session, who: Principal, award_id: int, action: str, reason: str | None = None,
               voucher: str | None = None) -> Award:
    """review, approve, disburse or reject an award `who` may see."""
    award = repository.one(s, who, award_id, lock=True)
    if award is None:
        raise not_found("奖励", "Award", str(award_id))
    target = next_state(action, award.state, who.role)
    if isinstance(target, tuple):
        kind, why = target
        act = ACTIONS_ZH.get(action, "该操作")
        if kind == "forbidden":
            raise Problem(403, "forbidden", f"{ROLES_ZH.get(who.role, '该角色')}无权{act}奖励", why)
        raise Problem(409, "invalid-transition",
                      f"奖励当前状态为“{rules.STATES_ZH.get(award.state, award.state)}”，不能{act}", why,
                      state=award.state)
    move(s, award, target, who.actor, reason, voucher)
    return award


def detail(s: Session, award: Award) -> AwardDetail:
    """An award with its history: the answer of every route that acts on one."""
    return AwardDetail.model_validate({**AwardPublic.model_validate(award).model_dump(),
                                       "history": repository.history_of(s, award.id)})


def totals(s: Session, uscc: str) -> dict:
    by_program: dict[str, int] = {}
    for program, amount in repository.enterprise_totals(s, uscc):
        by_program[program] = by_program.get(program, 0) + amount
    return {"uscc": uscc, "total_yuan": sum(by_program.values()), "by_program": by_program}

