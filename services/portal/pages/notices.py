"""Policy notices (申报通知) of the lead bureau: draft one for a target (tiers, townships), preview whom
it reaches on each channel (and who would be skipped, and why), send it, and see its deliveries.
Outreach resolves the targets and delivers; the portal shows and forwards."""
from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from services.portal.labels import CHANNEL_LABELS, DELIVERY_STATE_LABELS, TIER_LABELS, TIER_ORDER
from services.portal.names import names_of
from services.portal.pages.common import (
    CsrfChecked,
    api,
    attempt,
    attempt_fields,
    back_to,
    optional,
    page_user,
    render,
    seg,
)
from services.portal.session import PortalError, User, flash

router = APIRouter()
OUTCOMES = {"send": "将发送", "skip": "将跳过", "queued": "已排队"}


async def _list(request: Request, user: User, status: int = 200, **ctx):
    a = api(request, user)
    notices, towns = await asyncio.gather(optional(a.get("outreach", "/notices", limit=50), {"items": []}),
                                          optional(a.get("registry", "/townships"), {"items": []}))
    return render(request, "notices.html", status, notices=(notices or {}).get("items", []), channels=CHANNEL_LABELS,
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
        body |= {"target": target, "channels": [c for c in typed["channels"] if c in CHANNEL_LABELS]}
        n, error = await attempt(api(request, user).post(
            "outreach", "/notices", json=body,
            idempotency_key=f"portal-{form.get('form_id')}" if form.get("form_id") else None))
        if error is None:
            flash(request, "ok", f"通知已起草（编号 {n['id']}）。请先预览通知对象，再发送。")
            return RedirectResponse(f"/notices/{n['id']}", status_code=303)
    return await _list(request, user, 422, error=error, typed=typed)


@router.get("/notices/{notice_id}")
async def notice(request: Request, notice_id: int, user: Annotated[User, page_user("notices")], state: str = ""):
    """The notice, who it would reach (the preview) and, once sent, each delivery by enterprise and
    channel with its state, attempts and why it failed or was skipped; filtered by state."""
    a = api(request, user)
    state = state if state in DELIVERY_STATE_LABELS and state != "read" else ""
    n, preview, deliveries = await asyncio.gather(
        a.get("outreach", f"/notices/{notice_id}"), optional(a.get("outreach", f"/notices/{notice_id}/preview")),
        optional(a.all("outreach", f"/notices/{notice_id}/deliveries", state=state or None, cap=2000), []))
    await names_of(request).load(usccs=[d["uscc"] for d in deliveries or []])
    return render(request, "notice.html", n=n, preview=preview, channels=CHANNEL_LABELS, outcomes=OUTCOMES,
                  deliveries=deliveries, state=state, states={k: v for k, v in DELIVERY_STATE_LABELS.items()
                                                              if k != "read"})


@router.post("/notices/{notice_id}/dispatch", dependencies=[CsrfChecked])
async def dispatch(request: Request, notice_id: int, user: Annotated[User, page_user("notices")]):
    """Sends this notice's due deliveries now (the background dispatcher does the same on its own)."""
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以立即派送通知。")
    d, error = await attempt(api(request, user).post("outreach", f"/notices/{notice_id}/dispatch", json=None))
    if error:
        flash(request, "error", f"派送未完成：{error}")
    else:
        parts = [f"{DELIVERY_STATE_LABELS[k]} {d[k]} 条" for k in ("sent", "failed", "abandoned", "skipped") if d.get(k)]
        flash(request, "ok", f"已派送到期的送达 {d['claimed']} 条" + (f"：{'，'.join(parts)}。" if parts else "。"))
    return RedirectResponse(f"/notices/{notice_id}#deliveries", status_code=303)


CONTACT_FIELDS = {"email": "电子邮箱", "wechat_openid": "微信 openid", "phone": "手机号（11 位，短信）"}


async def _contact_page(request: Request, user: User, uscc: str, status: int = 200, **ctx):
    a = api(request, user)
    code = seg(uscc, "企业")
    enterprise, contact = await asyncio.gather(a.get("registry", f"/enterprises/{code}"),
                                               a.get("outreach", f"/enterprises/{code}/contact"))
    back = ctx.pop("back", "") or request.query_params.get("back", "")
    safe = back.startswith("/") and not back.startswith("//") and "\\" not in back  # a link of this site only
    return render(request, "contact.html", status, enterprise=enterprise, contact=contact, fields=CONTACT_FIELDS,
                  back=back if safe else "", **ctx)


@router.get("/enterprises/{uscc}/contact")
async def contact(request: Request, uscc: str, user: Annotated[User, page_user("notices")]):
    if user.role != "econ":  # personal data: the bureau only (outreach checks again)
        raise PortalError(403, "只有区经信局可以查看和修改企业联系方式。")
    return await _contact_page(request, user, uscc)


@router.post("/enterprises/{uscc}/contact", dependencies=[CsrfChecked])
async def set_contact(request: Request, uscc: str, user: Annotated[User, page_user("notices")]):
    """econ records where notices reach the enterprise: the whole contact is sent (outreach replaces
    all three), prefilled with what is recorded, so a field left as it was is kept."""
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以查看和修改企业联系方式。")
    form = await request.form()
    typed = {k: str(form.get(k, "")).strip() for k in CONTACT_FIELDS}
    _, errors = await attempt_fields(api(request, user).call(
        "outreach", "PUT", f"/enterprises/{seg(uscc, '企业')}/contact", json={k: v or None for k, v in typed.items()}),
        CONTACT_FIELDS)
    back = str(form.get("back", ""))
    if errors:
        return await _contact_page(request, user, uscc, 422, errors=errors, typed=typed, back=back)
    flash(request, "ok", "企业联系方式已保存；此前因缺少地址而跳过的送达，可在通知页“再次发送”重新排队。")
    return back_to(request, back, f"/enterprises/{uscc}/contact")


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
