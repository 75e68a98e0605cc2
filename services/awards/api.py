"""Awards routes: thin; the use cases are in service.py."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body as BodyParam, Query, Request
from sqlalchemy import select

from services.awards import service
from services.awards.models import Award
from services.awards.schemas import DisburseIn, Program, RejectIn, ReviewIn, State
from shared import pagination
from shared.auth import Caller, Principal
from shared.errors import not_found

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
    after = pagination.decode(cursor)
    stmt = scoped(select(Award), who).order_by(Award.id)
    if after:
        if not after.isdigit():
            after = "0"
        stmt = stmt.where(Award.id > int(after))
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
