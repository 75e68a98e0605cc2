"""Award routes: thin (parse, call the use case, answer the response model)."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi import Body as BodyParam

from services.awards.auth import Reader, Rejecter, Reviewer, TotalsReader, Treasurer
from services.awards.carryover.rules import REFUSALS
from services.awards.carryover.service import note_refusal
from services.awards.workflow import repository, service
from services.awards.workflow.schemas import (
    AwardDetail,
    AwardPublic,
    DisburseIn,
    Flag,
    Program,
    QueueTotals,
    RejectIn,
    ReviewIn,
    State,
    TotalsPublic,
)
from shared.filters import UsccFilter
from shared import pagination
from shared.auth import Principal
from shared.errors import Problem, not_found, problem_response
from shared.paths import UsccKey
from shared.schemas import Page
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["awards"])

AwardId = Annotated[int, Path(description="奖励编号 / the award's id")]
NoteIn = Annotated[ReviewIn | None, BodyParam(openapi_examples={
    "note": {"summary": "附意见 / with a note", "value": {"note": "材料齐全，同意 / documents complete"}},
    "none": {"summary": "无意见 / no body", "value": {}}})]


Filters = tuple[str | None, str | None, list[str] | None, str | None]
Sort = Literal["id", "amount", "-amount"]


def filters(uscc: UsccFilter = None,
            program: Annotated[Program | None, Query(description="奖励项目 / the programme")] = None,
            state: Annotated[list[State] | None, Query(description="状态，可多选 / the workflow state; repeat "
                                                                 "for several")] = None,
            flag: Annotated[Flag | None, Query(description="更正标记，如 certification_voided（认定作废） / why a "
                                                          "correction touched it, e.g. certification_voided")] = None,
            ) -> Filters:
    return uscc, program, state, flag


@router.get("/awards", summary="奖励列表 / Awards, filtered; each with the basis that explains it")
def list_awards(who: Reader, session: ReadSession, found: Annotated[Filters, Depends(filters)],
                limit: pagination.Limit = 100, cursor: pagination.Cursor = None,
                sort: Annotated[Sort, Query(description="排序：id 编号（默认）、amount 金额升序、-amount 金额降序 / "
                                                        "order: id (default), amount, -amount (then id)")] = "id",
                ) -> Page[AwardPublic]:
    """按企业、项目、状态、更正标记筛选奖励，按编号或金额分页；园区只见拨给本园区的奖励。
    Awards filtered by enterprise, programme, state and correction flag, paged by id or by amount; a
    park sees only its own."""
    if sort == "id":
        last = pagination.decode_id(cursor)
        after = None if last is None else (0, last)
    else:
        after = pagination.decode_pair(cursor, int, int)
    items = repository.page(session, who, after, limit + 1, *found, sort=sort)
    key = (lambda a: str(a.id)) if sort == "id" else (lambda a: f"{a.amount_yuan}|{a.id}")
    return pagination.page(items, limit, key=key)


@router.get("/awards/totals", summary="筛选结果的笔数与金额合计 / How many awards a filter finds, and their sum")
def award_totals(who: Reader, session: ReadSession, found: Annotated[Filters, Depends(filters)]) -> QueueTotals:
    """与 `GET /awards` 同样的筛选；队列页的合计行。The same filters as `GET /awards`: a queue's totals line."""
    count, amount = repository.totals(session, who, *found)
    return QueueTotals(count=count, amount_yuan=amount)


@router.get("/awards/{award_id}", summary="奖励详情 / One award: rule, inputs, parameters, deductions, history")
def get_award(award_id: AwardId, who: Reader, session: ReadSession) -> AwardDetail:
    """一笔奖励：规则、输入、参数及法律依据、扣减和状态变更记录。
    One award with the basis that explains it and its history (who, when, why, voucher)."""
    award = repository.one(session, who, award_id)
    if award is None:
        raise not_found("奖励", "Award", str(award_id))
    return service.detail(session, award)


def _act(session, who: Principal, award_id: int, action: str, **kw) -> dict:
    return service.detail(session, service.transition(session, who, award_id, action, **kw))


@router.post("/awards/{award_id}/review", summary="审核奖励（区经信局） / Review a computed award (区经信局)")
def review(award_id: AwardId, who: Reviewer, session: WriteSession, body: NoteIn = None) -> AwardDetail:
    """区经信局审核已核定的奖励（已核定 → 已审核）。
    The lead bureau reviews a computed award (computed → reviewed)."""
    return _act(session, who, award_id, "review", reason=body.note if body else None)


@router.post("/awards/{award_id}/approve", summary="批准奖励（区财政局） / Approve a reviewed award (区财政局)")
def approve(award_id: AwardId, who: Treasurer, session: WriteSession, body: NoteIn = None) -> AwardDetail:
    """区财政局批准已审核的奖励，预留批准当年的预算（无预算或预算不足为 409，并记录该次拒绝以便结转）。
    The treasury approves a reviewed award and reserves the approval year's budget (409 without one; the
    refusal is recorded, so the treasury can carry the award over: GET /budgets/{year}/refusals)."""
    try:
        return _act(session, who, award_id, "approve", reason=body.note if body else None)
    except Problem as why:
        if why.code not in REFUSALS:
            raise
        note_refusal(session, who.actor, award_id, why)  # kept: answered, not raised, so the session commits
        return problem_response(why)


@router.post("/awards/{award_id}/disburse", summary="拨付奖励 / Record the payment of an approved award, "
                                                     "with its voucher")
def disburse(award_id: AwardId, body: DisburseIn, who: Treasurer, session: WriteSession) -> AwardDetail:
    """记录已批准奖励的拨付及其凭证号；一张凭证只能拨付一笔奖励。
    Records the payment of an approved award with its voucher; one voucher pays one award."""
    return _act(session, who, award_id, "disburse", reason=body.note, voucher=body.voucher)


@router.post("/awards/{award_id}/reject", summary="驳回奖励 / Reject an award that is not yet paid")
def reject(award_id: AwardId, body: RejectIn, who: Rejecter, session: WriteSession) -> AwardDetail:
    """驳回尚未拨付的奖励并冲销；已批准的释放预留预算。
    Rejects an award not yet paid (reversed in the ledger); an approved one releases its reservation."""
    return _act(session, who, award_id, "reject", reason=body.reason)


@router.get("/enterprises/{uscc}/awards", summary="企业奖励合计 / An enterprise's award totals "
                                                  "(rejected and clawed back excluded)")
def enterprise_totals(uscc: UsccKey, who: TotalsReader, session: ReadSession) -> TotalsPublic:
    """企业所获奖励合计及按项目合计（不含驳回和追回，中介机构的奖励不计入企业）。
    An enterprise's award totals, overall and per programme (rejected, clawed back and intermediaries' excluded)."""
    return service.totals(session, uscc)
