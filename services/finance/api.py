"""Finance routes: thin; the use cases are in service.py."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import or_, select

from services.finance import service
from services.finance.models import Loan, LoanRepayment, Product, RiskSplit
from services.finance.models import FundInvestment, GuidanceFund, ListingPipeline, MatchmakingEvent
from services.finance.schemas import (AttendeesIn, DecisionIn, DefaultIn, DrawIn, ExtendIn, FundIn, InvestmentIn, LoanIn,
                                      LoanState, MatchmakingIn, ProductIn, ProductKind, RepayIn,
                                      RepaymentIn, ServiceListPage, StageIn)
from shared import pagination
from shared.auth import Caller, Principal
from shared.clock import today
from shared.db import for_update
from shared.errors import Problem, not_found
from shared.tiers import Tier
from shared.validators import reason_zh, uscc_error

router = APIRouter(tags=["finance"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Any bank reads the whole list: it is the list of enterprises banks may offer SRDI products to.
ListReader = Caller("bank", "finance", "econ", "auditor")
Manager = Caller("finance")  # 区金融服务办: products, list maintenance (policy: SPEC.policy_writers)
ProductReader = Caller("bank", "finance", "econ", "auditor")
LoanReader = Caller("bank", "finance", "econ", "treasury", "auditor")
LoanWriter = Caller("bank")  # a bank reports its own customers' loans
SubsidyPayer = Caller("treasury")  # 区财政局 pays the first-loan subsidy
ProgrammeReader = Caller("finance", "econ", "auditor")  # listing pipeline, guidance funds
MatchmakingReader = Caller("finance", "econ", "auditor", "bank")  # a bank: the events it attended


def USCC_ARG(value: str) -> str:
    """A USCC in the path: upper-cased and checked (422, never a 500 on a bad one)."""
    value = value.strip().upper()
    err = uscc_error(value)
    if err:
        raise Problem(422, "invalid-uscc", f"统一社会信用代码无效：{reason_zh(err)}", f"invalid USCC: {err}",
                      errors=[{"loc": ["path", "uscc"], "msg": err, "type": "invalid-uscc"}])
    return value


def scoped(stmt, who: Principal):
    """The one place object scoping lives. A financial institution (role `bank`, org = its code: a
    bank, the government financing guarantor or an insurer) sees the loan cases it is party to:
    those it lends on (`loan.bank`) and those on a product it provides (`product.provider_org`, e.g.
    the guarantor of a 专精特新保 case, the insurer of a 专精特新险 case). Any other case is 404."""
    if who.role != "bank":
        return stmt
    provided = select(Product.id).where(Product.provider_org == who.org)
    return stmt.where(or_(Loan.bank == who.org, Loan.product_id.in_(provided)))


def _loan(s, loan_id: int, who: Principal, lock: bool = False, lender: bool = False) -> Loan:
    """A case in the caller's scope (else 404); `lender`: an action only the lending bank takes (403
    for a guarantor or insurer of the case, who sees it but does not lend)."""
    stmt = scoped(select(Loan).where(Loan.id == loan_id), who)
    loan = s.scalars(for_update(s, stmt) if lock else stmt).first()
    if loan is None:
        raise not_found("贷款", "Loan", str(loan_id))
    if lender and who.role == "bank" and loan.bank != who.org:
        raise Problem(403, "not-the-lender", "只有放贷银行可作此操作",
                      "Only the lending bank takes this step; a guarantor or insurer records its own decision "
                      "(POST /loans/{id}/provider-decision)")
    return loan


# -- service list ----------------------------------------------------------------------------------

@router.get("/service-list", response_model=ServiceListPage, response_model_exclude_unset=True,
            summary="专精特新企业服务名单: enterprises banks may offer SRDI products to")
def get_service_list(request: Request, who: ListReader, limit: pagination.Limit = 100,
                     cursor: pagination.Cursor = None,
                     changed_since: Annotated[dt.date | None, Query(
                         description="YYYY-MM-DD: only entries changed on or after it, removed ones included "
                                     "(with removed_on), for a bank's sync")] = None,
                     tier: Annotated[Tier | None, Query()] = None,
                     on: Annotated[dt.date | None, Query(description="YYYY-MM-DD: the list on that day "
                                                                     "(default today)")] = None):
    after = pagination.decode(cursor)
    with request.app.state.db.reader() as s:
        found = service.service_list(s, limit, after, changed_since, tier, on or today())
    items = [service.listing_dict(record, x, with_removal=changed_since is not None) for record, x in found]
    return pagination.page(items, limit, key=lambda d: d["uscc"])


@router.get("/service-list/export.xlsx", summary="The service list as an XLSX workbook (Chinese headers)",
            response_class=Response, responses={200: {"content": {XLSX: {}}}})
def export_service_list(request: Request, who: ListReader,
                        tier: Annotated[Tier | None, Query()] = None,
                        changed_since: Annotated[dt.date | None, Query()] = None):
    with request.app.state.db.reader() as s:
        body = service.service_list_xlsx(s, changed_since, tier, today())
    return Response(body, media_type=XLSX, headers={
        "Content-Disposition": 'attachment; filename="service-list.xlsx"'})


@router.get("/service-list/{uscc}", summary="One enterprise's entry on the service list (listed or removed)")
def get_service_list_entry(uscc: str, request: Request, who: ListReader,
                           on: Annotated[dt.date | None, Query(description="YYYY-MM-DD: the entry on that day "
                                                                           "(default today)")] = None):
    with request.app.state.db.reader() as s:
        return service.service_list_entry(s, uscc.strip().upper(), on or today())


@router.post("/service-list/rebuild", summary="Re-judge every entry against the threshold in force today")
def rebuild_service_list(request: Request, who: Manager):
    with request.app.state.db.transaction() as s:
        return {"changed": service.rebuild_service_list(s, today(), who.actor)}


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
    split = s.scalars(select(RiskSplit).where(RiskSplit.loan_id == loan.id)).first()
    doc["repayments"] = [service.repayment_dict(r) for r in s.scalars(
        select(LoanRepayment).where(LoanRepayment.loan_id == loan.id)
        .order_by(LoanRepayment.paid_on, LoanRepayment.id))]
    doc["interest_subsidy"] = service.subsidy_schedule(s, loan, today())
    doc["risk_split"] = split and service.split_dict(split)
    return doc


@router.post("/loans", status_code=201, summary="Report a loan application (the bank is the caller's org)")
def create_loan(body: LoanIn, request: Request, who: LoanWriter):
    with request.app.state.db.transaction() as s:
        loan = service.create_loan(s, who.actor, who.org, body, today())
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
        return service.loan_dict(s, service.decide(s, who.actor, _loan(s, loan_id, who, lock=True, lender=True),
                                                   body))


@router.post("/loans/{loan_id}/provider-decision", status_code=201,
             summary="The guarantor's (专精特新保) or insurer's (专精特新险) own decision on a case on its product")
def provider_decide(loan_id: int, body: DecisionIn, request: Request, who: LoanWriter):
    with request.app.state.db.transaction() as s:
        loan = _loan(s, loan_id, who, lock=True)
        service.provider_decide(s, who.actor, who.org, loan, body)
        return service.loan_dict(s, loan)


@router.post("/loans/{loan_id}/draw", summary="The loan is drawn (放款)")
def draw(loan_id: int, body: DrawIn, request: Request, who: LoanWriter):
    with request.app.state.db.transaction() as s:
        return service.loan_dict(s, service.draw(s, who.actor, _loan(s, loan_id, who, lock=True, lender=True), body))


@router.post("/loans/{loan_id}/extend", summary="Extension (展期) or renewal (续期): a later due date")
def extend(loan_id: int, body: ExtendIn, request: Request, who: LoanWriter):
    with request.app.state.db.transaction() as s:
        return service.loan_dict(s, service.extend(s, who.actor, _loan(s, loan_id, who, lock=True, lender=True),
                                                   body, today()))


@router.post("/loans/{loan_id}/repay", summary="The loan is repaid")
def repay(loan_id: int, body: RepayIn, request: Request, who: LoanWriter):
    with request.app.state.db.transaction() as s:
        return service.loan_dict(s, service.repay(s, who.actor, _loan(s, loan_id, who, lock=True, lender=True), body))


@router.post("/loans/{loan_id}/default", summary="Non-performing: split the loss, compute district compensation")
def default(loan_id: int, body: DefaultIn, request: Request, who: LoanWriter):
    with request.app.state.db.transaction() as s:
        loan = _loan(s, loan_id, who, lock=True, lender=True)
        split = service.default(s, who.actor, loan, body)
        return {"loan": service.loan_dict(s, loan), "risk_split": service.split_dict(split)}


@router.post("/loans/{loan_id}/repayments", status_code=201,
             summary="A repayment record: principal and the interest of a period, paid on a date")
def add_repayment(loan_id: int, body: RepaymentIn, request: Request, who: LoanWriter):
    with request.app.state.db.transaction() as s:
        loan = _loan(s, loan_id, who, lock=True, lender=True)
        return service.repayment_dict(service.add_repayment(s, who.actor, loan, body))


@router.get("/loans/{loan_id}/interest-subsidy",
            summary="首贷贴息 by quarter, computed from the repayment records, with what was paid")
def get_interest_subsidy(loan_id: int, request: Request, who: LoanReader):
    with request.app.state.db.reader() as s:
        loan = _loan(s, loan_id, who)
        sched = service.subsidy_schedule(s, loan, today())
        if sched is None:
            raise Problem(409, "invalid-loan-state", "贷款尚未放款", "The loan has not been drawn", state=loan.state)
        return sched


@router.post("/loans/{loan_id}/interest-subsidy/{quarter}/pay", status_code=201,
             summary="Pay a quarter's 首贷贴息 (treasury), after the quarter is over")
def pay_interest_subsidy(loan_id: int, quarter: str, request: Request, who: SubsidyPayer):
    with request.app.state.db.transaction() as s:
        # pay_subsidy locks every case of the enterprise, this one among them, in id order
        p = service.pay_subsidy(s, who.actor, _loan(s, loan_id, who), quarter, today())
        return {"loan_id": p.loan_id, "quarter": p.quarter, "amount_yuan": p.amount_yuan, "basis": p.basis}


# -- listing pipeline (上市培育) ------------------------------------------------------------------------

@router.put("/listings/{uscc}/stages", summary="Record a listing stage reached (股改→辅导备案→申报受理→注册/核准→上市)")
def record_stage(uscc: str, body: StageIn, request: Request, who: Manager):
    uscc = USCC_ARG(uscc)
    with request.app.state.db.transaction() as s:
        return service.pipeline_dict(s, service.record_stage(s, who.actor, uscc, body))


@router.post("/listings/{uscc}/stages", status_code=201, summary="Record a listing stage reached (same as PUT)")
def record_stage_post(uscc: str, body: StageIn, request: Request, who: Manager):
    return record_stage(uscc, body, request, who)


@router.get("/listings/progress", summary="A year's listing progress: stages reached, coached to listing")
def listing_progress(request: Request, who: ProgrammeReader,
                     year: Annotated[int, Query(ge=2000, le=2100)]):
    with request.app.state.db.reader() as s:
        return service.listing_progress(s, year)


@router.get("/listings", summary="Enterprises in the listing pipeline")
def list_listings(request: Request, who: ProgrammeReader, limit: pagination.Limit = 100,
                  cursor: pagination.Cursor = None,
                  stage: Annotated[str | None, Query(pattern="^(shareholding_reform|coaching_filed|"
                                                            "application_accepted|registered|listed)$")] = None):
    after = pagination.decode(cursor)
    stmt = select(ListingPipeline).order_by(ListingPipeline.uscc).limit(limit + 1)
    if after:
        stmt = stmt.where(ListingPipeline.uscc > after)
    if stage:
        stmt = stmt.where(ListingPipeline.stage == stage)
    with request.app.state.db.reader() as s:
        items = [service.pipeline_dict(s, p) for p in s.scalars(stmt)]
    return pagination.page(items, limit, key=lambda d: d["uscc"])


@router.get("/listings/{uscc}", summary="One enterprise's listing pipeline with its stages")
def get_listing(uscc: str, request: Request, who: ProgrammeReader):
    with request.app.state.db.reader() as s:
        return service.pipeline_dict(s, service.get_pipeline(s, uscc.upper()))


# -- matchmaking events (政银企对接) --------------------------------------------------------------------

def _matchmaking(s, event_id: int, who: Principal) -> MatchmakingEvent:
    m = s.get(MatchmakingEvent, event_id)
    if m is None or (who.role == "bank" and who.org not in m.banks):
        raise not_found("对接活动", "Matchmaking event", str(event_id))
    return m


def _bank_of(who: Principal) -> str | None:
    return who.org if who.role == "bank" else None


@router.post("/matchmaking-events", status_code=201, summary="Record a 政银企对接 event: date, banks, enterprises")
def create_matchmaking(body: MatchmakingIn, request: Request, who: Manager):
    with request.app.state.db.transaction() as s:
        return service.matchmaking_dict(s, service.create_matchmaking(s, who.actor, body))


@router.get("/matchmaking-events", summary="Matchmaking events (a bank: those it attended, with its own cases)")
def list_matchmaking(request: Request, who: MatchmakingReader, limit: pagination.Limit = 100,
                     cursor: pagination.Cursor = None, year: Annotated[int | None, Query(ge=2000, le=2100)] = None):
    after = pagination.decode(cursor)
    stmt = select(MatchmakingEvent).order_by(MatchmakingEvent.id)
    if after:
        stmt = stmt.where(MatchmakingEvent.id > _int_key(after))
    if year:
        stmt = stmt.where(MatchmakingEvent.held_on >= dt.date(year, 1, 1),
                          MatchmakingEvent.held_on <= dt.date(year, 12, 31))
    with request.app.state.db.reader() as s:
        rows = [m for m in s.scalars(stmt) if who.role != "bank" or who.org in m.banks][:limit + 1]
        items = [service.matchmaking_dict(s, m, _bank_of(who)) for m in rows]
    return pagination.page(items, limit, key=lambda d: str(d["id"]))


@router.get("/matchmaking-events/{event_id}", summary="One matchmaking event with the loan cases from it")
def get_matchmaking(event_id: int, request: Request, who: MatchmakingReader):
    with request.app.state.db.reader() as s:
        return service.matchmaking_dict(s, _matchmaking(s, event_id, who), _bank_of(who))


@router.post("/matchmaking-events/{event_id}/enterprises", summary="Add attending enterprises")
def add_attendees(event_id: int, body: AttendeesIn, request: Request, who: Manager):
    with request.app.state.db.transaction() as s:
        m = service.add_attendees(s, who.actor, _matchmaking(s, event_id, who), body.enterprises)
        return service.matchmaking_dict(s, m)


# -- guidance funds (政府引导基金) ----------------------------------------------------------------------

@router.post("/guidance-funds", status_code=201, summary="Add a guidance fund")
def create_fund(body: FundIn, request: Request, who: Manager):
    with request.app.state.db.transaction() as s:
        return service.fund_dict(service.create_fund(s, who.actor, body))


@router.get("/guidance-funds", summary="Guidance funds")
def list_funds(request: Request, who: ProgrammeReader):
    with request.app.state.db.reader() as s:
        return {"items": [service.fund_dict(f) for f in s.scalars(select(GuidanceFund).order_by(GuidanceFund.id))]}


@router.get("/guidance-funds/srdi-share", summary="All funds: share of SRDI enterprises against the floor")
def all_funds_share(request: Request, who: ProgrammeReader,
                    on: Annotated[dt.date | None, Query(description="YYYY-MM-DD; default today")] = None):
    with request.app.state.db.reader() as s:
        return service.fund_report(s, None, on or today())


@router.get("/guidance-funds/{fund_id}", summary="One fund with its investments")
def get_fund(fund_id: int, request: Request, who: ProgrammeReader):
    with request.app.state.db.reader() as s:
        f = service.get_fund(s, fund_id)
        invs = s.scalars(select(FundInvestment).where(FundInvestment.fund_id == f.id).order_by(FundInvestment.id))
        return {**service.fund_dict(f), "investments": [service.investment_dict(s, i) for i in invs]}


@router.post("/guidance-funds/{fund_id}/investments", status_code=201, summary="Record an investment")
def add_investment(fund_id: int, body: InvestmentIn, request: Request, who: Manager):
    with request.app.state.db.transaction() as s:
        return service.investment_dict(s, service.add_investment(s, who.actor, service.get_fund(s, fund_id), body))


@router.get("/guidance-funds/{fund_id}/srdi-share", summary="The fund's share of SRDI enterprises, with the list")
def fund_share(fund_id: int, request: Request, who: ProgrammeReader,
               on: Annotated[dt.date | None, Query(description="YYYY-MM-DD; default today")] = None):
    with request.app.state.db.reader() as s:
        service.get_fund(s, fund_id)
        return service.fund_report(s, fund_id, on or today())
