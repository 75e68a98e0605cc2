"""The validity cycle's reminders (到期提醒), the audit log (审计日志) and the policy parameters (政策参数)
of every service: reading them, running the reminder sweep now, withdrawing a version not yet in force."""
from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from services.portal.backend import SERVICE_NAMES, ServiceError
from services.portal.labels import AUDIT_OBJECT_LABELS, REMINDER_KIND_LABELS, ROLE_LABELS
from services.portal.names import names_of
from services.portal.pages.common import CsrfChecked, api, optional, page_user, render, uscc_filter
from services.portal.session import PortalError, User, flash
from shared.clock import SHANGHAI, today

router = APIRouter()
# Who adds and withdraws policy versions in each service (its `policy_writers`): only shapes the
# page, the service checks again.
POLICY_WRITERS = {"registry": ("econ",), "awards": ("econ",), "talent": ("talent",), "finance": ("finance",),
                  "parks": ("econ",)}
# The service a role opens the audit log and policy pages on first.
HOME_SERVICE = {"treasury": "awards", "talent": "talent", "finance": "finance"}


@router.get("/reminders")
async def reminders(request: Request, user: Annotated[User, page_user("reminders")], kind: str = "",
                    uscc: str = "", cursor: str = ""):
    kind = kind if kind in REMINDER_KIND_LABELS else ""
    code, bad = uscc_filter(uscc)
    if bad:  # said beside the filter, not "暂无提醒"
        return render(request, "reminders.html", 422, page={"items": []}, kind=kind, uscc=uscc,
                      kinds=REMINDER_KIND_LABELS, uscc_error=bad)
    page = await api(request, user).get("registry", "/reminders", kind=kind, uscc=code, cursor=cursor, limit=100)
    await names_of(request).load(usccs=[r.get("uscc") for r in page.get("items") or []])
    return render(request, "reminders.html", page=page, kind=kind, uscc=uscc, kinds=REMINDER_KIND_LABELS)


@router.post("/reminders/run", dependencies=[CsrfChecked])
async def run_reminders(request: Request, user: Annotated[User, page_user("reminders")]):
    if user.role != "econ":
        raise PortalError(403, f"您当前的角色（{ROLE_LABELS.get(user.role, user.role)}）不能运行到期检查。")
    try:
        r = await api(request, user).post("registry", "/admin/reminders/run", json=None)
    except ServiceError as e:
        if e.status == 401:
            raise
        flash(request, "error", f"到期检查未完成：{e.said()}")
    else:
        flash(request, "ok", f"已完成到期检查（{r['on']}）：新发出称号到期提醒 {r['title_lapse']} 条、年度数据更新提醒 "
                             f"{r['annual_update']} 条；已提醒过、未重复发出 {r['already_sent']} 条。")
    return RedirectResponse("/reminders", status_code=303)


def service_of(service: str, user: User) -> str:
    return service if service in SERVICE_NAMES else HOME_SERVICE.get(user.role, "registry")


def utc_bound(day: str, end: bool, what: str) -> str | None:
    """A Beijing date from the form as the UTC moment the audit log filters on (the day's start;
    for `until`, the next day's start, so the day itself is included)."""
    if not day.strip():
        return None
    try:
        d = dt.date.fromisoformat(day.strip())
    except ValueError:
        raise PortalError(422, f"{what}格式不正确：{day.strip()[:20]}（应为 年-月-日）。") from None
    start = dt.datetime.combine(d + dt.timedelta(days=1 if end else 0), dt.time(), SHANGHAI)
    return start.astimezone(dt.UTC).isoformat()


@router.get("/audit-log")
async def audit_log(request: Request, user: Annotated[User, page_user("audit")], service: str = "",
                    object_type: str = "", object_id: str = "", actor: str = "", since: str = "", until: str = "",
                    cursor: str = ""):
    service = service_of(service, user)
    query = {"object_type": object_type.strip(), "object_id": object_id.strip(), "actor": actor.strip(),
             "since": since.strip(), "until": until.strip()}
    page = await optional(api(request, user).get(
        "registry" if service not in SERVICE_NAMES else service, "/audit-log", limit=50, cursor=cursor,
        object_type=query["object_type"], object_id=query["object_id"], actor=query["actor"],
        since=utc_bound(since, False, "起始日期"), until=utc_bound(until, True, "截止日期")))
    await names_of(request).load(parks=True)  # a park's id in a before/after: its name
    more = None
    if page and page.get("next_cursor"):
        more = "/audit-log?" + urlencode({"service": service, **query, "cursor": page["next_cursor"]})
    return render(request, "audit_log.html", page=page, service=service, services=SERVICE_NAMES, q=query,
                  objects=AUDIT_OBJECT_LABELS, roles=ROLE_LABELS, more=more, first=bool(cursor),
                  first_url="/audit-log?" + urlencode({"service": service, **query}))


@router.get("/policy")
async def policy(request: Request, user: Annotated[User, page_user("policy")], service: str = ""):
    service = service_of(service, user)
    a = api(request, user)
    in_force = await a.get(service, "/policy")
    history = await a.get(service, "/policy/history")
    by_key: dict[str, list[dict]] = {}
    for v in history.get("items") or []:
        by_key.setdefault(v["key"], []).append(v)
    current = {p["key"]: p["id"] for p in in_force.get("parameters") or []}
    return render(request, "policy.html", service=service, services=SERVICE_NAMES, in_force=in_force,
                  by_key=by_key, current=current, today=today().isoformat(),
                  may_withdraw=user.role in POLICY_WRITERS.get(service, ()))


@router.post("/policy/{service}/{version_id}/withdraw", dependencies=[CsrfChecked])
async def withdraw(request: Request, service: str, version_id: int, user: Annotated[User, page_user("policy")],
                   reason: Annotated[str, Form()] = "", form_id: Annotated[str, Form()] = ""):
    if service not in SERVICE_NAMES:
        raise PortalError(404, "没有这个服务。")
    back = f"/policy?service={service}#version-{version_id}"
    if len(reason.strip()) < 2:
        flash(request, "error", f"参数版本 {version_id} 未撤回：请填写撤回理由。")
        return RedirectResponse(back, status_code=303)
    try:
        v = await api(request, user).post(service, f"/policy/{version_id}/withdraw", json={"reason": reason.strip()},
                                          idempotency_key=f"portal-{form_id}-withdraw-{version_id}" if form_id else None)
    except ServiceError as e:
        if e.status == 401:
            raise
        flash(request, "error", f"参数版本 {version_id} 未撤回：{e.said()}")
    else:
        flash(request, "ok", f"已撤回参数版本 {v['id']}（原定 {v['effective_from']} 生效）：该版本不会生效，"
                             "可在同一日期发布更正后的版本。")
    return RedirectResponse(back, status_code=303)
