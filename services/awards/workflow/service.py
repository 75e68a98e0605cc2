"""Award workflow use cases: an award is created computed, with its ledger entry and event; it moves
only by recorded transitions (review, approve, disburse, reject; a take-back rejects or claws back),
each with its ledger entries. They write through the session and never commit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.awards import events, rules
from services.awards.ledger.service import book, reserve
from services.awards.recoveries import service as receivables
from services.awards.tables import Award, Voucher
from services.awards.workflow import repository
from services.awards.workflow.rules import ACTIONS_ZH, ROLES_ZH, next_state
from services.awards.workflow.schemas import AwardDetail, AwardPublic
from shared import audit, clock
from shared.auth import Principal
from shared.errors import Problem, not_found


SETTLED_ZH = "历史名单补录：该奖励已于系统上线前在系统外兑付，不在系统内支付"
SETTLED_EN = "back-filled: settled outside the system before go-live, never payable here"


def create(s: Session, key: str, decision: rules.Decision, uscc: str | None, payee: str, payee_type: str,
           decided_on: dt.date, event_id: str, certification_id: int | None = None,
           actor: str | None = None, contract_id: int | None = None, settled: bool = False) -> Award | None:
    """A computed award under its natural key, with its first transition, ledger entry and event;
    None when the key is taken (paid once already: never twice, whatever event asks again).
    `settled`: it rests on a title back-filled from before go-live, so it is recorded
    settled_outside (系统外已兑付) with no ledger entry: never payable, not the ledger's money, but
    what the enterprise already received when a later top-up is computed."""
    basis = {**decision.basis, "event_id": event_id}
    if settled:
        basis |= {"settled_outside": True, "explanation": f"{basis.get('explanation')}；{SETTLED_ZH} / {SETTLED_EN}"}
    state = "settled_outside" if settled else "computed"
    award = repository.add_unless_taken(
        s, award_key=key, program=decision.program, uscc=uscc, payee=payee, payee_type=payee_type,
        tier=decision.tier, amount_yuan=decision.amount_yuan, state=state, basis=basis, decided_on=decided_on,
        certification_id=certification_id, contract_id=contract_id, source_event_id=event_id)
    if award is None:
        return None
    actor = actor or f"event:{event_id}"
    repository.add_transition(s, award.id, None, state, actor, basis.get("explanation"))
    if not settled:
        kind = "top_up" if decision.basis.get("already_awarded_yuan") and decision.program == "tier" else "awarded"
        book(s, award, kind, award.amount_yuan, decided_on, actor, decision.basis.get("explanation"))
    events.changed(s, award)
    return award


def refused(s: Session, actor: str, object_type: str, object_id: str, why: rules.Ineligible | Problem,
            **facts) -> None:
    """An event that pays nothing is not an error to retry: the reason goes to the audit log."""
    audit.record(s, actor, "award.claim_refused" if object_type in ("contract", "listing") else "award.refused",
                 object_type, object_id, None, {**facts, "status": why.status, "code": why.code, "reason": why.en})


def _spend_voucher(s: Session, award: Award, voucher: str) -> None:
    """A voucher number pays one award: 409 when it paid another already (the table's key holds it
    under concurrent disbursements too)."""
    key = rules.voucher_key(voucher)
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
    elif target in ("rejected", "withdrawn", "withheld"):  # an owed amount stops being owed
        if before == "approved":
            book(s, award, "released", award.amount_yuan, today, actor, reason, budget_year=award.budget_year)
        if before in rules.UNPAID:  # settled outside or already withheld: nothing of it was booked as owed
            book(s, award, "reversed", award.amount_yuan, today, actor, reason)
    elif target == "disbursed":
        _spend_voucher(s, award, voucher)
        book(s, award, "disbursed", award.amount_yuan, today, actor, reason, budget_year=award.budget_year,
             voucher=voucher)
    elif target == "clawed_back":
        book(s, award, "clawed_back", award.amount_yuan, today, actor, reason, budget_year=award.budget_year)
        receivables.open_for(s, award, today, actor, reason)  # what the payee owes back, in the same transaction
    repository.add_transition(s, award.id, before, target, actor, reason, voucher)
    award.state = target
    if year is not None:
        award.budget_year = year
    s.flush()
    audit.record(s, actor, f"award.{target}", "award", str(award.id), {"state": before},
                 {"state": target, "reason": reason, "voucher": voucher})
    events.changed(s, award)


def flag(s: Session, award: Award, code: str, reason: str, actor: str) -> bool:
    """Note on an award why a correction of the record touched it (for the treasury: a paid award
    whose certification was voided); its facts and state are untouched. False when it was already
    so flagged (a redelivered correction changes nothing)."""
    if award.flag == code:
        return False
    before = {"flag": award.flag, "flag_reason": award.flag_reason}
    award.flag, award.flag_reason = code, reason[:2000]
    s.flush()
    audit.record(s, actor, "award.flagged", "award", str(award.id), before, {"flag": code, "flag_reason": reason})
    events.changed(s, award)
    return True


def stop(s: Session, award: Award, target: str, code: str, actor: str, reason: str) -> Award:
    """A correction stops an award: it moves to `target` (withdrawn, withheld) with the reason, and is
    flagged with why, so the treasury finds it."""
    award.flag, award.flag_reason = code, reason[:2000]
    move(s, award, target, actor, reason)
    return award


def withhold(s: Session, awards: list[Award], actor: str, reason: str) -> list[Award]:
    """The unpaid awards of an enterprise that moved out or closed are withheld (已暂停) with the reason."""
    return [stop(s, a, "withheld", "enterprise_departed", actor, reason) for a in awards if a.state in rules.UNPAID]


# Why an award in a state set by a correction can never be acted on (appended to the 409).
FINAL = {"settled_outside": (f"（{SETTLED_ZH}）", f" ({SETTLED_EN})"),
         "withdrawn": ("（所依据的认定已作废，奖励已撤回）", " (its certification was voided: the award is withdrawn)"),
         "withheld": ("（企业已迁出或注销，奖励已暂停，不再发放）",
                      " (the enterprise moved out or closed: the award is withheld and is not released)")}
FINAL_FLAGGED = {"over_entitlement": ("（重新核定后超出应得，奖励已撤回）",
                                      " (decided again, it stood beyond what the history earns: withdrawn)")}


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
        zh, en = FINAL_FLAGGED.get(award.flag) if award.state == "withdrawn" and award.flag in FINAL_FLAGGED \
            else FINAL.get(award.state, ("", ""))
        raise Problem(409, "invalid-transition",
                      f"奖励当前状态为“{rules.STATES_ZH.get(award.state, award.state)}”，不能{act}{zh}", why + en,
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

