"""Payment batch routes: thin."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import ValidationError

from services.awards.auth import PayeeReader, Treasurer
from services.awards.payees.service import cipher_of
from services.awards.payments import repository, service
from services.awards.payments.schemas import (
    BatchCreated,
    BatchDetail,
    BatchIn,
    BatchPublic,
    BatchState,
    CancelIn,
    Queue,
    ResultIn,
)
from shared import pagination
from shared.errors import Problem
from shared.schemas import Page
from shared.sessions import ReadSession, WriteSession
from shared.sheets import FILE_ANSWER, XLSX

router = APIRouter(tags=["awards"])

BatchId = Annotated[int, Path(ge=1, le=2**31 - 1, description="支付批次编号 / the batch's id")]
Format = Annotated[Literal["xlsx", "csv"], Query(description="文件格式：xlsx 或 csv / the file format")]
RESULT_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": ResultIn.model_json_schema()},
    "text/csv": {"schema": {"type": "string", "format": "binary"}},
    XLSX: {"schema": {"type": "string", "format": "binary"}}}}}


@router.get("/payment-queue", summary="待支付的已批准奖励 / Approved awards waiting to be paid")
def payment_queue(who: PayeeReader, session: ReadSession) -> Queue:
    """已批准、不在未办结支付批次中的奖励（退回的支付回到这里），及其收款方账户是否已登记。
    Approved awards in no open batch (a returned payment's award is back here), and whether their payee is set."""
    return service.queue(session)


@router.get("/payment-batches", summary="支付批次 / Payment batches")
def list_batches(who: PayeeReader, session: ReadSession,
                 state: Annotated[list[BatchState] | None, Query(description="状态，可多选 / the state")] = None,
                 limit: pagination.Limit = 100, cursor: pagination.Cursor = None) -> Page[BatchPublic]:
    """支付批次，新的在前。Payment batches, newest first."""
    items = repository.page(session, pagination.decode_id(cursor), limit + 1, state)
    found = pagination.page(items, limit, key=lambda b: str(b.id))
    return {**found, "items": [service.summary(session, b) for b in found["items"]]}


@router.post("/payment-batches", status_code=201, summary="生成支付批次（区财政局） / Build a payment batch (区财政局)",
             responses={409: {"description": "有奖励不能纳入（列出）或没有可支付的奖励 / awards that cannot be batched"}})
def create_batch(body: BatchIn, who: Treasurer, session: WriteSession) -> BatchCreated:
    """由已批准的奖励生成支付批次（草稿）：指定奖励编号（全部或全不），或不指定：所有已登记收款方、不在未办结批次中的已批准奖励。
    Builds a draft batch of the given approved awards (all or none), or of every approved award with a payee
    record in no open batch."""
    batch, left_out = service.create(session, who, body.award_ids, body.note)
    return BatchCreated.model_validate({**service.detail(session, batch).model_dump(), "left_out": left_out})


@router.get("/payment-batches/{batch_id}", summary="支付批次详情 / One batch with its lines")
def get_batch(batch_id: BatchId, who: PayeeReader, session: ReadSession) -> BatchDetail:
    """支付批次及其明细（账号脱敏）。A batch with its lines, accounts masked."""
    return service.get(session, batch_id)


@router.get("/payment-batches/{batch_id}/export", summary="导出支付文件（区财政局） / The payment system's file "
                                                          "(区财政局)", response_class=Response, responses=FILE_ANSWER)
def export_batch(batch_id: BatchId, who: Treasurer, session: WriteSession, request: Request, format: Format = "xlsx"):
    """支付系统文件：中文表头，每笔一行（账号完整），末行为合计（笔数、金额、SHA-256 校验值）；首次导出后批次为“已导出”。
    The file for the payment system: Chinese headers, a line per award (the account in full), then the checksum
    line (count, sum, SHA-256); the first export marks the batch exported."""
    return service.export(session, who, cipher_of(request.app.state), batch_id, format)


@router.post("/payment-batches/{batch_id}/cancel", summary="取消未导出的支付批次（区财政局） / Cancel a draft batch "
                                                           "(区财政局)",
             responses={409: {"description": "批次已导出，不能取消 / the batch was exported: record its result"}})
def cancel_batch(batch_id: BatchId, body: CancelIn, who: Treasurer, session: WriteSession) -> BatchDetail:
    """取消尚未导出的草稿批次：其中的奖励回到待支付（仍为已批准、预算仍预留）；再次取消不再改变任何东西。已导出的批次不能取消。
    Cancels a draft batch: its awards go back to the queue (still approved and reserved); cancelling again changes
    nothing. An exported batch cannot be cancelled (409 `already-exported`)."""
    return service.detail(session, service.cancel(session, who, batch_id, body.reason))


async def _raw_body(request: Request) -> bytes:
    return await request.body()


@router.post("/payment-batches/{batch_id}/result", summary="登记支付结果（区财政局） / Record the payment system's "
                                                           "result (区财政局)", openapi_extra=RESULT_BODY,
             responses={422: {"description": "结果文件有误（列出行号），未登记任何结果 / a bad file (the line numbers)"}})
def record_result(batch_id: BatchId, who: Treasurer, session: WriteSession, request: Request,
                  body: Annotated[bytes, Depends(_raw_body)]) -> BatchDetail:
    """支付系统的回盘：CSV/XLSX（奖励编号或序号、结果 成功/退回、凭证号、退回原因）或 JSON。成功的拨付该奖励；退回的记录原因、
    奖励回到待支付；同一文件再次提交不再改变任何东西。
    The payment system's result as CSV/XLSX (奖励编号 or 序号, 结果, 凭证号, 退回原因) or JSON lines: a paid line
    disburses its award, a returned line records why and puts the award back in the queue; idempotent."""
    kind = request.headers.get("content-type", "")
    if "json" in kind:
        try:
            items, errors = service.from_json(ResultIn.model_validate_json(body).lines), []
        except ValidationError as e:
            raise Problem(422, "validation", "支付结果格式有误", "The result body is not valid",
                          errors=[{"loc": ["body", *x["loc"]], "msg": x["msg"], "type": x["type"]}
                                  for x in e.errors(include_url=False)]) from None
    else:
        items, errors = service.read_file(body, kind)
    return service.detail(session, service.record_result(session, who, batch_id, items, errors))
