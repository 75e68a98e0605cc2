"""Carry-over routes: thin."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi import Body as BodyParam

from services.awards.auth import BudgetReader, Treasurer
from services.awards.carryover import service
from services.awards.carryover.schemas import (
    BatchCarried,
    BatchCarryOverIn,
    CarriedAward,
    CarriedList,
    CarryOverIn,
    RefusedList,
)
from services.awards.workflow.schemas import Program
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["awards"])

Year = Annotated[int, Path(ge=2000, le=2100, description="预算年度 / the budget year")]
AwardId = Annotated[int, Path(ge=1, le=2**63 - 1, description="奖励编号 / the award's id")]
ProgramQuery = Annotated[Program | None, Query(description="奖励项目 / the programme")]
NoteIn = Annotated[CarryOverIn | None, BodyParam(openapi_examples={
    "note": {"summary": "附说明 / with a note", "value": {"note": "年度预算用尽，结转下年"}},
    "none": {"summary": "无说明 / no body", "value": {}}})]
CONFLICT = {409: {"description": "状态不符、未因预算不足被拒或拒绝已过期 / wrong state, never refused for lack of "
                                 "budget, or refused too long ago"}}


@router.get("/budgets/{year}/refusals", summary="因预算不足未获批准的奖励 / Awards refused for lack of a year's budget")
def refusals(year: Year, who: BudgetReader, session: ReadSession, program: ProgramQuery = None) -> RefusedList:
    """批准时因该年度未设预算或预算不足被拒、仍为已审核的奖励，及其结转情况。
    Reviewed awards whose approval was refused for lack of the year's budget, and where they were carried."""
    items = service.refused(session, year, program)
    return {"year": year, "items": items, "amount_yuan": sum(i["amount_yuan"] for i in items)}


@router.get("/budgets/{year}/carried-over", summary="结转至该年度的奖励 / Awards carried over to a year's budget")
def carried_over(year: Year, who: BudgetReader, session: ReadSession, program: ProgramQuery = None) -> CarriedList:
    """结转至该年度、尚未批准的奖励（该年度预算的承诺，计入 carried_over_yuan）。
    Awards carried to the year and not yet approved: the commitments its budget shows as carried_over_yuan."""
    items = service.carried_into(session, year, program)
    return {"year": year, "items": items, "amount_yuan": sum(i["amount_yuan"] for i in items)}


@router.post("/budgets/{year}/carry-over", summary="批量结转至下一年度（区财政局） / Carry awards refused for lack of "
                                                   "the year's budget to the next (区财政局)", responses=CONFLICT)
def carry_batch(year: Year, body: BatchCarryOverIn, who: Treasurer, session: WriteSession) -> BatchCarried:
    """将因该年度预算不足未获批准的奖励结转至下一年度；全部可结转才结转（否则 409，逐笔说明）；已结转的不重复。
    Carries awards refused for lack of the year's budget to the next year: all or none (409 naming each that
    cannot be); one already carried is left as it is."""
    return service.carry_many(session, who, year, body.award_ids, body.note)


@router.post("/awards/{award_id}/carry-over", summary="结转至下一年度（区财政局） / Carry an award refused for lack of "
                                                      "budget to the next year (区财政局)", responses=CONFLICT)
def carry_one(award_id: AwardId, who: Treasurer, session: WriteSession, body: NoteIn = None) -> CarriedAward:
    """将因预算不足未获批准的已审核奖励结转至被拒年度的下一年度；重复结转答复相同，不重复记录。
    Carries a reviewed award refused for lack of budget to the year after the refusal; again, the same answer."""
    return service.carry(session, who, award_id, body.note if body else None)
