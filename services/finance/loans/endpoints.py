"""Loan-case routes: thin; the use cases are in service.py and subsidy.py. A bank sees the cases it
lends on or provides the product for (repository.readable); another's case is 404."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.finance.auth import LoanReader, LoanWriter, PayableAsker
from services.finance.loans import repository, service, subsidy
from services.finance.loans.schemas import (
    STATE,
    DecisionIn,
    DefaultIn,
    DefaultPublic,
    DrawIn,
    ExtendIn,
    LoanDetail,
    LoanIn,
    LoanPublic,
    LoanState,
    RepayIn,
    RepaymentIn,
    RepaymentPublic,
)
from services.finance.loans.subsidy_schemas import QUARTER, SubsidySchedule
from services.finance.payables import service as payables
from services.finance.payables.schemas import PayablePublic
from shared.filters import UsccFilter
from shared import pagination
from shared.clock import today
from shared.pagination import Cursor, Limit
from shared.schemas import Page
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["loans"])

LoanId = Annotated[int, Path(description="贷款案件编号 / loan case id")]


@router.post("/loans", status_code=201, response_model=LoanPublic,
             summary="报送贷款申请 / report a loan application (the bank is the caller's org)")
def create_loan(body: LoanIn, who: LoanWriter, session: WriteSession):
    """银行报送服务名单上企业的贷款申请。A bank reports a loan application of an enterprise on the service list."""
    return service.public(session, service.create_loan(session, who.actor, who.org, body, today()))


@router.get("/loans", response_model=Page[LoanPublic], summary="贷款案件 / loan cases (a bank sees only its own)")
def list_loans(who: LoanReader, session: ReadSession, limit: Limit = 100, cursor: Cursor = None,
               uscc: UsccFilter = None,
               state: Annotated[LoanState | None, Query(description=STATE)] = None):
    """贷款案件按编号分页；银行只看到本行放贷或本机构提供产品的案件。
    Loan cases by id, a keyset page; a bank sees the cases it lends on or provides the product for."""
    rows = repository.page(session, who, limit, pagination.decode_id(cursor), uscc, state)
    return pagination.page([service.public(session, loan) for loan in rows], limit, key=lambda x: str(x.id))


@router.get("/loans/{loan_id}", response_model=LoanDetail,
            summary="一个贷款案件 / one loan case with its history, subsidy and risk split")
def get_loan(loan_id: LoanId, who: LoanReader, session: ReadSession):
    """案件及其变更记录、还款记录、首贷贴息与不良分担。
    The case with its history, repayment records, first-loan subsidy and risk split."""
    return service.detail(session, service.loan_for(session, who, loan_id), today())


@router.post("/loans/{loan_id}/decision", response_model=LoanPublic,
             summary="银行审批 / the bank's decision: approve or decline")
def decide(loan_id: LoanId, body: DecisionIn, who: LoanWriter, session: WriteSession):
    """放贷银行批准或拒绝申请。The lending bank approves or declines the application."""
    return service.public(session, service.decide(session, who.actor, service.lent(session, who, loan_id), body))


@router.post("/loans/{loan_id}/provider-decision", status_code=201, response_model=LoanPublic,
             summary="担保或保险机构的决定 / the guarantor's (专精特新保) or insurer's (专精特新险) own decision")
def provider_decide(loan_id: LoanId, body: DecisionIn, who: LoanWriter, session: WriteSession):
    """本案担保或保险产品的提供机构作出是否承保的决定，每个机构一次。
    The provider of the case's guarantee or insurance product decides whether to cover it, once."""
    loan = service.loan_for(session, who, loan_id, lock=True)
    return service.public(session, service.provider_decide(session, who.actor, who.org, loan, body))


@router.post("/loans/{loan_id}/draw", response_model=LoanPublic, summary="放款 / the loan is drawn")
def draw(loan_id: LoanId, body: DrawIn, who: LoanWriter, session: WriteSession):
    """放贷银行报送放款金额、利率与到期日。The lending bank reports the amount drawn, the rate and the due date."""
    return service.public(session, service.draw(session, who.actor, service.lent(session, who, loan_id), body))


@router.post("/loans/{loan_id}/extend", response_model=LoanPublic,
             summary="展期、续期或调整还款计划 / extension, renewal or an adjusted repayment plan")
