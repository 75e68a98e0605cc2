"""Municipal platform routes: sync its published lists, send recommendations. Thin: the client is
client.py, the use cases service.py."""
import asyncio

from fastapi import APIRouter, Request

from services.registry.auth import Writer
from services.registry.imports.endpoints import JOB_ANSWER, start_job
from services.registry.imports.schemas import ImportJobPublic
from services.registry.platform import client, service
from services.registry.platform.schemas import RecommendationIn, RecommendationPublic
from shared.errors import Problem
from shared.sessions import DatabaseDep

router = APIRouter(tags=["registry"])
NOT_CONFIGURED = {503: {"description": "未配置市级平台 / the municipal platform is not configured"},
                  502: {"description": "市级平台故障或应答不符合约定 / the platform failed or answered "
                                       "off-contract"}}


def _platform(request: Request) -> client.MunicipalPlatform:
    """The municipal platform client: app.state.municipal_platform (tests, embedding), else from
    SRDI_MUNICIPAL_PLATFORM_URL; 503 when neither is configured (the service cannot do this now;
    it is not a conflict with the caller's request)."""
    platform = (getattr(request.app.state, "municipal_platform", None)
                or client.HttpMunicipalPlatform.from_settings(request.app.state.settings))
    if platform is None:
        raise Problem(503, "platform-not-configured", "未配置市级申报平台地址，暂时无法同步或报送；请运维人员配置后重试",
                      f"The municipal platform is not configured ({client.PLATFORM_URL_ENV})")
    return platform


@router.post("/platform/sync", status_code=202, response_model=ImportJobPublic,
             responses={202: JOB_ANSWER} | NOT_CONFIGURED,
             summary="同步市级平台公示名单（导入任务） / Import the municipal platform's published lists as a job")
async def platform_sync(request: Request, who: Writer, db: DatabaseDep):
    """立即读取平台公示的全部页（平台故障或应答不符合约定即 502，不建任务），再作为导入任务逐行检查
    并导入；重复同步不重复登记。/ Reads every page of the platform's published recognitions now (a
    platform that fails or answers off-contract is a 502 at once, no job), then applies them as an
    import job: each row is checked like a row of an uploaded file, and a re-sync is idempotent."""
    try:
        parsed = await _platform(request).published_rows()
    except client.PlatformError as e:
        raise e.problem() from e
    return await start_job(request, db, who, "municipal-platform", parsed)


@router.post("/platform/recommendations", responses=NOT_CONFIGURED,
             summary="向市级平台报送区级推荐 / Send district recommendations (区级推荐) to the municipal platform")
async def platform_recommend(body: RecommendationIn, request: Request, who: Writer,
                             db: DatabaseDep) -> RecommendationPublic:
    """推荐的企业须已登记（否则 422 列出未登记者）。批次号由（年度、称号、企业）得出，同一推荐再次
    发送只保留一次。/ Every enterprise must be registered (422 with the unknown ones). The batch id
    is derived from (year, tier, enterprises), so sending the same recommendation again is kept once."""
    usccs = sorted(set(body.usccs))

    def check():
        with db.reader() as s:
            service.check_registered(s, usccs)
    await asyncio.to_thread(check)
    try:
        receipt = await _platform(request).recommend(body.year, body.tier, usccs)
    except client.PlatformError as e:
        raise e.problem() from e

    def record():
        with db.transaction() as s:
            return service.recommendation_sent(s, who.actor, body.year, body.tier, usccs, receipt)
    return await asyncio.to_thread(record)
