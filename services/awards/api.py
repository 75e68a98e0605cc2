"""Awards routes: thin; the use cases are in service.py."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body as BodyParam, Path as FPath, Query, Request, Response
from sqlalchemy import select

from services.awards import service
from services.awards.models import Award, LedgerEntry
from services.awards.schemas import BudgetIn, ClaimIn, DisburseIn, Program, RejectIn, ReviewIn, SimulationIn, State
from shared import pagination
from shared.auth import Caller, Principal
from shared.errors import field_error, not_found

router = APIRouter(tags=["awards"])

Reader = Caller("econ", "treasury", "auditor", "park")
Reviewer = Caller("econ")
Treasurer = Caller("treasury")
Rejecter = Caller("econ", "treasury")
TotalsReader = Caller("econ", "treasury", "auditor")


def scoped(stmt, who: Principal):
    """The one place object scoping lives: a park operator sees only the awards paid to its park."""
    if who.role == "park":
        return stmt.where(Award.payee_type == "park", Award.payee == who.org)
    return stmt


@router.get("/awards", summary="Awards, filtered; each with the basis that explains it")
def list_awards(request: Request, who: Reader, limit: pagination.Limit = 100, cursor: pagination.Cursor = None,
                uscc: Annotated[str | None, Query(max_length=18)] = None,
                program: Annotated[Program | None, Query()] = None,
                state: Annotated[State | None, Query()] = None):
    after = pagination.decode_id(cursor)
    stmt = scoped(select(Award), who).order_by(Award.id)
    if after is not None:
        stmt = stmt.where(Award.id > after)
    if uscc:
        stmt = stmt.where(Award.uscc == uscc)
    if program:
        stmt = stmt.where(Award.program == program)
    if state:
        stmt = stmt.where(Award.state == state)
    with request.app.state.db.reader() as s:
        items = [service.award_dict(a) for a in s.scalars(stmt.limit(limit + 1))]
    return pagination.page(items, limit, key=lambda d: str(d["id"]))


@router.get("/awards/{award_id}", summary="One award: rule, inputs, parameters, deductions, history")
def get_award(award_id: int, request: Request, who: Reader):
    with request.app.state.db.reader() as s:
        award = s.scalars(scoped(select(Award).where(Award.id == award_id), who)).first()
        if award is None:
            raise not_found("奖励", "Award", str(award_id))
        return service.award_dict(award, service.history_of(s, award_id))


def _act(request: Request, who: Principal, award_id: int, action: str, **kw) -> dict:
    with request.app.state.db.transaction() as s:
        award = service.transition(s, award_id, action, who.role, who.actor, **kw)
        return service.award_dict(award, service.history_of(s, award_id))


@router.post("/awards/{award_id}/review", summary="Review a computed award (区经信局)")
def review(award_id: int, request: Request, who: Reviewer,
           body: Annotated[ReviewIn | None, BodyParam()] = None):
    return _act(request, who, award_id, "review", reason=body.note if body else None)


@router.post("/awards/{award_id}/approve", summary="Approve a reviewed award (区财政局)")
def approve(award_id: int, request: Request, who: Treasurer,
            body: Annotated[ReviewIn | None, BodyParam()] = None):
    return _act(request, who, award_id, "approve", reason=body.note if body else None)


@router.post("/awards/{award_id}/disburse", summary="Record the payment of an approved award, with its voucher")
def disburse(award_id: int, body: DisburseIn, request: Request, who: Treasurer):
    return _act(request, who, award_id, "disburse", reason=body.note, voucher=body.voucher)


@router.post("/awards/{award_id}/reject", summary="Reject an award that is not yet paid")
def reject(award_id: int, body: RejectIn, request: Request, who: Rejecter):
    return _act(request, who, award_id, "reject", reason=body.reason)


@router.get("/enterprises/{uscc}/awards", summary="An enterprise's award totals (rejected and clawed back excluded)")
def enterprise_totals(uscc: str, request: Request, who: TotalsReader):
    with request.app.state.db.reader() as s:
        return service.totals(s, uscc)


# -- claims -----------------------------------------------------------------------------------------
Claimant = Caller("econ")
BudgetReader = Caller("econ", "treasury", "auditor")
LedgerReader = Caller("econ", "treasury", "auditor", "park")


@router.post("/claims", status_code=201, summary="Claim a listing, scenario-application or ecosystem award (区经信局)")
def post_claim(body: ClaimIn, request: Request, who: Claimant):
    with request.app.state.db.transaction() as s:
        award = service.claim(s, body, who.actor)
        return service.award_dict(award, service.history_of(s, award.id))


# -- budgets ----------------------------------------------------------------------------------------
Year = Annotated[int, FPath(ge=2000, le=2100)]


@router.put("/budgets/{year}/{program}", summary="Set a program's budget for a year (区财政局)")
def put_budget(year: Year, program: Program, body: BudgetIn, request: Request, who: Treasurer):
    with request.app.state.db.transaction() as s:
        return {"year": year, **service.set_budget(s, year, program, body.allocated_yuan, who.actor)}


@router.get("/budgets/{year}", summary="Allocated, reserved, disbursed and remaining per program")
def get_budgets(year: Year, request: Request, who: BudgetReader):
    with request.app.state.db.reader() as s:
        items = list(service.budget_figures(s, year).values())
    return {"year": year, "items": items,
            "total": {k: sum(i[k] for i in items) for k in ("allocated_yuan", "reserved_yuan", "disbursed_yuan",
                                                            "clawed_back_yuan", "remaining_yuan")}}


# -- ledger and exports -----------------------------------------------------------------------------
def ledger_scope(stmt, who: Principal):
    """A park operator sees only the entries of awards paid to its park."""
    if who.role == "park":
        return stmt.where(LedgerEntry.payee_type == "park", LedgerEntry.payee == who.org)
    return stmt


QueryYear = Annotated[int, Query(ge=2000, le=2100)]


@router.get("/ledger", summary="Immutable ledger entries of a year (by booking date)")
def get_ledger(request: Request, who: LedgerReader, year: QueryYear, limit: pagination.Limit = 100,
               cursor: pagination.Cursor = None, uscc: Annotated[str | None, Query(max_length=18)] = None):
    after = pagination.decode_id(cursor)
    a, b = service.year_range(year)
    stmt = ledger_scope(select(LedgerEntry), who).where(LedgerEntry.booked_on.between(a, b)).order_by(LedgerEntry.id)
    if after is not None:
        stmt = stmt.where(LedgerEntry.id > after)
    if uscc:
        stmt = stmt.where(LedgerEntry.uscc == uscc)
    with request.app.state.db.reader() as s:
        items = [service.entry_dict(x) for x in s.scalars(stmt.limit(limit + 1))]
    return pagination.page(items, limit, key=lambda d: str(d["id"]))


Format = Annotated[Literal["xlsx", "csv"], Query()]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file(name: str, fmt: str, title: str, header: list[str], rows: list[list]) -> Response:
    if fmt == "csv":
        return Response(service.to_csv(header, rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return Response(service.to_xlsx(title, header, rows), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})


@router.get("/ledger/export", summary="The ledger of a year as XLSX or CSV (Chinese headers)",
            response_class=Response)
def export_ledger(request: Request, who: LedgerReader, year: QueryYear, format: Format = "xlsx"):  # noqa: A002
    with request.app.state.db.reader() as s:
        rows = service.ledger_rows(s, year, lambda stmt: ledger_scope(stmt, who))
    return _file(f"ledger-{year}", format, f"{year}年奖励台账", service.LEDGER_HEADER, rows)


@router.get("/disbursements/{year}/export", summary="A year's disbursement list as XLSX or CSV (Chinese headers)",
            response_class=Response)
def export_disbursements(year: Year, request: Request, who: LedgerReader, format: Format = "xlsx"):  # noqa: A002
    with request.app.state.db.reader() as s:
        rows = service.disbursement_rows(s, year, lambda stmt: ledger_scope(stmt, who))
    return _file(f"disbursements-{year}", format, f"{year}年拨付清单", service.DISBURSEMENT_HEADER, rows)


# -- what-if ----------------------------------------------------------------------------------------
Simulator = Caller("econ", "treasury", "auditor")


@router.post("/simulations", summary="Cost a parameter set over a period next to the policy in force (changes nothing)")
def post_simulation(body: SimulationIn, request: Request, who: Simulator):
    if body.period.from_ > body.period.to:
        raise field_error("period", "起始日期晚于截止日期", "from is after to")
    with request.app.state.db.reader() as s:
        return service.simulate(s, body.parameter_set, body.parameters, body.period.from_, body.period.to, who.actor)