def extend(loan_id: LoanId, body: ExtendIn, who: LoanWriter, session: WriteSession):
    """新的到期日（及利率）。A later due date (and possibly a new rate)."""
    return service.public(session, service.extend(session, who.actor, service.lent(session, who, loan_id), body,
                                                  today()))


@router.post("/loans/{loan_id}/repay", response_model=LoanPublic, summary="结清 / the loan is repaid")
def repay(loan_id: LoanId, body: RepayIn, who: LoanWriter, session: WriteSession):
    """放贷银行报送贷款结清。The lending bank reports the loan repaid."""
    return service.public(session, service.repay(session, who.actor, service.lent(session, who, loan_id), body))


@router.post("/loans/{loan_id}/default", response_model=DefaultPublic,
             summary="认定不良 / non-performing: split the loss, compute the district's compensation")
def default(loan_id: LoanId, body: DefaultIn, who: LoanWriter, session: WriteSession):
    """按放款日生效的参数分担损失并计算区级风险补偿。
    Split the loss and compute the district's compensation by the parameters in force on the draw date."""
    loan = service.lent(session, who, loan_id)
    split = service.default(session, who.actor, loan, body)
    return {"loan": service.public(session, loan), "risk_split": split}


@router.post("/loans/{loan_id}/repayments", status_code=201, response_model=RepaymentPublic,
             summary="还款记录 / a repayment record: principal and the interest of a period, paid on a date")
def add_repayment(loan_id: LoanId, body: RepaymentIn, who: LoanWriter, session: WriteSession):
    """放贷银行报送一笔还本付息记录（首贷贴息据此计算）。
    The lending bank reports principal and interest paid (the first-loan subsidy is computed from them)."""
    return service.add_repayment(session, who.actor, service.lent(session, who, loan_id), body)


@router.get("/loans/{loan_id}/interest-subsidy", response_model=SubsidySchedule,
            responses={409: {"description": "贷款尚未放款 / the loan has not been drawn"}},
            summary="首贷贴息 / the first-loan interest subsidy by quarter, with what was paid")
def get_interest_subsidy(loan_id: LoanId, who: LoanReader, session: ReadSession):
    """按还款记录逐季度计算的首贷贴息及支付情况；未放款时 409。
    The subsidy quarter by quarter from the repayment records, with what was paid; 409 before the draw."""
    return subsidy.drawn_schedule(session, service.loan_for(session, who, loan_id), today())


@router.post("/loans/{loan_id}/interest-subsidy/{quarter}/request", status_code=201, response_model=PayablePublic,
             responses={409: {"description": "该季度已申请 / the quarter was asked for already"}},
             summary="申请拨付季度首贷贴息 / ask the treasury to pay a quarter's first-loan subsidy")
def request_interest_subsidy(loan_id: LoanId, quarter: Annotated[str, Path(description=QUARTER)], who: PayableAsker,
                             session: WriteSession):
    """区金融办在季度结束后核定该季度的首贷贴息，向区财政局申请拨付：财政局在奖励服务中按“首贷贴息”项目的预算批准并拨付。
    After the quarter, the finance office asks the treasury to pay its subsidy: the treasury approves it
    against the first-loan-subsidy budget and pays it in the awards service (award.changed moves it here)."""
    # request_subsidy locks every case of the enterprise, this one among them, in id order
    return subsidy.request_subsidy(session, who.actor, service.loan_for(session, who, loan_id), quarter, today())


@router.post("/loans/{loan_id}/compensation/request", status_code=201, response_model=list[PayablePublic],
             responses={409: {"description": "未认定不良，或已申请 / not non-performing, or asked for already"}},
             summary="申请拨付不良贷款风险补偿 / ask the treasury to pay a non-performing loan's compensation")
def request_compensation(loan_id: LoanId, who: PayableAsker, session: WriteSession):
    """区金融办核定不良贷款的区级风险补偿后向区财政局申请拨付：每个收款方（银行、担保机构）一笔，按“不良贷款风险补偿”项目的预算批准并拨付。
    The finance office asks the treasury to pay the district's compensation of a non-performing loan: one
    payable per recipient (the bank, the guarantor), approved against the npl-compensation budget."""
    loan = service.loan_for(session, who, loan_id)
    return payables.compensation(session, who.actor, loan, repository.risk_split(session, loan.id), today())
