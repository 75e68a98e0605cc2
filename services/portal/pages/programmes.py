"""上级项目申报: the municipal and national programmes the bureau helps enterprises apply to (outreach's
catalogue), the windows closing soon with the applications still being prepared, the reminders to
those applicants, and each application from preparing to granted. Outreach decides every rule (the
stage order, the programme's maximum, who may read); the portal forwards the form."""
from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Request

from services.portal.names import names_of
from services.portal.pages.common import (
    CsrfChecked,
    api,
    attempt,
    attempt_fields,
    back_to,
    page_user,
    render,
    seg,
    wan_to_yuan,
)
from services.portal.session import PortalError, User, flash
from shared.validators import reason_zh, uscc_error

router = APIRouter()
LEVELS = {"municipal": "市级", "national": "国家级"}
STAGES = {"preparing": "准备中", "submitted": "已提交", "approved": "已通过", "granted": "已获支持", "rejected": "未通过",
          "withdrawn": "已撤回"}
PROGRAMME_FIELDS = ("name", "level", "authority", "window_opens", "window_closes", "max_wan", "url", "description")


def _econ(user: User) -> None:
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以登记上级项目和申报。")


async def _list(request: Request, user: User, level: str = "", status: int = 200, **ctx):
    a = api(request, user)
    programmes, closing = await asyncio.gather(a.all("outreach", "/programmes", level=level or None, cap=1000),
                                               a.get("outreach", "/programmes/closing"))
    await names_of(request).load(usccs=[x["uscc"] for w in closing["items"] for x in w["preparing"]])
    programmes = sorted(programmes, key=lambda p: (p["window_closes"], p["id"]), reverse=True)
    return render(request, "programmes.html", status, programmes=programmes, closing=closing, level=level,
                  levels=LEVELS, form_id=uuid.uuid4().hex, errors=ctx.pop("errors", {}), typed=ctx.pop("typed", {}),
                  **ctx)


@router.get("/programmes")
async def programmes(request: Request, user: Annotated[User, page_user("programmes")], level: str = ""):
    return await _list(request, user, level if level in LEVELS else "")


@router.post("/programmes", dependencies=[CsrfChecked])
async def add_programme(request: Request, user: Annotated[User, page_user("programmes")]):
    """econ adds a programme to the catalogue; what is wrong beside its field, nothing recorded."""
    _econ(user)
    form = await request.form()
    typed = {k: str(form.get(k, "")).strip() for k in PROGRAMME_FIELDS}
    errors: dict[str, str] = {}
    for k, label in (("name", "项目名称"), ("authority", "主管部门"), ("window_opens", "申报开始日"),
                     ("window_closes", "申报截止日")):
        if not typed[k]:
            errors[k] = f"请填写{label}。"
    if typed["level"] not in LEVELS:
        errors["level"] = "请选择市级或国家级。"
    cap = wan_to_yuan(typed["max_wan"]) if typed["max_wan"] else None
    if typed["max_wan"] and not cap:
        errors["max_wan"] = "支持上限应为大于 0 的万元数，最多四位小数，如 50。"
    if not errors:
        body = {k: typed[k] for k in ("name", "level", "authority", "window_opens", "window_closes")}
        body |= {k: typed[k] for k in ("url", "description") if typed[k]}
        if cap:
            body["max_amount_yuan"] = cap
        made, errors = await attempt_fields(api(request, user).post(
            "outreach", "/programmes", json=body,
            idempotency_key=f"portal-{form.get('form_id')}" if form.get("form_id") else None),
            {**typed, "max_amount_yuan": ""})
        errors = {("max_wan" if k == "max_amount_yuan" else k): v for k, v in errors.items()}
        if not errors:
            flash(request, "ok", f"已登记上级项目：{made['name']}。")
            return back_to(request, f"/programmes/{made['id']}", "/programmes")
    return await _list(request, user, status=422, errors=errors, typed=typed)


