"""Payment batch use cases: the treasury builds a batch from approved awards (each with its payee's
account as it stands), exports it for the payment system (the account in full there only), and reads
back the result per line: a paid line disburses the award through the workflow's disburse (budget
reserved → disbursed, the ledger as for any payment); a returned line keeps the award approved (still
reserved) and puts it back in the queue. They write through the session, never commit."""
from __future__ import annotations

import io
import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.awards.payees import repository as payees
from services.awards.payees.service import AccountCipher
from services.awards.payments import repository, rules
from services.awards.payments.schemas import BatchDetail, BatchPublic, LinePublic, Queue
from services.awards.rules import PROGRAMS_ZH, voucher_key
from services.awards.tables import PaymentBatch, PaymentLine
from services.awards.workflow import service as workflow
from shared import audit, clock, sheets
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Problem, not_found


def _refusal(award_id: int, code: str, zh: str, en: str) -> dict:
    return {"award_id": award_id, "code": code, "detail_zh": zh, "detail_en": en}


def create(s: Session, who: Principal, award_ids: list[int] | None, note: str | None) -> tuple[PaymentBatch, list]:
    """A draft batch of the given approved awards (all or none: 409 `cannot-batch` with the refused
    ones), or of every approved award in no open batch that has a payee record (the others are
    answered as left out)."""
    left_out: list[dict] = []
    if award_ids is not None:
        ids = list(dict.fromkeys(award_ids))
        found = repository.awards_of(s, ids)
        standing = repository.open_lines(s, ids)
        records = payees.of_many(s, {(a.payee_type, a.payee) for a in found.values()})
        refused = []
        for i in ids:
            a = found.get(i)
            if a is None:
                refused.append(_refusal(i, "not-found", f"奖励 {i} 不存在", f"award {i} not found"))
            elif a.state != "approved":
                refused.append(_refusal(i, "not-approved", f"奖励 {i} 状态为 {a.state}，只有已批准的奖励可支付",
                                        f"award {i} is {a.state}: only approved awards are paid"))
            elif i in standing:
                refused.append(_refusal(i, "in-open-batch", f"奖励 {i} 已在支付批次 {standing[i].batch_id} 中",
                                        f"award {i} is already in payment batch {standing[i].batch_id}"))
            elif (a.payee_type, a.payee) not in records:
                refused.append(_refusal(i, "no-payee", f"奖励 {i} 的收款方（{a.payee}）尚未登记账户",
                                        f"award {i}'s payee ({a.payee}) has no payee record"))
        if refused:
            raise Problem(409, "cannot-batch", f"{len(refused)} 笔奖励不能纳入支付批次，未生成批次",
                          f"{len(refused)} awards cannot be put in a payment batch: no batch was built",
                          refused=refused)
        awards = [found[i] for i in sorted(ids)]
    else:
        waiting = repository.queue(s)
        records = payees.of_many(s, {(a.payee_type, a.payee) for a in waiting})
        awards = [a for a in waiting if (a.payee_type, a.payee) in records]
        left_out = [{"award_id": a.id, "payee": a.payee, "payee_type": a.payee_type}
                    for a in waiting if (a.payee_type, a.payee) not in records]
        if not awards:
            raise Problem(409, "nothing-to-pay", "没有可支付的已批准奖励（或其收款方均未登记账户）",
                          "No approved award with a payee record is waiting to be paid", left_out=left_out)
    batch = PaymentBatch(number=f"tmp-{uuid.uuid4().hex}"[:30], created_by=who.actor,
                         note=note, count=len(awards), amount_yuan=sum(a.amount_yuan for a in awards))
    s.add(batch)
    s.flush()
    batch.number = rules.number(clock.today().year, batch.id)
    try:
        with s.begin_nested():
            for n, a in enumerate(awards, 1):
                p = records[(a.payee_type, a.payee)]
                s.add(PaymentLine(batch_id=batch.id, seq=n, award_id=a.id, open_award_id=a.id, payee_id=p.id,
                                  payee_name=p.name, bank_name=p.bank_name, account_cipher=p.account_cipher,
                                  account_mask=p.account_mask, amount_yuan=a.amount_yuan,
                                  purpose=f"{PROGRAMS_ZH.get(a.program, a.program)}（奖励编号 {a.id}）"))
            s.flush()
    except IntegrityError:  # another batch took one of them meanwhile
        raise Problem(409, "in-open-batch", "其中有奖励刚被纳入另一支付批次，请刷新后重试",
                      "One of the awards was just put in another payment batch: reload and try again") from None
    audit.record(s, who.actor, "payment_batch.created", "payment_batch", str(batch.id), None,
                 {"number": batch.number, "count": batch.count, "amount_yuan": batch.amount_yuan,
                  "award_ids": [a.id for a in awards]})
    return batch, left_out


