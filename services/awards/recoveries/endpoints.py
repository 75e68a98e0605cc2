"""Receivable routes: thin."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.awards.auth import LedgerReader, Treasurer
from services.awards.recoveries import repository, service
from services.awards.recoveries.schemas import (
    ReceivableDetail,
    ReceivablePublic,
    ReceivableState,
    RepaymentIn,
    WriteOffIn,
)
from shared.filters import UsccFilter
from shared import pagination
from shared.schemas import Page
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["awards"])

ReceivableId = Annotated[int, Path(ge=1, le=2**63 - 1, description="应收款编号 / the receivable's id")]


@router.get("/receivables", summary="应收追回款 / Receivables opened by claw-backs")
def list_receivables(who: LedgerReader, session: ReadSession,
                     state: Annotated[list[ReceivableState] | None, Query(description="状态，可多选 / the state; repeat "
                                                                                      "for several")] = None,
                     year: Annotated[int | None, Query(ge=2000, le=2100, description="原拨付的预算年度 / the budget "
                                                                                     "year that paid the award")] = None,
                     uscc: UsccFilter = None,
                     limit: pagination.Limit = 100, cursor: pagination.Cursor = None) -> Page[ReceivablePublic]:
    """追回奖励形成的应收款，按状态、预算年度、企业筛选；园区只见本园区的。
    Receivables opened by claw-backs, filtered by state, budget year and enterprise; a park sees only its own."""
    items = repository.page(session, who, pagination.decode_id(cursor), limit + 1, state, year, uscc)
    found = pagination.page(items, limit, key=lambda r: str(r.id))
    return {**found, "items": [service.public(r) for r in found["items"]]}


@router.get("/receivables/{receivable_id}", summary="应收追回款详情 / One receivable with its repayments")
def get_receivable(receivable_id: ReceivableId, who: LedgerReader, session: ReadSession) -> ReceivableDetail:
    """一笔应收追回款及其还款记录。One receivable with its repayments."""
    return service.get(session, who, receivable_id)


@router.post("/receivables/{receivable_id}/repayments", summary="登记追回款到账（区财政局） / Record a repayment "
                                                               "(区财政局)",
             responses={409: {"description": "超过尚欠金额、凭证号已用或已结清 / more than is owed, a used voucher, "
                                             "or closed"}})
def repay(receivable_id: ReceivableId, body: RepaymentIn, who: Treasurer, session: WriteSession) -> ReceivableDetail:
    """登记一笔（可部分）还款：不超过尚欠金额，日期不晚于今天，一张凭证只登记一笔；记入台账（追回到账）。
    Records a repayment (partial too): at most what is outstanding, not after today, one voucher each; booked
    in the ledger as `recovered`."""
    r = service.repay(session, who, receivable_id, body.amount_yuan, body.on, body.voucher, body.note)
    return service.detail(session, r)


@router.post("/receivables/{receivable_id}/write-off", summary="核销应收追回款（区财政局） / Write off what is still "
                                                              "owed (区财政局)")
def write_off(receivable_id: ReceivableId, body: WriteOffIn, who: Treasurer, session: WriteSession
              ) -> ReceivableDetail:
    """核销尚欠金额（须写明理由），记入台账（核销）。Writes off what is still owed, with the reason (a `written_off`
    ledger entry)."""
    return service.detail(session, service.write_off(session, who, receivable_id, body.reason))
