"""Listing-pipeline routes (上市培育)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.finance.auth import Manager, ProgrammeReader
from services.finance.listings import repository, service
from services.finance.listings.schemas import STAGE, PipelinePublic, ProgressPublic, Stage, StageIn
from shared import pagination
from shared.pagination import Cursor, Limit
from shared.paths import UsccKey, UsccPath
from shared.schemas import Page
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["listings"])


@router.put("/listings/{uscc}/stages", response_model=PipelinePublic,
            summary="记录上市培育阶段 / record a listing stage reached (股改→辅导备案→申报受理→注册/核准→上市)")
def record_stage(uscc: UsccPath, body: StageIn, who: Manager, session: WriteSession):
    """按顺序记录企业达到的上市阶段，每个阶段一次；记录上市时发布 enterprise.listed 事件。
    Record a stage reached, in order, each once; recording 上市 publishes srdi.finance.enterprise.listed.v1."""
    return service.public(session, service.record_stage(session, who.actor, uscc, body))


@router.post("/listings/{uscc}/stages", status_code=201, response_model=PipelinePublic,
             summary="记录上市培育阶段 / record a listing stage reached (same as PUT)")
def record_stage_post(uscc: UsccPath, body: StageIn, who: Manager, session: WriteSession):
    """与 PUT 相同。The same as PUT."""
    return service.public(session, service.record_stage(session, who.actor, uscc, body))


@router.get("/listings/progress", response_model=ProgressPublic,
            summary="年度上市培育进展 / a year's listing progress: stages reached, coached to listing")
def listing_progress(who: ProgrammeReader, session: ReadSession,
                     year: Annotated[int, Query(ge=2000, le=2100, description="年度 / the year")]):
    """当年各阶段达到的企业、上市企业数与在培育企业。
    Per stage the enterprises that reached it in the year, those listed, and those in the pipeline."""
    return service.listing_progress(session, year)


@router.get("/listings", response_model=Page[PipelinePublic],
            summary="上市培育企业 / enterprises in the listing pipeline")
def list_listings(who: ProgrammeReader, session: ReadSession, limit: Limit = 100,
                  cursor: Cursor = None,
                  stage: Annotated[Stage | None, Query(description=STAGE)] = None):
    """培育企业按统一社会信用代码分页。The pipeline by USCC, a keyset page."""
    rows = repository.page(session, who, limit, pagination.decode(cursor), stage)
    return pagination.page([service.public(session, p) for p in rows], limit, key=lambda x: x.uscc)


@router.get("/listings/{uscc}", response_model=PipelinePublic,
            summary="一家企业的上市培育 / one enterprise's listing pipeline with its stages")
def get_listing(uscc: UsccKey, who: ProgrammeReader, session: ReadSession):
    """企业的上市培育记录及已达到的各阶段。The enterprise's pipeline with the stages it reached."""
    return service.public(session, service.get(session, who, uscc))