def _batch(s: Session, batch_id: int, lock: bool = False) -> PaymentBatch:
    b = repository.one(s, batch_id, lock=lock)
    if b is None:
        raise not_found("支付批次", "Payment batch", str(batch_id))
    return b


def _not_cancelled(b: PaymentBatch) -> None:
    if b.state == "cancelled":
        raise Problem(409, "batch-cancelled", f"支付批次 {b.number} 已取消，不能导出或登记结果",
                      f"Payment batch {b.number} was cancelled: it cannot be exported nor take a result",
                      state=b.state)


def cancel(s: Session, who: Principal, batch_id: int, reason: str) -> PaymentBatch:
    """A draft batch cancelled: its lines freed (`open_award_id` NULL), so its awards are back in the
    payment queue, still approved and reserved; no money moves. Cancelling it again answers the same
    batch and writes nothing. Once exported the file may already be in the payment system: 409
    `already-exported` (record its result instead; a line not paid is reported `returned`)."""
    b = _batch(s, batch_id, lock=True)
    if b.state == "cancelled":
        return b
    if b.state != "draft":
        raise Problem(409, "already-exported", f"支付批次 {b.number} 已导出，不能取消：请登记支付系统的结果（未支付的按退回登记）",
                      f"Payment batch {b.number} was exported and cannot be cancelled: record the payment system's "
                      "result (a line not paid is reported returned)", state=b.state)
    lines = repository.lines(s, b.id)
    for x in lines:
        x.open_award_id = None  # back in the queue
    b.state, b.cancelled_at, b.cancelled_by, b.cancel_reason = "cancelled", utcnow(), who.actor, reason
    s.flush()
    audit.record(s, who.actor, "payment_batch.cancelled", "payment_batch", str(b.id), {"state": "draft"},
                 {"state": "cancelled", "reason": reason, "award_ids": [x.award_id for x in lines]})
    return b


def export_rows(cipher: AccountCipher, b: PaymentBatch, lines: list[PaymentLine]) -> list[list]:
    return [[x.seq, b.number, x.award_id, x.payee_name, x.bank_name, cipher.open(x.account_cipher), x.amount_yuan,
             x.purpose] for x in lines]


def export(s: Session, who: Principal, cipher: AccountCipher, batch_id: int, kind: str):
    """The payment system's file: the lines with the accounts in full, then the checksum line. The
    first export moves a draft to exported (audited); later exports are the same file."""
    b = _batch(s, batch_id, lock=True)
    _not_cancelled(b)
    rows = export_rows(cipher, b, repository.lines(s, b.id))
    if b.state == "draft":
        b.state, b.exported_at = "exported", utcnow()
        s.flush()
        audit.record(s, who.actor, "payment_batch.exported", "payment_batch", str(b.id), {"state": "draft"},
                     {"state": "exported", "format": kind, "checksum": rules.checksum(rows)})
    body_rows = [*rows, rules.trailer(b.number, rows)]
    body = (sheets.csv(rules.HEADER, body_rows) if kind == "csv"
            else sheets.xlsx(sheets.Sheet(f"支付批次{b.number}", rules.HEADER, body_rows,
                                          widths=(6, 14, 10, 36, 30, 26, 14, 40))))
    return sheets.download(body, kind, f"payment-batch-{b.number}")


