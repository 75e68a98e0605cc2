"""The declaration season (申报季): the notice, enterprises' applications, the district pre-review
(初审) filled from screening, the decision with reasons, and the recommendation list sent to the
municipal platform as a job. The registry decides every step; a refusal is shown beside its form."""
from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from services.portal.backend import ServiceError
from services.portal.labels import PLATFORM_JOB_STATE_LABELS, ROLE_LABELS, SEASON_PROGRAMMES, TIER_LABELS
from services.portal.names import names_of
from services.portal.pages.common import CsrfChecked, api, attempt, page_user, render, seg
from services.portal.session import PortalError, User, flash
from shared.clock import today

router = APIRouter()
OPS = {"gte": "≥", "gt": ">", "lte": "≤", "lt": "<"}


def econ_only(user: User) -> None:
    if user.role != "econ":
        raise PortalError(403, f"您当前的角色（{ROLE_LABELS.get(user.role, user.role)}）只能查看申报季，办理请由区经信局进行。")


def programmes() -> dict[str, str]:
    return {p: TIER_LABELS[p] for p in SEASON_PROGRAMMES}


async def seasons_page(request: Request, user: User, status: int = 200, **extra):
    items = await api(request, user).all("registry", "/seasons", cap=500)
    return render(request, "seasons.html", status, seasons=list(reversed(items)), programmes=programmes(),
                  this_year=today().year, form_id=uuid.uuid4().hex, **extra)


@router.get("/seasons")
async def seasons(request: Request, user: Annotated[User, page_user("seasons")]):
    return await seasons_page(request, user)


@router.post("/seasons", dependencies=[CsrfChecked])
async def create_season(request: Request, user: Annotated[User, page_user("seasons")],
                        year: Annotated[str, Form()] = "", programme: Annotated[str, Form()] = "",
                        opens_on: Annotated[str, Form()] = "", closes_on: Annotated[str, Form()] = "",
                        notice: Annotated[str, Form()] = "", form_id: Annotated[str, Form()] = ""):
    econ_only(user)
    typed = {"year": year, "programme": programme, "opens_on": opens_on, "closes_on": closes_on, "notice": notice}
    y = year.strip()
    body = {"year": int(y) if y.isascii() and y.isdigit() and len(y) <= 9 else y, "programme": programme.strip(),
            "opens_on": opens_on.strip(), "closes_on": closes_on.strip(), "notice": notice.strip()}
    try:
        s = await api(request, user).post("registry", "/seasons", json=body,
                                          idempotency_key=f"portal-{form_id}-season" if form_id else None)
    except ServiceError as e:
        if e.status == 401:
            raise
        return await seasons_page(request, user, e.status, failed=e, typed=typed)
    flash(request, "ok", f"已发布申报季：{s['year']} 年 {TIER_LABELS.get(s['programme'], '')}，"
                         f"受理 {s['opens_on']} 至 {s['closes_on']}。")
    return RedirectResponse(f"/seasons/{s['id']}", status_code=303)


def gap_text(g: dict) -> str:
    """One shortfall in words: "研发费用占比：企业 2.75，要求 ≥ 3，差 0.25" (or missing data)."""
    if g.get("missing"):
        return f"{g.get('zh', '')}：缺少数据"
    parts = [f"企业 {g['value']}" if g.get("value") is not None else "",
             f"要求 {OPS.get(g.get('op') or '', '')} {g['threshold']}".replace("  ", " ") if g.get("threshold") is not None else "",
             f"差 {g['gap']}" if g.get("gap") is not None else ""]
    return f"{g.get('zh', '')}：" + "，".join(p for p in parts if p)


async def season_page(request: Request, user: User, season_id: int, status: int = 200, **extra):
    a = api(request, user)
    season, apps, recs = await asyncio.gather(
        a.get("registry", f"/seasons/{season_id}"), a.all("registry", f"/seasons/{season_id}/applications", cap=2000),
        a.get("registry", f"/seasons/{season_id}/recommendations"))
    versions = recs.get("items") or []
    await names_of(request).load(usccs=[x.get("uscc") for x in apps]
                                 + [u for v in versions for u in v.get("enterprises") or []]
                                 + [r.get("uscc") for v in versions for r in v.get("refused") or []])
    on = today()
    open_now = season["opens_on"] <= on.isoformat() <= season["closes_on"]
    return render(request, "season.html", status, s=season, apps=apps, versions=list(reversed(recs.get("items") or [])),
                  open_now=open_now, gap_text=gap_text, form_id=uuid.uuid4().hex, **extra)


@router.get("/seasons/{season_id}")
async def season(request: Request, season_id: int, user: Annotated[User, page_user("seasons")]):
    return await season_page(request, user, season_id)


async def act(request: Request, user: User, season_id: int, form: str, path: str, body: dict | None, key: str,
              done: str, typed: dict | None = None):
    """Forward one step to the registry; back to the season with the outcome, or its page again with
    the reason beside the form. `key` names the rendered form's step (an Idempotency-Key only when
    the form carried its id: a double submission of one form changes nothing)."""
    econ_only(user)
    key = None if key.startswith("portal--") else key
    try:
        answer = await api(request, user).post("registry", path, json=body, idempotency_key=key)
    except ServiceError as e:
        if e.status == 401:
            raise
        return await season_page(request, user, season_id, e.status, failed={form: e}, typed=typed or {})
    flash(request, "ok", done.format(**answer) if isinstance(answer, dict) else done)
    return RedirectResponse(f"/seasons/{season_id}", status_code=303), answer