@router.post("/programmes/reminders", dependencies=[CsrfChecked])
async def remind(request: Request, user: Annotated[User, page_user("programmes")]):
    """Reminds the applicants still preparing for windows closing soon (outreach queues one notice a
    window; running it again queues only applicants newly preparing)."""
    _econ(user)
    done, refused = await attempt(api(request, user).post("outreach", "/programmes/reminders"))
    if refused:
        flash(request, "error", f"截止提醒未发出：{refused}")
    else:
        queued = sum(r["queued"] for r in done["reminders"])
        flash(request, "ok", f"已为 {len(done['reminders'])} 个即将截止的项目发出提醒，新排队送达 {queued} 条"
                             f"（此前已排队的不重复发送）。" if done["reminders"] else "没有即将截止且有企业仍在准备的项目。")
    return back_to(request, "/programmes#closing", "/programmes")


async def _detail(request: Request, user: User, pid: str, status: int = 200, **ctx):
    p = await api(request, user).get("outreach", f"/programmes/{seg(pid, '上级项目')}")
    await names_of(request).load(usccs=[x["uscc"] for x in p["applications"]])
    return render(request, "programme.html", status, p=p, levels=LEVELS, stages=STAGES,
                  form_id=uuid.uuid4().hex, errors=ctx.pop("errors", {}), typed=ctx.pop("typed", {}), **ctx)


@router.get("/programmes/{pid}")
async def programme(request: Request, pid: str, user: Annotated[User, page_user("programmes")]):
    return await _detail(request, user, pid)


@router.post("/programmes/{pid}/applications", dependencies=[CsrfChecked])
async def add_application(request: Request, pid: str, user: Annotated[User, page_user("programmes")]):
    """econ records an enterprise's application (stage 准备中); above the programme's maximum, an
    enterprise not in the registry or a second application: outreach's refusal beside the form."""
    _econ(user)
    form = await request.form()
    typed = {k: str(form.get(k, "")).strip() for k in ("uscc", "requested_wan", "note")}
    typed["uscc"] = typed["uscc"].upper()
    errors = {}
    if bad := uscc_error(typed["uscc"]):
        errors["uscc"] = f"统一社会信用代码无效（{reason_zh(bad)}）。"
    requested = wan_to_yuan(typed["requested_wan"]) if typed["requested_wan"] else None
    if typed["requested_wan"] and not requested:
        errors["requested_wan"] = "申请金额应为大于 0 的万元数，如 30。"
    if not errors:
        body = {"uscc": typed["uscc"], **({"requested_yuan": requested} if requested else {}),
                **({"note": typed["note"]} if typed["note"] else {})}
        _, errors = await attempt_fields(api(request, user).post(
            "outreach", f"/programmes/{seg(pid, '上级项目')}/applications", json=body,
            idempotency_key=f"portal-{form.get('form_id')}" if form.get("form_id") else None),
            ("uscc", "requested_yuan", "note"))
        errors = {("requested_wan" if k == "requested_yuan" else k): v for k, v in errors.items()}
        if not errors:
            flash(request, "ok", "已登记申报（准备中）。")
            return back_to(request, f"/programmes/{pid}#applications", "/programmes")
    return await _detail(request, user, pid, 422, errors=errors, typed=typed)


@router.post("/programmes/{pid}/applications/{aid}", dependencies=[CsrfChecked])
async def move_application(request: Request, pid: str, aid: str, user: Annotated[User, page_user("programmes")]):
    """econ moves an application to its next stage (with the amount granted at 已获支持)."""
    _econ(user)
    form = await request.form()
    stage, granted_wan = str(form.get("stage", "")), str(form.get("granted_wan", "")).strip()
    error = None if stage in STAGES else "请选择下一阶段。"
    granted = wan_to_yuan(granted_wan) if granted_wan else None
    if error is None and stage == "granted" and not granted:
        error = "已获支持时请填写获批金额（万元），如 30。"
    if error is None:
        body = {"stage": stage, **({"granted_yuan": granted} if stage == "granted" else {})}
        _, error = await attempt(api(request, user).patch("outreach", f"/applications/{seg(aid, '申报')}", json=body))
        if error is None:
            flash(request, "ok", f"申报已改为“{STAGES[stage]}”。")
            return back_to(request, f"/programmes/{pid}#application-{aid}", "/programmes")
    return await _detail(request, user, pid, 422, move_errors={aid: error}, move_typed={aid: granted_wan})