def read_file(body: bytes, content_type: str) -> tuple[list[rules.ResultLine], list[dict]]:
    """The rows of a CSV (UTF-8, with or without BOM; GB18030 too) or XLSX result file."""
    import csv

    if body[:2] == b"PK" or "spreadsheetml" in content_type:
        try:
            from openpyxl import load_workbook

            ws = load_workbook(io.BytesIO(body), read_only=True, data_only=True).worksheets[0]
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
        except Exception:  # noqa: BLE001 - any unreadable workbook is the sender's error
            return [], [rules.line_error(1, "无法读取 XLSX 文件", "the XLSX file cannot be read", "unreadable-file")]
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = body.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            return [], [rules.line_error(1, "文件编码无法识别（须为 UTF-8）", "the file is not UTF-8 text",
                                         "unreadable-file")]
        rows = list(csv.reader(io.StringIO(text)))
    return rules.read_rows(rows)


def from_json(lines: list) -> list[rules.ResultLine]:
    return [rules.ResultLine(n, x.seq, x.award_id, rules.RESULT_WORDS.get(x.result.replace(" ", "").lower()),
                             x.result, x.voucher, x.reason) for n, x in enumerate(lines, 1)]


def record_result(s: Session, who: Principal, batch_id: int, items: list[rules.ResultLine],
                  errors: list[dict] | None = None) -> PaymentBatch:
    """The payment system's result per line. Every line is checked first (422 `invalid-result-file`
    with the line numbers, nothing changed); then a paid line disburses its award with the voucher,
    a returned line records the reason and puts the award back in the queue. A line that already has
    the same result is skipped: the same file twice changes nothing."""
    b = _batch(s, batch_id, lock=True)
    _not_cancelled(b)
    if b.state == "draft":
        raise Problem(409, "not-exported", "支付批次尚未导出，不能登记支付结果",
                      "The batch has not been exported: there is no result to record", state=b.state)
    lines = repository.lines(s, b.id)
    by_seq, by_award = {x.seq: x for x in lines}, {x.award_id: x for x in lines}
    errors = list(errors or [])
    todo: list[tuple[rules.ResultLine, PaymentLine]] = []
    seen: set[int] = set()
    vouchers: dict[str, int] = {}
    for it in items:
        def bad(zh, en, code, it=it):
            errors.append(rules.line_error(it.line, zh, en, code))
        line = by_seq.get(it.seq) if it.seq is not None else by_award.get(it.award_id)
        if it.seq is None and it.award_id is None:
            bad("缺少奖励编号或序号", "neither 奖励编号 nor 序号", "no-line")
            continue
        if line is None or (it.award_id is not None and line.award_id != it.award_id):
            bad(f"本批次没有这一笔（序号 {it.seq or '-'}，奖励编号 {it.award_id or '-'}）",
                f"no such line in the batch (seq {it.seq}, award {it.award_id})", "not-in-batch")
            continue
        if line.seq in seen:
            bad(f"序号 {line.seq} 重复出现", f"line {line.seq} appears twice", "duplicate-line")
            continue
        seen.add(line.seq)
        if it.result is None:
            bad(f"结果“{it.word}”无法识别（应为 成功/paid 或 退回/returned）",
                f"result '{it.word}' is neither paid (成功) nor returned (退回)", "invalid-result")
            continue
        if it.result == "paid" and not it.voucher:
            bad("支付成功须填写凭证号", "a paid line needs its voucher", "voucher-missing")
            continue
        if it.result == "returned" and not it.reason:
            bad("退回须填写退回原因", "a returned line needs its reason", "reason-missing")
            continue
        if it.voucher and len(it.voucher) > 200 or it.reason and len(it.reason) > 2000:
            bad("凭证号或退回原因过长", "the voucher or the reason is too long", "too-long")
            continue
        if it.result == "paid":
            key = voucher_key(it.voucher)
            if key in vouchers:
                bad(f"凭证号 {it.voucher} 与第 {vouchers[key]} 行重复", f"voucher {it.voucher} repeats line "
                    f"{vouchers[key]}", "voucher-repeated")
                continue
            vouchers[key] = it.line
        if line.result is not None:
            same = line.result == it.result and (it.result == "returned" or voucher_key(line.voucher) == voucher_key(
                it.voucher))
            if not same:
                bad(f"序号 {line.seq} 已登记为“{rules.RESULTS_ZH[line.result]}”，与本行不同",
                    f"line {line.seq} was already recorded {line.result}, differently", "result-conflict")
            continue  # the same result again: nothing to do
        todo.append((it, line))
    if errors:
        raise Problem(422, "invalid-result-file", f"支付结果有 {len(errors)} 处错误，未登记任何结果",
                      f"The result has {len(errors)} errors: nothing was recorded",
                      errors=sorted(errors, key=lambda e: e["line"]))
    awards = repository.awards_of(s, [line.award_id for _, line in todo])
    for it, line in todo:
        award = awards[line.award_id]
        if it.result == "paid" and award.state != "approved":
            raise Problem(409, "not-approved", f"奖励 {award.id} 状态为 {award.state}，不能按本批次支付",
                          f"Award {award.id} is {award.state}: it cannot be paid by this batch",
                          award_id=award.id, state=award.state)
        if it.result == "paid":
            workflow.transition(s, who, award.id, "disburse", f"支付批次 {b.number} 第 {line.seq} 笔", it.voucher)
            line.voucher = it.voucher
        else:
            line.returned_reason, line.open_award_id = it.reason, None  # back in the queue
        line.result, line.result_by, line.result_at = it.result, who.actor, utcnow()
        s.flush()
        audit.record(s, who.actor, f"payment_line.{it.result}", "award", str(award.id), None,
                     {"batch": b.number, "seq": line.seq, "voucher": line.voucher, "reason": line.returned_reason})
    if todo and all(x.result is not None for x in lines):
        b.state, b.settled_at = "settled", utcnow()
        s.flush()
        audit.record(s, who.actor, "payment_batch.settled", "payment_batch", str(b.id), {"state": "exported"},
                     {"state": "settled"})
    return b