@router.post("/seasons/{season_id}/applications", dependencies=[CsrfChecked])
async def apply(request: Request, season_id: int, user: Annotated[User, page_user("seasons")],
                uscc: Annotated[str, Form()] = "", form_id: Annotated[str, Form()] = ""):
    u = uscc.strip().upper()
    out = await act(request, user, season_id, "apply", f"/seasons/{season_id}/applications", {"uscc": u},
                    f"portal-{form_id}-apply-{u}", "已登记申报 {id}：{uscc}。", {"uscc": uscc})
    return out[0] if isinstance(out, tuple) else out


@router.post("/applications/{application_id}/pre-review", dependencies=[CsrfChecked])
async def pre_review(request: Request, application_id: int, user: Annotated[User, page_user("seasons")],
                     season_id: Annotated[int, Form()] = 0, form_id: Annotated[str, Form()] = ""):
    out = await act(request, user, season_id, f"app-{application_id}", f"/applications/{application_id}/pre-review",
                    None, f"portal-{form_id}-pre-review-{application_id}", "申报 {id} 已初审。")
    if isinstance(out, tuple):
        flash_status(request, out[1])
        return out[0]
    return out


def flash_status(request: Request, app: dict) -> None:
    c = app.get("checklist") or {}
    if c:
        flash(request, "ok", f"初审结果：{c.get('status_zh', '')}"
                             + ("，可推荐。" if c.get("eligible") else "，按条件不能推荐（见清单中的理由）。"))


@router.post("/applications/{application_id}/decision", dependencies=[CsrfChecked])
async def decide(request: Request, application_id: int, user: Annotated[User, page_user("seasons")],
                 season_id: Annotated[int, Form()] = 0, recommend: Annotated[str, Form()] = "",
                 reasons: Annotated[str, Form()] = "", form_id: Annotated[str, Form()] = ""):
    typed = {"recommend": recommend, "reasons": reasons, "application": application_id}
    form = f"app-{application_id}"
    if recommend not in ("yes", "no"):
        err = ServiceError(422, "请选择是否推荐。")
        return await season_page(request, user, season_id, 422, failed={form: err}, typed=typed)
    body = {"recommend": recommend == "yes", **({"reasons": reasons.strip()} if reasons.strip() else {})}
    verdict = "推荐" if body["recommend"] else "不推荐"
    out = await act(request, user, season_id, form, f"/applications/{application_id}/decision", body,
                    f"portal-{form_id}-decide-{application_id}-{recommend}", f"申报 {{id}} 已决定：{verdict}。", typed)
    return out[0] if isinstance(out, tuple) else out


@router.post("/seasons/{season_id}/recommendation", dependencies=[CsrfChecked])
async def recommend(request: Request, season_id: int, user: Annotated[User, page_user("seasons")],
                    form_id: Annotated[str, Form()] = ""):
    """The list is built, checked against the criteria, stored as a new version and sent as a job."""
    out = await act(request, user, season_id, "recommend", f"/seasons/{season_id}/recommendation", None,
                    f"portal-{form_id}-recommend", "已生成推荐名单并开始报送市级平台（任务 {id}）。")
    if isinstance(out, tuple):
        return RedirectResponse(f"/platform-jobs/{out[1]['id']}?season={season_id}", status_code=303)
    return out


@router.get("/platform-jobs")
async def platform_jobs(request: Request, user: Annotated[User, page_user("platform_jobs")], state: str = "",
                        cursor: str = ""):
    """The municipal platform's jobs newest first (syncs of the published list, submissions of
    recommendations); `state=failed` is the operator's list of failures, each with why."""
    state = state if state in PLATFORM_JOB_STATE_LABELS else ""
    page = await api(request, user).get("registry", "/platform-jobs", state=state or None, cursor=cursor or None,
                                        limit=50)
    return render(request, "platform_jobs.html", page=page, state=state, states=PLATFORM_JOB_STATE_LABELS,
                  form_id=uuid.uuid4().hex)


@router.post("/platform-jobs/sync", dependencies=[CsrfChecked])
async def platform_sync(request: Request, user: Annotated[User, page_user("platform_jobs")],
                        form_id: Annotated[str, Form()] = ""):
    """econ starts a sync of the platform's published recognitions now (the registry runs it as a job,
    retrying the platform's transient failures); the job's page follows it."""
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以从市级平台同步认定名单。")
    job, refused = await attempt(api(request, user).post(
        "registry", "/platform/sync", idempotency_key=f"portal-{form_id}" if form_id else None))
    if refused:
        flash(request, "error", f"同步未开始：{refused}")
        return RedirectResponse("/platform-jobs", status_code=303)
    flash(request, "ok", f"已开始从市级平台同步认定名单（任务 {job['id']}）。")
    return RedirectResponse(f"/platform-jobs/{job['id']}", status_code=303)


@router.get("/platform-jobs/{job_id}")
async def platform_job(request: Request, job_id: str, user: Annotated[User, page_user("seasons")], season: int = 0):
    job = await api(request, user).get("registry", f"/platform-jobs/{seg(job_id, '市级平台任务')}")
    return render(request, "platform_job.html", job=job, season=season)
