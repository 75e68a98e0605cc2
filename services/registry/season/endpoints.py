"""Declaration season routes (申报季): seasons, applications, pre-review, decisions, and the
recommendation list sent to the municipal platform as a job. Thin: the use cases are service.py."""
import asyncio
from typing import Annotated

from fastapi import APIRouter, Path, Request

from services.registry.auth import SeasonReader, Writer
from services.registry.platform.endpoints import JOB, accepted, platform_of
from services.registry.platform.schemas import PlatformJobPublic
from services.registry.season import repository as repo
from services.registry.season import service
from services.registry.season.schemas import (
    ApplicationIn,
    ApplicationPublic,
    DecisionIn,
    RecommendationHistory,
    SeasonIn,
    SeasonPublic,
)
from shared import pagination
from shared.clock import today
from shared.schemas import Page, RowId
from shared.sessions import DatabaseDep, ReadSession, WriteSession

router = APIRouter(tags=["season 申报季"])
SeasonId = Annotated[RowId, Path(description="申报季编号 / the season's id")]
ApplicationId = Annotated[RowId, Path(description="申报编号 / the application's id")]
CONFLICT = {409: {"description": "不在受理期内、已申报、未初审或已决定 / outside the season's dates, applied "
                                 "already, not pre-reviewed, or decided"}}


@router.post("/seasons", status_code=201, summary="发布申报季（通知、称号、受理日期） / Open a declaration season "
             "(notice, title, dates)")
def create_season(body: SeasonIn, who: Writer, session: WriteSession) -> SeasonPublic:
    """申报称号须有认定条件（创新型、北京市专精特新、国家级小巨人）。/ The title declared for must be one
    with criteria (innovative, municipal SRDI, national little giant)."""
    return service.create_season(session, who.actor, body)


@router.get("/seasons", summary="申报季，按编号 / Declaration seasons, by id")
def list_seasons(who: SeasonReader, session: ReadSession, limit: pagination.Limit = 100,
                 cursor: pagination.Cursor = None) -> Page[SeasonPublic]:
    """游标分页。/ Cursor pagination."""
    rows = [SeasonPublic.model_validate(r) for r in repo.seasons_page(session, pagination.decode_id(cursor), limit)]
    return pagination.page(rows, limit, key=lambda r: str(r.id))


@router.get("/seasons/{season_id}", summary="一个申报季 / A declaration season")
def get_season(season_id: SeasonId, who: SeasonReader, session: ReadSession) -> SeasonPublic:
    """不存在为 404。/ 404 when there is none."""
    return SeasonPublic.model_validate(repo.season_or_404(session, season_id))


@router.post("/seasons/{season_id}/applications", status_code=201, responses=CONFLICT,
             summary="登记企业申报 / Record an enterprise's application")
def apply(season_id: SeasonId, body: ApplicationIn, who: Writer, session: WriteSession) -> ApplicationPublic:
    """受理期内（开始日至截止日）才可申报，否则 409；每企业每季一次（409 附 `existing`）；企业须已登记（404）。
    / Only within the season's dates (else 409); once per enterprise per season (409 with
    `existing`); the enterprise must be registered (404)."""
    return service.apply(session, who.actor, season_id, body, today())


@router.get("/seasons/{season_id}/applications", summary="申报季的申报 / A season's applications")
def list_applications(season_id: SeasonId, who: SeasonReader, session: ReadSession, limit: pagination.Limit = 100,
                      cursor: pagination.Cursor = None) -> Page[ApplicationPublic]:
    """按编号，附初审清单与决定。/ By id, with each one's checklist and decision."""
    repo.season_or_404(session, season_id)
    rows = repo.applications_page(session, season_id, pagination.decode_id(cursor), limit)
    names = repo.names(session, {r.uscc for r in rows})
    items = [service.application_public(r, names.get(r.uscc)) for r in rows]
    return pagination.page(items, limit, key=lambda r: str(r.id))


@router.get("/applications/{application_id}", summary="一份申报 / An application")
def get_application(application_id: ApplicationId, who: SeasonReader, session: ReadSession) -> ApplicationPublic:
    """附初审清单与决定。/ With its checklist and decision."""
    row = repo.application_or_404(session, application_id)
    return service.application_public(row, repo.names(session, [row.uscc]).get(row.uscc))


@router.post("/applications/{application_id}/pre-review", responses=CONFLICT,
             summary="初审：按筛选结果填写条件清单 / Pre-review (初审): the checklist filled from screening")
def pre_review(application_id: ApplicationId, who: Writer, session: WriteSession) -> ApplicationPublic:
    """按申报季称号与今天生效的认定条件、上年度指标，逐项列出满足与否及差距（达标/准达标/不达标），并列出
    不能推荐的理由；决定前可重做，已决定为 409。/ Each condition met or not with its gaps (met / near /
    not met) for the season's title, on the criteria in force today and the previous year's
    indicators, with the reasons it could not be recommended. Repeatable until decided (then 409)."""
    return service.pre_review(session, who.actor, application_id, today())


@router.post("/applications/{application_id}/decision", responses=CONFLICT,
             summary="推荐决定（附理由） / The decision: recommend or not, with reasons")
def decide(application_id: ApplicationId, body: DecisionIn, who: Writer, session: WriteSession) -> ApplicationPublic:
    """初审后才可决定（否则 409）；不推荐须写理由（422）；可改变，留有审计记录。/ Only after the
    pre-review (else 409); reasons are required when not recommending (422); a decision may be
    changed, each change audited."""
    return service.decide(session, who.actor, application_id, body)


@router.post("/seasons/{season_id}/recommendation", status_code=202, response_model=PlatformJobPublic,
             responses=JOB | {409: {"description": "没有决定推荐的申报，或均不符合条件（附 `refused`） / nothing "
                                                   "decided for, or none qualifies (with `refused`)"}},
             summary="生成推荐名单并报送市级平台（任务） / Build the recommendation list and send it, as a job")
async def recommend(season_id: SeasonId, request: Request, who: Writer, db: DatabaseDep):
    """由决定推荐的申报生成，逐一按今天的称号与认定条件复核：符合者报送，不符合者附理由列为 `refused`；
    作为新版本保存（历史见 GET /seasons/{id}/recommendations），报送为任务（202，轮询 Location）。
    / Built from the applications decided for, each checked again against today's titles and
    criteria: those that qualify are sent, the others kept as `refused` with reasons. Stored as a
    new version (history: GET /seasons/{id}/recommendations); sent as a job (202, poll Location)."""
    def build():
        with db.transaction() as s:
            job = service.recommend(s, who.actor, season_id, today())[1]
            return platform_of(request), job  # none configured: 503, and the version is rolled back
    return accepted(request, *await asyncio.to_thread(build))


@router.get("/seasons/{season_id}/recommendations", summary="推荐名单的全部版本 / Every version of the "
            "recommendation list")
def recommendations(season_id: SeasonId, who: SeasonReader, session: ReadSession) -> RecommendationHistory:
    """旧在前，附每版报送任务的状态。/ Oldest first, with each version's job state."""
    return service.history(session, season_id)