def line_public(x: PaymentLine, program: str, uscc: str | None) -> LinePublic:
    return LinePublic(seq=x.seq, award_id=x.award_id, program=program, uscc=uscc, payee_id=x.payee_id,
                      payee_name=x.payee_name, bank_name=x.bank_name, account_masked=x.account_mask,
                      amount_yuan=x.amount_yuan, purpose=x.purpose, result=x.result, voucher=x.voucher,
                      returned_reason=x.returned_reason, result_at=x.result_at)


def public(b: PaymentBatch, lines: list[PaymentLine]) -> dict:
    paid = [x for x in lines if x.result == "paid"]
    returned = [x for x in lines if x.result == "returned"]
    return {c: getattr(b, c) for c in ("id", "number", "state", "count", "amount_yuan", "note", "created_by",
                                       "created_at", "exported_at", "settled_at", "cancelled_at", "cancelled_by",
                                       "cancel_reason")} | {
        "paid_count": len(paid), "paid_yuan": sum(x.amount_yuan for x in paid),
        "returned_count": len(returned), "returned_yuan": sum(x.amount_yuan for x in returned)}


def summary(s: Session, b: PaymentBatch) -> BatchPublic:
    return BatchPublic.model_validate(public(b, repository.lines(s, b.id)))


def detail(s: Session, b: PaymentBatch) -> BatchDetail:
    lines = repository.lines(s, b.id)
    awards = repository.awards_of(s, [x.award_id for x in lines])
    return BatchDetail.model_validate({**public(b, lines), "lines": [
        line_public(x, awards[x.award_id].program, awards[x.award_id].uscc) for x in lines]})


def get(s: Session, batch_id: int) -> BatchDetail:
    return detail(s, _batch(s, batch_id))


def queue(s: Session) -> Queue:
    waiting = repository.queue(s)
    records = payees.of_many(s, {(a.payee_type, a.payee) for a in waiting})
    returned = repository.last_returned(s, [a.id for a in waiting])
    items = []
    for a in waiting:
        p = records.get((a.payee_type, a.payee))
        items.append({"award_id": a.id, "program": a.program, "uscc": a.uscc, "payee": a.payee,
                      "payee_type": a.payee_type, "amount_yuan": a.amount_yuan, "budget_year": a.budget_year,
                      "payee_id": p.id if p else None, "account_masked": p.account_mask if p else None,
                      "last_returned_reason": returned.get(a.id)})
    return Queue.model_validate({"items": items, "count": len(items), "amount_yuan": sum(a.amount_yuan for a in waiting)})
