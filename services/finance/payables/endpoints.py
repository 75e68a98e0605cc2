"""Payable routes: thin. What the finance office asked the treasury to pay and where each stands; the
requests themselves are on the loan (loans/endpoints.py)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.finance.auth import PayableReader
from services.finance.payables import repository, service
from services.finance.payables.schemas import KIND, STATE, Kind, PayablePublic, State
from shared import pagination
from shared.pagination import Cursor, Limit
from shared.schemas import Page
from shared.sessions import ReadSession

router = APIRouter(tags=["payables 拨付申请"])


@router.get("/payables", response_model=Page[PayablePublic],
            summary="拨付申请 / subsidies and compensations asked of the treasury (a bank: its own loans')")
def list_payables(who: PayableReader, session: ReadSession, limit: Limit = 100, cursor: Cursor = None,
                  kind: Annotated[Kind | None, Query(description=KIND)] = None,
                  state: Annotated[State | None, Query(description=STATE)] = None,
                  loan_id: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="贷款案件编号 / loan case id")] = None):
    """首贷贴息和不良贷款风险补偿的拨付申请及财政审批进度，按编号分页；银行只看到本机构参与的贷款案件的申请。
    Subsidies and compensations asked of the treasury and where each stands, a keyset page by id; a
    bank sees those of the loan cases it is party to."""
    rows = repository.page(session, who, pagination.decode_id(cursor), limit, kind, state, loan_id)
    return pagination.page([PayablePublic.model_validate(p) for p in rows], limit, key=lambda x: str(x.id))


@router.get("/payables/{payable_id}", response_model=PayablePublic, summary="一笔拨付申请 / one payable")
def get_payable(payable_id: Annotated[int, Path(ge=1, le=2**31 - 1, description="申请编号 / the payable's id")],
                who: PayableReader, session: ReadSession):
    """一笔拨付申请及其财政审批进度。One payable and where it stands."""
    return service.visible(session, who, payable_id)
