"""Finance routes: thin; the use cases are in service.py."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from services.finance import service
from services.finance.models import InterestSubsidy, Loan, Product, RiskSplit
from services.finance.schemas import (DecisionIn, DefaultIn, DrawIn, ExtendIn, LoanIn, LoanState, ParameterIn,
                                      ProductIn, ProductKind, RepayIn, ServiceListPage, SubsidyIn)
from shared import pagination
from shared.auth import Caller, Principal
from shared.clock import today
from shared.db import for_update
from shared.errors import Problem, not_found
from shared.tiers import Tier

router = APIRouter(tags=["finance"])

# Any bank reads the whole list: it is the list of enterprises banks may offer SRDI products to.
ListReader = Caller("bank", "finance", "econ", "auditor")
Manager = Caller("finance")  # 区金融服务办: parameters, products, list maintenance
ParamReader = Caller("finance", "econ", "treasury", "bank", "auditor")
ProductReader = Caller("bank", "finance", "econ", "auditor")
LoanReader = Caller("bank", "finance", "econ", "treasury", "auditor")
LoanWriter = Caller("bank")  # a bank reports its own customers' loans


def scoped(stmt, who: Principal):
    """The one place object scoping lives: a bank sees only the loan cases it reported."""
    return stmt.where(Loan.bank == who.org) if who.role == "bank" else stmt


def _loan(s, loan_id: int, who: Principal, lock: bool = False) -> Loan:
    stmt = scoped(select(Loan).where(Loan.id == loan_id), who)
    loan = s.scalars(for_update(s, stmt) if lock else stmt).first()
    if loan is None:
        raise not_found("贷款", "Loan", str(loan_id))
    return loan


# -- service list ----------------------------------------------------------------------------------

@router.get("/service-list", response_model=ServiceListPage, response_model_exclude_unset=True,
            summary="专精特新企业服务名单: enterprises banks may offer SRDI products to")
def get_service_list(request: Request, who: ListReader, limit: pagination.Limit = 100,
                     cursor: pagination.Cursor = None,
                     changed_since: Annotated[dt.date | None, Query(
                         description="YYYY-MM-DD: only entries changed on or after it, removed ones included "
                                     "(with removed_on), for a bank's sync")] = None,
                     tier: Annotated[Tier | None, Query()] = None):
    after = pagination.decode(cursor)
    with request.app.state.db.reader() as s:
        items = service.service_list(s, limit, after, changed_since, tier)
    return pagination.page(items, limit, key=lambda d: d["uscc"])


@router.get("/service-list/{uscc}", summary="One enterprise's entry on the service list (listed or removed)")
def get_service_list_entry(uscc: str, request: Request, who: ListReader):
    with request.app.state.db.reader() as s:
        return service.entry_dict(service.listed_entry(s, uscc.upper()), with_removal=True)


@router.post("/service-list/rebuild", summary="Re-judge every entry against the threshold in force today")
def rebuild_service_list(request: Request, who: Manager):
    with request.app.state.db.transaction() as s:
        return {"changed": service.rebuild_service_list(s, today(), who.actor)}


# -- parameters ----------------------------------------------------------------------------------------

@router.get("/parameters", summary="Finance policy parameters in force on a date, with legal references")
def get_parameters(request: Request, who: ParamReader,
                   on: Annotated[dt.date | None, Query(description="YYYY-MM-DD; default today")] = None):
    with request.app.state.db.reader() as s:
        return service.parameters_on(s, on or today())


@router.post("/parameters", status_code=201, summary="Add a dated parameter value (history is never edited)")
def add_parameter(body: ParameterIn, request: Request, who: Manager):
    with request.app.state.db.transaction() as s:
        return service.add_parameter(s, who.actor, body, today())


# -- products ------------------------------------------------------------------------------------------

@router.get("/products", summary="The catalogue: 专精特新贷 (loan), 专精特新保 (guarantee), 专精特新险 (insurance)")
def list_products(request: Request, who: ProductReader, limit: pagination.Limit = 100,
                  cursor: pagination.Cursor = None, kind: Annotated[ProductKind | None, Query()] = None,
                  provider_org: Annotated[str | None, Query(max_length=64)] = None):
    after = pagination.decode(cursor)
    stmt = select(Product).order_by(Product.id).limit(limit + 1)
    if after:
        stmt = stmt.where(Product.id > _int_key(after))
    if kind:
        stmt = stmt.where(Product.kind == kind)
    if provider_org:
        stmt = stmt.where(Product.provider_org == provider_org)
    with request.app.state.db.reader() as s:
        items = [service.product_dict(p) for p in s.scalars(stmt)]
    return pagination.page(items, limit, key=lambda d: str(d["id"]))


@router.get("/products/{product_id}", summary="One product")
def get_product(product_id: int, request: Request, who: ProductReader):
    with request.app.state.db.reader() as s:
        p = s.get(Product, product_id)
        if p is None:
            raise not_found("产品", "Product", str(product_id))
        return service.product_dict(p)


@router.post("/products", status_code=201, summary="Add a product to the catalogue")
def create_product(body: ProductIn, request: Request, who: Manager):
    with request.app.state.db.transaction() as s:
        return service.product_dict(service.create_product(s, who.actor, body))


# -- loan cases ----------------------------------------------------------------------------------------

def _int_key(key: str) -> int:
    try:
        return int(key)
    except ValueError as e:
        raise Problem(422, "bad-cursor", "分页游标无效", "The cursor is not one this API gave out",
                      errors=[{"loc": ["query", "cursor"], "msg": "invalid cursor", "type": "bad-cursor"}]) from e


def _loan_full(s, loan: Loan) -> dict:
    doc = service.loan_dict(s, loan, history=True)
    sub = s.scalars(select(InterestSubsidy).where(InterestSubsidy.loan_id == loan.id)).first()
    split = s.scalars(select(RiskSplit).where(RiskSplit.loan_id == loan.id)).first()
    doc["interest_subsidy"] = sub and service.subsidy_dict(sub)
    doc["risk_split"] = split and service.split_dict(split)
    return doc


@router.post("/loans", status_code=201, summary="Report a loan application (the bank is the caller's org)")
def create_loan(body: LoanIn, request: Request, who: LoanWriter):
    with request.app.state.db.transaction() as s:
        loan = service.create_loan(s, who.actor, who.org, body)
        return service.loan_dict(s, loan)


@router.get("/loans", summary="Loan cases (a bank sees only its own)")
def list_loans(request: Request, who: LoanReader, limit: pagination.Limit = 100, cursor: pagination.Cursor = None,
               uscc: Annotated[str | None, Query(max_length=18)] = None,
               state: Annotated[LoanState | None, Query()] = None):
    after = pagination.decode(cursor)
    stmt = scoped(select(Loan), who).order_by(Loan.id).limit(limit + 1)
    if after:
        stmt = stmt.where(Loan.id > _int_key(after))
    if uscc:
        stmt = stmt.where(Loan.uscc == uscc.upper())
    if state:
        stmt = stmt.where(Loan.state == state)
    with request.app.state.db.reader() as s:
        items = [service.loan_dict(s, loan) for loan in s.scalars(stmt)]
    return pagination.page(items, limit, key=lambda d: str(d["id"]))


@router.get("/loans/{loan_id}", summary="One loan case with its history, subsidy and risk split")
def get_loan(loan_id: int, request: Request, who: LoanReader):
    with request.app.state.db.reader() as s:
        return _loan_full(s, _loan(s, loan_id, who))


@router.post("/loans/{loan_id}/decision", summary="The bank's decision: approve or decline")
def decide(loan_id: int, body: DecisionIn, request: Request, who: LoanWriter):
    with request.app.state.db.transaction() as s:
        return service.loan_dict(s, service.decide(s, who.actor, _loan(s, loan_id, who, lock=True), body))


@router.post("/loans/{loan_id}/draw", summary="The loan is drawn (放款)")
def draw(loan_id: int, body: DrawIn, request: Request, who: LoanWriter):
    with request.app.state.db.transaction() as s:
        return service.loan_dict(s, service.draw(s, who.actor, _loan(s, loan_id, who, lock=True), body))


@router.post("/loans/{loan_id}/extend", summary="Extension (展期) or renewal (续期): a later due date")
def extend(loan_id: int, body: ExtendIn, request: Request, who: LoanWriter):
    with request.app.state.db.transaction() as s:
        return service.loan_dict(s, service.extend(s, who.actor, _loan(s, loan_id, who, lock=True), body, today()))


@router.post("/loans/{loan_id}/repay", summary="The loan is repaid")
def repay(loan_id: int, body: RepayIn, request: Request, who: LoanWriter):
    with request.app.state.db.transaction() as s:
        return service.loan_dict(s, service.repay(s, who.actor, _loan(s, loan_id, who, lock=True), body))


@router.post("/loans/{loan_id}/default", summary="Non-performing: split the loss, compute district compensation")
def default(loan_id: int, body: DefaultIn, request: Request, who: LoanWriter):
    with request.app.state.db.transaction() as s:
        loan = _loan(s, loan_id, who, lock=True)
        split = service.default(s, who.actor, loan, body)
        return {"loan": service.loan_dict(s, loan), "risk_split": service.split_dict(split)}


@router.post("/loans/{loan_id}/interest-subsidy", status_code=201,
             summary="首贷贴息: compute the first-loan interest subsidy from the first year's interest")
def interest_subsidy(loan_id: int, body: SubsidyIn, request: Request, who: LoanWriter):
    with request.app.state.db.transaction() as s:
        return service.subsidy_dict(service.claim_subsidy(s, who.actor, _loan(s, loan_id, who, lock=True), body))
