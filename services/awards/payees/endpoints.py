"""Payee routes: thin."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from services.awards.auth import PayeeReader, Treasurer
from services.awards.payees import repository, service
from services.awards.payees.schemas import PayeeIn, PayeeKind, PayeePublic
from shared import pagination
from shared.schemas import Page
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["awards"])

PayeeId = Annotated[int, Path(ge=1, le=2**31 - 1, description="收款方编号 / the payee's id")]


@router.get("/payees", summary="收款方（账号脱敏） / Payees, accounts masked")
def list_payees(who: PayeeReader, session: ReadSession,
                kind: Annotated[PayeeKind | None, Query(description="收款方类型 / the kind")] = None,
                ref: Annotated[str | None, Query(max_length=200, description="奖励所载收款方 / the award's payee")] = None,
                limit: pagination.Limit = 100, cursor: pagination.Cursor = None) -> Page[PayeePublic]:
    """收款方及其开户行、脱敏账号。Payees with their bank and masked account."""
    items = repository.page(session, pagination.decode_id(cursor), limit + 1, kind, ref)
    found = pagination.page(items, limit, key=lambda p: str(p.id))
    return {**found, "items": [service.public(p) for p in found["items"]]}


@router.get("/payees/{payee_id}", summary="收款方详情 / One payee")
def get_payee(payee_id: PayeeId, who: PayeeReader, session: ReadSession) -> PayeePublic:
    """一个收款方（账号脱敏）。One payee, its account masked."""
    return service.get(session, payee_id)


@router.put("/payees", summary="登记或更新收款方账户（区财政局） / Set a payee's bank account (区财政局)")
def put_payee(body: PayeeIn, who: Treasurer, session: WriteSession, request: Request) -> PayeePublic:
    """按（类型，奖励所载收款方）登记或更新户名、开户行、账号；账号加密保存，只以脱敏形式显示；留痕（脱敏）。
    Creates or updates the payee of (kind, ref); the account is stored encrypted, shown masked, audited masked."""
    cipher = service.cipher_of(request.app.state)
    return service.public(service.put(session, who, cipher, body.kind, body.ref, body.name, body.bank_name,
                                      body.account))
