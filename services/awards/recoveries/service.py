"""Recoveries use cases: a claw-back opens a receivable (in the claw-back's own transaction); the
treasury records repayments (partial too; each a `recovered` ledger entry of the award's budget year)
and may write off what cannot be recovered (a `written_off` entry). They write through the session,
never commit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.awards import events
from services.awards.ledger.service import book
from services.awards.recoveries import repository, rules
from services.awards.recoveries.schemas import ReceivableDetail, ReceivablePublic
from services.awards.rules import voucher_key
from services.awards.tables import Award, Receivable, Repayment
from services.awards.workflow import repository as awards
from shared import audit, clock, params
from shared.auth import Principal
from shared.errors import Problem, field_error, not_found


def open_for(s: Session, award: Award, on: dt.date, actor: str, reason: str | None) -> Receivable:
    """The receivable of a clawed-back award: its whole amount owed back by its payee (once per award)."""
    existing = repository.of_award(s, award.id)
    if existing is not None:
        return existing
    due_days = params.in_force(s, on, "award.recovery.")[rules.DUE_DAYS_KEY].value  # as dated policy says
    r = Receivable(award_id=award.id, program=award.program, uscc=award.uscc, payee=award.payee,
                   payee_type=award.payee_type, amount_yuan=award.amount_yuan, budget_year=award.budget_year,
                   opened_on=on, due_on=rules.due_on(on, due_days), reason=(reason or "")[:2000] or None, actor=actor)
    s.add(r)
    s.flush()
    audit.record(s, actor, "receivable.opened", "receivable", str(r.id), None,
                 {"award_id": award.id, "amount_yuan": r.amount_yuan, "due_on": r.due_on.isoformat()})
    events.receivable_changed(s, r, award, version=1)
    return r


def _version(s: Session, r: Receivable) -> int:
    """1 when opened, +1 per repayment, +1 for the write-off: the receivable.changed event's version."""
    return 1 + len(repository.repayments_of(s, r.id)) + (r.state == "written_off")


def _owed(s: Session, who: Principal, receivable_id: int, act_zh: str, act_en: str) -> Receivable:
    r = repository.one(s, who, receivable_id, lock=True)
    if r is None:
        raise not_found("应收追回款", "Receivable", str(receivable_id))
    if r.state not in rules.OPEN:
        raise Problem(409, "receivable-closed",
                      f"该应收追回款状态为“{rules.STATES_ZH[r.state]}”，不能{act_zh}",
                      f"The receivable is {r.state}: it cannot be {act_en}", state=r.state)
    return r


def repay(s: Session, who: Principal, receivable_id: int, amount: int, on: dt.date, voucher: str,
          note: str | None = None) -> Receivable:
    """Record a repayment (partial too): never more than is outstanding, never dated before the
    claw-back nor after today, one voucher for one repayment (nor one that paid an award)."""
    r = _owed(s, who, receivable_id, "登记还款", "repaid")
    if amount <= 0:
        raise field_error("amount_yuan", "还款金额须大于 0 元", "a repayment is at least 1 yuan", "not-positive")
    if on > clock.today():
        raise field_error("on", "还款日期不能晚于今天", "a repayment cannot be dated after today", "future-date")
    if on < r.opened_on:
        raise field_error("on", f"还款日期早于追回日期 {r.opened_on}", f"the repayment is dated before the claw-back "
                          f"({r.opened_on})", "before-claw-back")
    left = rules.outstanding(r.amount_yuan, r.recovered_yuan, r.state)
    if amount > left:
        raise Problem(409, "exceeds-outstanding", f"还款 {amount} 元超过尚欠的 {left} 元",
                      f"A repayment of {amount} yuan exceeds the {left} yuan outstanding", outstanding_yuan=left)
    key = voucher_key(voucher)
    used = repository.repayment_by_voucher(s, key)
    paid = awards.voucher(s, key)
    if used is not None or paid is not None:
        where_zh = f"应收追回款 {used.receivable_id} 的还款" if used else f"奖励 {paid.award_id} 的拨付"
        where_en = f"a repayment of receivable {used.receivable_id}" if used else f"the payment of award {paid.award_id}"
        raise Problem(409, "voucher-used", f"凭证号 {voucher} 已用于{where_zh}，一张凭证只能登记一笔",
                      f"Voucher {voucher} was already used for {where_en}: one voucher records one payment",
                      voucher=voucher, receivable_id=used.receivable_id if used else None,
                      award_id=paid.award_id if paid else None)
    before = {"state": r.state, "recovered_yuan": r.recovered_yuan}
    award = s.get(Award, r.award_id)
    repayment = Repayment(receivable_id=r.id, amount_yuan=amount, repaid_on=on, voucher=voucher, voucher_key=key,
                          note=note, actor=who.actor)
    s.add(repayment)
    book(s, award, "recovered", amount, on, who.actor, note or "追回款到账 / repayment received",
         budget_year=r.budget_year, voucher=voucher)
    r.recovered_yuan += amount
    r.state = rules.state_after(r.amount_yuan, r.recovered_yuan)
    s.flush()
    audit.record(s, who.actor, "receivable.repaid", "receivable", str(r.id), before,
                 {"state": r.state, "recovered_yuan": r.recovered_yuan, "amount_yuan": amount,
                  "on": on.isoformat(), "voucher": voucher})
    events.receivable_changed(s, r, award, _version(s, r), repayment)
    return r


def write_off(s: Session, who: Principal, receivable_id: int, reason: str) -> Receivable:
    """The treasury gives up what is still owed (核销), with the reason: a `written_off` entry."""
    r = _owed(s, who, receivable_id, "核销", "written off")
    left = rules.outstanding(r.amount_yuan, r.recovered_yuan, r.state)
    before = {"state": r.state, "recovered_yuan": r.recovered_yuan}
    award = s.get(Award, r.award_id)
    book(s, award, "written_off", left, clock.today(), who.actor, reason,
         budget_year=r.budget_year)
    r.state, r.closed_reason = "written_off", reason[:2000]
    s.flush()
    audit.record(s, who.actor, "receivable.written_off", "receivable", str(r.id), before,
                 {"state": r.state, "written_off_yuan": left, "reason": reason})
    events.receivable_changed(s, r, award, _version(s, r))
    return r


def public(r: Receivable) -> ReceivablePublic:
    left = rules.outstanding(r.amount_yuan, r.recovered_yuan, r.state)
    written = r.amount_yuan - r.recovered_yuan if r.state == "written_off" else 0
    return ReceivablePublic.model_validate({**{c: getattr(r, c) for c in ReceivablePublic.COLUMNS},
                                            "outstanding_yuan": left, "written_off_yuan": written,
                                            "overdue": r.state in rules.OPEN and r.due_on < clock.today()})


def detail(s: Session, r: Receivable) -> ReceivableDetail:
    return ReceivableDetail.model_validate({**public(r).model_dump(),
                                            "repayments": repository.repayments_of(s, r.id)})


def get(s: Session, who: Principal, receivable_id: int) -> ReceivableDetail:
    r = repository.one(s, who, receivable_id)
    if r is None:
        raise not_found("应收追回款", "Receivable", str(receivable_id))
    return detail(s, r)
