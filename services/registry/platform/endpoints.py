"""Municipal platform routes: sync its published lists, send recommendations, poll the jobs doing
it. Thin: the client is client.py, the jobs jobs.py, the checks the season's service."""
import asyncio
import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from services.registry.auth import SeasonReader, Writer
from services.registry.platform import client, jobs, service
from services.registry.platform import repository as repo
from services.registry.platform.schemas import PlatformJobPublic, RecommendationIn
from services.registry.season import service as season
from shared import pagination
from shared.clock import today
from shared.errors import Problem, not_found
from shared.schemas import Page
from shared.sessions import DatabaseDep, ReadSession

router = APIRouter(tags=["registry"])
JOB = {202: {"model": PlatformJobPublic, "description": "市级平台任务（轮询 Location） / the platform job (poll its "
                                                         "Location)"},
       503: {"description": "未配置市级平台 / the municipal platform is not configured"}}
JobId = Annotated[str, Path(min_length=1, max_length=36, description="任务编号 / the job's id")]


def platform_of(request: Request) -> client.MunicipalPlatform:
    """The platform client; 503 when none is configured (the service cannot do this now; it is not
    a conflict with the caller's request)."""
    platform = jobs.configured(request.app)
    if platform is None:
        raise Problem(503, "platform-not-configured", "未配置市级申报平台地址，暂时无法同步或报送；请运维人员配置后重试",
                      f"The municipal platform is not configured ({client.PLATFORM_URL_ENV})")
    return platform


def accepted(request: Request, platform, job) -> Response:
    """202 with the job and where to poll it; the job starts now (it waits for the commit)."""
    jobs.start(request.app, platform, job.id)
    body = jobs.job_public(job)
    return Response(body.model_dump_json(), status_code=202, media_type="application/json",
                    headers={"Location": f"/api/v1/platform-jobs/{job.id}"})


@router.post("/platform/sync", status_code=202, response_model=PlatformJobPublic, responses=JOB,
             summary="同步市级平台公示名单（任务） / Sync the municipal platform's published lists, as a job")
async def platform_sync(request: Request, who: Writer, db: DatabaseDep):
    """立即答复 202 与任务；任务读取全部页（平台暂时故障时退避重试），再逐行检查并作为导入任务导入，
    结果含导入报告；重复同步不重复登记。/ Answers 202 with the job at once. The job reads every page
    (retrying with backoff while the platform fails transiently), then applies the rows as an
    import job, each row checked like a row of an uploaded file; its result holds the report. A
    re-sync is idempotent."""
    platform = platform_of(request)

    def queue():
        with db.transaction() as s:
            return jobs.create(s, who.actor, "sync", {})
    return accepted(request, platform, await asyncio.to_thread(queue))


@router.post("/platform/recommendations", status_code=202, response_model=PlatformJobPublic, responses=JOB,
             summary="向市级平台报送区级推荐（任务） / Send district recommendations (区级推荐), as a job")
async def platform_recommend(body: RecommendationIn, request: Request, who: Writer, db: DatabaseDep):
    """推荐的企业须已登记且符合该称号的申报条件（梯度与认定条件，同申报季的核对），否则 422 逐一列出理由，
    不报送。批次号由（年度、称号、企业）得出，同一推荐再次发送只保留一次。申报季的推荐名单见
    `POST /seasons/{id}/recommendation`。/ Every enterprise must be registered and qualify for the
    tier (the ladder and the criteria, checked as a season's list is), else 422 with each one's
    reasons and nothing is sent. The batch id derives from (year, tier, enterprises), so a resend
    is kept once. A season's list: `POST /seasons/{id}/recommendation`."""
    usccs = sorted(set(body.usccs))

    def queue():
        with db.transaction() as s:
            service.check_registered(s, usccs)
            season.check_for_platform(s, body.year, body.tier, usccs, today())
            platform = platform_of(request)  # checked after the caller's input: its 422 comes first
            return platform, jobs.create(s, who.actor, "recommend", {
                "year": body.year, "tier": body.tier, "usccs": usccs,
                "batch_id": client.recommendation_batch_id(body.year, body.tier, usccs)})
    return accepted(request, *await asyncio.to_thread(queue))


@router.get("/platform-jobs/{job_id}", summary="一个市级平台任务：状态、尝试次数、最近错误、结果 / A platform job: "
            "state, attempts, last error, result")
def get_platform_job(job_id: JobId, who: SeasonReader, session: ReadSession) -> PlatformJobPublic:
    """`state`：queued → running（含重试等待）→ done（`result`）或 failed（`last_error`）。/ queued →
    running (waiting between retries too) → done (`result`) or failed (`last_error`)."""
    job = repo.get(session, job_id)
    if job is None:
        raise not_found("市级平台任务", "Platform job", job_id)
    return jobs.job_public(job)


@router.get("/platform-jobs", summary="市级平台任务，最新在前（可只看失败的） / Platform jobs, newest first "
            "(the failed ones, for an operator)")
def list_platform_jobs(who: SeasonReader, session: ReadSession, limit: pagination.Limit = 100,
                       cursor: pagination.Cursor = None,
                       state: Annotated[Literal["queued", "running", "done", "failed"] | None,
                                        Query(description="只看此状态 / only this state")] = None
                       ) -> Page[PlatformJobPublic]:
    """按创建时间倒序（游标分页）；`?state=failed` 为需要处理的失败任务。/ Newest first (cursor
    pagination); `?state=failed` lists the failures an operator must look at."""
    key = pagination.decode_pair(cursor, dt.datetime.fromisoformat)
    items = [jobs.job_public(j) for j in repo.newest_first(session, state, key, limit + 1)]
    return pagination.page(items, limit, key=lambda j: f"{j.created_at.isoformat()}|{j.id}")
