"""Policy notices (申报通知) of the lead bureau: draft one for a target (tiers, townships), preview whom
it reaches on each channel (and who would be skipped, and why), send it, and see its deliveries.
Outreach resolves the targets and delivers; the portal shows and forwards."""
from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from services.portal.labels import TIER_LABELS, TIER_ORDER
from services.portal.pages.common import CsrfChecked, api, attempt, optional, page_user, render
from services.portal.session import PortalError, User, flash

router = APIRouter()
CHANNELS = {"inbox": "企业门户收件箱", "email": "电子邮件", "wechat": "微信模板消息", "sms": "短信"}
OUTCOMES = {"send": "将发送", "skip": "将跳过", "queued": "已排队"}


async def _list(request: Request, user: User, status: int = 200, **ctx):
    a = api(request, user)
    notices, towns = await asyncio.gather(optional(a.get("outreach", "/notices", limit=50), {"items": []}),
                                          optional(a.get("registry", "/townships"), {"items": []}))
    return render(request, "notices.html", status, notices=(notices or {}).get("items", []), channels=CHANNELS,
                  tiers=[t for t in TIER_ORDER if t != "sme"], townships=(towns or {}).get("items", []),
                  form_id=uuid.uuid4().hex, **ctx)


@router.get("/notices")
async def notices(request: Request, user: Annotated[User, page_user("notices")]):
    return await _list(request, user)


@router.post("/notices", dependencies=[CsrfChecked])
async def draft(request: Request, user: Annotated[User, page_user("notices")]):
    """Drafts a notice; a missing field or outreach's refusal (an empty target) is said beside the form."""
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以起草通知。")
    form = await request.form()
    typed = {k: form.get(k, "") for k in ("programme", "title", "body", "window_opens", "window_closes")}
    typed |= {"tiers": form.getlist("tiers"), "townships": form.getlist("townships"),
              "channels": form.getlist("channels"), "audience": form.get("audience", "")}
    missing = [label for k, label in (("programme", "所属项目"), ("title", "标题"), ("body", "正文"),
                                      ("window_opens", "申报开始日"), ("window_closes", "申报截止日")) if not str(typed[k]).strip()]
    if not typed["channels"]:
        missing.append("送达渠道")
    error = f"请填写{'、'.join(missing)}。" if missing else None
    if error is None:
        target = {"tiers": [t for t in typed["tiers"] if t in TIER_LABELS], "townships": typed["townships"]}
        if typed["audience"] == "all":
            target = {"audience": "all"}
        body = {k: str(typed[k]).strip() for k in ("programme", "title", "body", "window_opens", "window_closes")}
        body |= {"target": target, "channels": [c for c in typed["channels"] if c in CHANNELS]}
        n, error = await attempt(api(request, user).post(
            "outreach", "/notices", json=body,
            idempotency_key=f"portal-{form.get('form_id')}" if form.get("form_id") else None))
        if error is None:
            flash(request, "ok", f"通知已起草（编号 {n['id']}）。请先预览通知对象，再发送。")
            return RedirectResponse(f"/notices/{n['id']}", status_code=303)
    return await _list(request, user, 422, error=error, typed=typed)


@router.get("/notices/{notice_id}")
async def notice(request: Request, notice_id: int, user: Annotated[User, page_user("notices")]):
    a = api(request, user)
    n = await a.get("outreach", f"/notices/{notice_id}")
    preview = await optional(a.get("outreach", f"/notices/{notice_id}/preview"))
    return render(request, "notice.html", n=n, preview=preview, channels=CHANNELS, outcomes=OUTCOMES)


@router.post("/notices/{notice_id}/send", dependencies=[CsrfChecked])
async def send(request: Request, notice_id: int, user: Annotated[User, page_user("notices")]):
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以发送通知。")
    q, error = await attempt(api(request, user).post("outreach", f"/notices/{notice_id}/send", json=None))
    if error:
        flash(request, "error", f"通知未发送：{error}")
    else:
        flash(request, "ok", f"通知已发送：对象 {q['enterprises']} 家，本次排队 {q['queued']} 条送达"
                             f"（此前已排队 {q['already_queued']} 条）。")
    return RedirectResponse(f"/notices/{notice_id}", status_code=303)
