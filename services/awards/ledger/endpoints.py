"""Budget and ledger routes: thin."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.awards.auth import BudgetReader, LedgerReader, Treasurer
from services.awards.ledger import repository, service
from services.awards.ledger.schemas import BudgetIn, BudgetPublic, EntryPublic, YearBudgets
from services.awards.workflow.schemas import Program
from shared.filters import UsccFilter
from shared import pagination
from shared.schemas import Page
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["awards"])

Year = Annotated[int, Path(ge=2000, le=2100, description="预算年度 / the budget year")]
ProgramPath = Annotated[Program, Path(description="奖励项目 / the programme")]
QueryYear = Annotated[int, Query(ge=2000, le=2100, description="记账年度 / the year of booking")]


@router.put("/budgets/{year}/{program}", summary="设定项目年度预算（区财政局） / Set a program's budget for a year "
                                                 "(区财政局)",
            responses={409: {"description": "预算低于已占用与已拨付之和 / below what is reserved and paid"}})
def put_budget(year: Year, program: ProgramPath, body: BudgetIn, who: Treasurer,
               session: WriteSession) -> BudgetPublic:
    """区财政局设定某项目某年度的预算；不得低于已预留和已拨付之和（409）。
    The treasury sets a programme's allocation for a year; never below what is reserved and paid (409)."""
    return service.set_budget(session, year, program, body.allocated_yuan, who.actor)


@router.get("/budgets/{year}", summary="年度预算执行 / Allocated, reserved, disbursed and remaining per program")
def get_budgets(year: Year, who: BudgetReader, session: ReadSession) -> YearBudgets:
    """各项目的预算、已预留、已拨付、已追回（及其到账、核销、尚未到账）、上年结转待批和剩余（由台账计算）及合计。
    Per programme: allocated, reserved, disbursed, clawed back (recovered, written off, still owed), carried over
    from the year before and remaining (from the ledger), and totals."""
    return service.year_figures(session, year)


@router.get("/ledger", summary="奖励台账 / Immutable ledger entries of a year (by booking date)")
def get_ledger(who: LedgerReader, session: ReadSession, year: QueryYear, limit: pagination.Limit = 100,
               cursor: pagination.Cursor = None, uscc: UsccFilter = None) -> Page[EntryPublic]:
    """某年度记账的不可更改台账条目，按序号分页；园区只见本园区奖励的条目。
    The immutable ledger entries booked in a year, paged by id; a park sees only its own awards' entries."""
    first, last = service.year_range(year)
    items = repository.page(session, who, first, last, pagination.decode_id(cursor), limit + 1, uscc)
    return pagination.page(items, limit, key=lambda x: str(x.id))
