"""事件与死信: each service's outbox backlog and its dead letters (events its handlers could not apply),
read by econ and the auditor; econ replays a dead letter once its cause is fixed, or a service's
whole event stream — all of it, from a day or from a stream sequence — after a confirmation. The
services keep both (GET /admin/events, POST /admin/dead-letters/{id}/replay, POST /admin/replay);
the portal names the events and says what the service answered."""
from __future__ import annotations

import asyncio
import datetime as dt
import functools
import re
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from services.portal.backend import SERVICE_NAMES, ServiceError
from services.portal.labels import said_zh
from services.portal.pages.common import CsrfChecked, api, attempt, back_to, iso_day, optional, page_user, render
from services.portal.session import PortalError, User, flash
from shared.clock import SHANGHAI, today

router = APIRouter()
OUTCOMES = {"handled": "已处理", "duplicate": "此前已处理，未重复生效"}


@functools.cache
def event_titles() -> dict[str, str]:
    """Each event subject's Chinese title (the contract's TITLE_ZH, before its explanation)."""
    from shared.asyncapi import all_models
    return {m.subject(): (getattr(m, "TITLE_ZH", None) or m.subject()).split("：")[0] for m in all_models()}


async def _events_page(request: Request, user: User, status: int = 200, replay: dict | None = None):
    a = api(request, user)
    answers = await asyncio.gather(*(optional(a.get(s, "/admin/events")) for s in SERVICE_NAMES))
    services = [{"key": s, "name": name, "status": status}
                for (s, name), status in zip(SERVICE_NAMES.items(), answers)]
    return render(request, "events.html", status, services=services, titles=event_titles(),
                  open_letters=sum(1 for s in services for d in (s["status"] or {}).get("dead_letters", [])
                                   if not d["replayed_at"]),
                  replay=replay or {"typed": {}, "errors": {}}, today=today().isoformat())


@router.get("/events")
async def events(request: Request, user: Annotated[User, page_user("events")]):
    return await _events_page(request, user)


# -- 重放事件流: a service's stream delivered to it again ------------------------------------------
DIGITS = re.compile(r"\d{1,19}")


def _start(typed: dict[str, str]) -> tuple[dict, str, dict[str, str]]:
    """The replay's start as the service takes it (`since`, a UTC time, or `from_sequence`), in
    words, and what is wrong with what was typed (by field)."""
    errors: dict[str, str] = {}
    if typed["service"] not in SERVICE_NAMES:
        errors["service"] = "请选择要重放事件流的服务"
    day, seq = typed["since"], typed["from_sequence"]
    if day and seq:
        errors["from_sequence"] = "起始日期与起始序号只能填写一个（都不填即重放全部事件）"
        return {}, "", errors
    if day:
        d = iso_day(day)
        if d is None:
            errors["since"] = f"日期格式不正确：{day[:20]}（应为 年-月-日）"
        elif not dt.date(2000, 1, 1) <= d <= today():
            errors["since"] = "起始日期应在 2000 年以后，且不晚于今天"
        else:
            since = dt.datetime.combine(d, dt.time(), SHANGHAI).astimezone(dt.UTC)
            return {"since": since.isoformat()}, f"自 {d.isoformat()}（北京时间零时）起的事件", errors
        return {}, "", errors
    if seq:
        if not DIGITS.fullmatch(seq) or int(seq) < 1:
            errors["from_sequence"] = "起始序号应为正整数（事件流中的序号）"
            return {}, "", errors
        return {"from_sequence": int(seq)}, f"自事件流序号 {int(seq)} 起的事件", errors
    return {}, "全部事件", errors


@router.post("/events/replay", dependencies=[CsrfChecked])
async def replay_stream(request: Request, user: Annotated[User, page_user("events")],
                        service: Annotated[str, Form()] = "", since: Annotated[str, Form()] = "",
                        from_sequence: Annotated[str, Form()] = "", confirmed: Annotated[str, Form()] = ""):
    """A service's event stream delivered to it again (from a day or a sequence, or all of it):
    first a confirmation saying what will happen, then the service's answer — how many events it
    re-delivers — in words. What was typed wrong, or the service's refusal of a start, is said
    beside its field with the text kept (422)."""
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以重放事件流。")
    typed = {"service": service.strip(), "since": since.strip(), "from_sequence": from_sequence.strip()}
    params, start_zh, errors = _start(typed)
    if errors:
        return await _events_page(request, user, 422, {"typed": typed, "errors": errors})
    name = SERVICE_NAMES[typed["service"]]
    if not confirmed:
        return render(request, "events_replay.html", typed=typed, name=name, start_zh=start_zh)
    try:
        done = await api(request, user).post(typed["service"], "/admin/replay", params=params)
    except ServiceError as e:
        if e.status == 401:
            raise
        # The field the service names, with its words (its own Chinese sentence when the field's is English).
        beside = {k: said_zh(v or e.zh) for k, v in e.fields.items() if k in ("since", "from_sequence")}
        if e.status == 422 and beside:
            return await _events_page(request, user, 422, {"typed": typed, "errors": beside})
        flash(request, "error", f"{name}未开始重放事件流：{e.said()}")
        return RedirectResponse("/events#replay", status_code=303)
    n = done.get("events")
    count = (f"该服务订阅的 {n} 个事件将重新交给它处理" if isinstance(n, int) and n
             else "事件流中没有该服务订阅的事件，无需处理" if n == 0 else "消息服务未告知事件数")
    flash(request, "ok", f"{name}已开始重放事件流（{start_zh}）：{count}；已处理过的事件不会重复生效。")
    return RedirectResponse("/events#replay", status_code=303)


@router.post("/events/{service}/{letter}/replay", dependencies=[CsrfChecked])
async def replay(request: Request, service: str, letter: int, user: Annotated[User, page_user("events")]):
    if user.role != "econ":
        raise PortalError(403, "只有区经信局可以重放死信。")
    if service not in SERVICE_NAMES:
        raise PortalError(404, "没有这个服务。")
    done, refusal = await attempt(api(request, user).post(service, f"/admin/dead-letters/{letter}/replay"))
    if refusal:
        flash(request, "error", f"{SERVICE_NAMES[service]}死信 {letter} 未重放成功：{refusal}")
    else:
        flash(request, "ok", f"{SERVICE_NAMES[service]}死信 {letter} 已重放：{OUTCOMES.get(done['outcome'], done['outcome'])}。")
    return back_to(request, f"/events#svc-{service}", "/events")
