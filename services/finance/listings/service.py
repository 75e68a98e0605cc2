"""Listing-pipeline (上市培育) use cases. No commit."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.finance import events, rules
from services.finance.listings import repository
from services.finance.listings.schemas import PipelinePublic, StageIn
from services.finance.records import known_enterprise
from services.finance.tables import ListingPipeline, ListingStage
from shared import audit
from shared.auth import Principal
from shared.db import insert, utcnow
from shared.errors import Problem, not_found


def public(s: Session, p: ListingPipeline) -> PipelinePublic:
    return PipelinePublic.model_validate({
        "uscc": p.uscc, "board": p.board, "sponsor": p.sponsor, "stage": p.stage, "stage_zh": rules.STAGE_ZH[p.stage],
        "stage_on": p.stage_on, "listed_on": p.listed_on,
        "stages": [{"stage": r.stage, "stage_zh": rules.STAGE_ZH[r.stage], "on": r.reached_on, "board": r.board,
                    "sponsor": r.sponsor, "note": r.note, "recorded_by": r.recorded_by}
                   for r in repository.stages(s, p.uscc)]})


def get(s: Session, who: Principal, uscc: str) -> ListingPipeline:
    p = repository.get(s, who, uscc)
    if p is None:
        raise not_found("上市培育企业", "Listing pipeline", uscc)
    return p


def _refusal(why: str, body: StageIn, reached: dict) -> Problem:
    zh = {"stage-recorded": f"已记录过{rules.STAGE_ZH[body.stage]}阶段",
          "stage-out-of-order": "须先记录上一阶段（股改→辅导备案→申报受理→注册/核准→上市）",
          "stage-date-order": "日期早于上一阶段", "board-required": "上市须注明上市板块"}[why]
    en = {"stage-recorded": f"stage {body.stage} is already recorded",
          "stage-out-of-order": f"the previous stage must be recorded first ({' → '.join(rules.STAGES)})",
          "stage-date-order": "the date is before the previous stage's",
          "board-required": "a listing needs the board"}[why]
    return Problem(409 if why == "stage-recorded" else 422, why, zh, en,
                   reached={k: v.isoformat() for k, v in reached.items()})


def record_stage(s: Session, actor: str, uscc: str, body: StageIn) -> ListingPipeline:
    """Record a stage reached. Stages go in order, each once, dated on or after the previous one.
    Recording 上市 publishes srdi.finance.enterprise.listed.v1 (the awards service makes the listing
    award claimable from it) in the same transaction."""
    known_enterprise(s, uscc)
    p = repository.locked(s, uscc)
    reached = {r.stage: r.reached_on for r in repository.stages(s, uscc)} if p else {}
    board = body.board or (p.board if p else None)
    sponsor = body.sponsor or (p.sponsor if p else None)
    why = rules.stage_error(reached, body.stage, body.on, board)
    if why:
        raise _refusal(why, body, reached)
    before = public(s, p).model_dump(mode="json") if p else None
    if p is None:
        p = ListingPipeline(uscc=uscc, stage=body.stage, stage_on=body.on, board=board, sponsor=sponsor)
        insert(s, p, Problem(409, "concurrent-change", "该企业的上市培育记录正被同时修改，请重试",
                             "The enterprise's listing pipeline was changed concurrently; retry"))
    p.board, p.sponsor, p.stage, p.stage_on, p.updated_at = board, sponsor, body.stage, body.on, utcnow()
    if body.stage == "listed":
        p.listed_on = body.on
    s.flush()
    s.add(ListingStage(uscc=uscc, stage=body.stage, reached_on=body.on, board=board, sponsor=sponsor,
                       note=body.note, recorded_by=actor))
    s.flush()
    audit.record(s, actor, "listing.stage", "listing_pipeline", uscc, before, public(s, p).model_dump(mode="json"))
    if body.stage == "listed":
        events.enterprise_listed(s, uscc, board, body.on)
    return p


def listing_progress(s: Session, year: int) -> dict:
    stages: dict[str, dict] = {}
    for r in repository.all_stages(s):
        stages.setdefault(r.uscc, {})[r.stage] = r.reached_on
    boards = repository.boards(s)
    return rules.listing_progress([rules.PipelineFacts(u, boards.get(u), st) for u, st in stages.items()], year)
