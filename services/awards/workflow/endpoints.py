"""Award routes: thin (parse, call the use case, answer the response model)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi import Body as BodyParam

from services.awards.auth import Reader, Rejecter, Reviewer, TotalsReader, Treasurer
from services.awards.workflow import repository, service
from services.awards.workflow.schemas import (
    AwardDetail,
    AwardPublic,
    DisburseIn,
    Flag,
    Program,
    RejectIn,
    ReviewIn,
    State,
    TotalsPublic,
)
from shared import pagination
from shared.auth import Principal
from shared.errors import not_found
from shared.paths import UsccKey
from shared.schemas import Page
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["awards"])

AwardId = Annotated[int, Path(description="奖励编号 / the award's id")]
NoteIn = Annotated[ReviewIn | None, BodyParam(openapi_examples={
    "note": {"summary": "附意见 / with a note", "value": {"note": "材料齐全，同意 / documents complete"}},
    "none": {"summary": "无意见 / no body", "value": {}}})]


@router.get("/awards", summary="奖励列表 / Awards, filtered; each with the basis that explains it")
def list_awards(who: Reader, session: ReadSession, limit: pagination.Limit = 100,
                cursor: pagination.Cursor = None,
                uscc: Annotated[str | None, Query(max_length=18, description="统一社会信用代码 / the enterprise's "
                                                                             "USCC")] = None,
                program: Annotated[Program | None, Query(description="奖励项目 / the programme")] = None,
                state: Annotated[State | None, Query(description="状态 / the workflow state")] = None,
                flag: Annotated[Flag | None, Query(description="更正标记，如 certification_voided（认定作废） / "
                                                               "why a correction touched it, e.g. "
                                                               "certification_voided")] = None,
                ) -> Page[AwardPublic]:
    """按企业、项目、状态、更正标记筛选奖励，按编号分页；园区只见拨给本园区的奖励。
    Awards filtered by enterprise, programme, state and correction flag, paged by id; a park sees only its own."""
    items = repository.page(session, who, pagination.decode_id(cursor), limit + 1, uscc, program, state, flag)
    return pagination.page(items, limit, key=lambda a: str(a.id))


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
    """区财政局批准已审核的奖励，预留批准当年的预算（无预算或预算不足为 409）。
    The treasury approves a reviewed award and reserves the approval year's budget (409 without one)."""
    return _act(session, who, award_id, "approve", reason=body.note if body else None)


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
