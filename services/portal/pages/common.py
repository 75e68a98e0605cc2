"""What every page uses: which roles see which page, the signed-in user, the service client,
rendering, safe redirects and path segments."""
from __future__ import annotations

import asyncio
import datetime as dt
import re
from typing import Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from services.portal.backend import Api, ServiceError
from services.portal.labels import ROLE_LABELS
from services.portal.session import NotSignedIn, PortalError, User, check_csrf, current_user
from shared.validators import reason_zh, uscc_error

# Which roles see which page (the services check again on every call: this only shapes the menu).
PAGES = {
    "dashboard": ("/", "首页概览", None),
    "mine": ("/mine", "本企业", ("enterprise",)),
    "township": ("/township", "本乡镇", ("township",)),
    "requests": ("/requests", "服务诉求", ("econ", "treasury", "talent", "finance", "park", "auditor")),
    "enterprises": ("/enterprises", "企业查询", ("econ", "treasury", "talent", "finance", "auditor", "platform", "park")),
    "awards": ("/awards", "奖励审核与拨付", ("econ", "treasury", "auditor")),
    "budgets": ("/budgets", "预算执行", ("treasury", "econ", "auditor")),
    "recoveries": ("/recoveries", "追回与结转", ("treasury", "econ", "auditor")),
    "payments": ("/payments", "奖励支付", ("treasury", "econ", "auditor")),
    "report": ("/report", "领导报告", ("econ", "treasury", "auditor")),
    "statistics": ("/statistics", "分乡镇园区统计", ("econ", "auditor")),
    "screening": ("/screening", "培育筛选", ("econ", "auditor")),
    "targets": ("/targets", "目标与进度", ("econ", "auditor")),
    "whatif": ("/whatif", "政策试算", ("econ", "treasury", "auditor")),
    "talent": ("/talent", "落户指标与人才推荐", ("talent", "econ", "auditor", "enterprise")),
    "talent_reports": ("/talent/reports", "人才报表", ("talent", "econ", "auditor")),
    "service_list": ("/service-list", "金融服务名单", ("finance", "econ", "auditor", "bank")),
    "loans": ("/loans", "贷款案件", ("bank", "finance", "econ", "treasury", "auditor")),
    "matchmaking": ("/matchmaking", "政银企对接", ("finance", "econ", "auditor", "bank")),
    "listings": ("/listings", "上市培育", ("finance", "econ", "auditor")),
    "guidance_funds": ("/guidance-funds", "引导基金", ("finance", "econ", "auditor")),
    "financial_products": ("/financial-products", "金融产品", ("finance", "econ", "auditor", "bank")),
    "parks": ("/parks", "园区企业", ("econ", "auditor", "park")),
    "intermediaries": ("/intermediaries", "中介机构", ("econ", "auditor", "park")),
    "import": ("/import", "名单导入", ("econ", "platform")),
    "seasons": ("/seasons", "申报季", ("econ", "auditor")),
    "monitoring": ("/monitoring", "月度监测", ("econ", "treasury", "auditor")),
    "reminders": ("/reminders", "到期提醒", ("econ", "auditor")),
    "renewals": ("/renewals", "到期复核", ("econ", "auditor", "park")),
    "visits": ("/visits", "走访与宣讲", ("econ", "auditor")),
    "programmes": ("/programmes", "上级项目申报", ("econ", "auditor")),
    "platform_jobs": ("/platform-jobs", "市级平台任务", ("econ", "auditor")),
    "hotline": ("/hotline", "热线咨询", ("econ", "treasury", "talent", "finance", "park", "auditor")),
    "notices": ("/notices", "申报通知", ("econ", "auditor")),
    "scenarios": ("/scenarios", "应用场景", ("econ", "auditor", "enterprise")),
    "showcase": ("/showcase", "新技术新产品", ("econ", "auditor")),
    "contracts": ("/contracts", "产业链合同", ("econ", "auditor")),
    "claims": ("/claims", "奖励申领", ("econ", "treasury", "auditor")),
    "audit": ("/audit-log", "审计日志", ("auditor", "econ", "treasury")),
    "policy": ("/policy", "政策参数", ("econ", "auditor", "treasury", "talent", "finance")),
    "events": ("/events", "事件与死信", ("econ", "auditor")),
}


def nav_for(user: User | None) -> list[tuple[str, str, str]]:
    if not user:
        return []
    return [(key, path, label) for key, (path, label, roles) in PAGES.items() if roles is None or user.role in roles]


def signed_in(request: Request) -> User:
    user = current_user(request)
    if user is None:
        # A session cookie without a user: it expired, was lost (a new signing key) or signed out.
        lost = "srdi_portal" in request.cookies and not request.session.get("signed_out")
        raise NotSignedIn("登录已失效，请重新登录。" if lost else "")
    return user


def page_user(page: str):
    """A dependency: the signed-in user, if their role may open `page`."""
    roles = PAGES[page][2]

    def dep(request: Request) -> User:
        user = signed_in(request)
        if roles is not None and user.role not in roles:
            raise PortalError(403, f"您当前的角色（{ROLE_LABELS.get(user.role, user.role)}）无权访问“{PAGES[page][1]}”页面。")
        return user
    return Depends(dep)


def api(request: Request, user: User) -> Api:
    return request.app.state.backend().as_user(user.token)


def render(request: Request, template: str, status: int = 200, **ctx) -> Response:
    return request.app.state.render(request, template, status, **ctx)


def back_to(request: Request, target: str | None, default: str) -> RedirectResponse:
    # Only paths of this site: never an open redirect.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = default
    return RedirectResponse(target, status_code=303)


async def optional(coro, missing=None):
    """A section the role may not see renders as None, one the service does not have as `missing`."""
    try:
        return await coro
    except ServiceError as e:
        if e.status == 403:
            return None
        if e.status == 404:
            return missing
        raise


def seg(value: str, what_zh: str) -> str:
    """A page's path parameter as exactly one segment of a service's path: quoted (a `?` or `#`
    stays part of the id) and never a dot-segment (`..` would climb to another resource)."""
    if not value.strip(".").strip():
        raise PortalError(404, f"{what_zh}不存在：{value.strip() or '（空）'}")
    return quote(value, safe="")


def uscc_filter(text: str) -> tuple[str, str]:
    """A USCC typed into a list's filter: (the code, "") when valid or empty, else ("", why in Chinese),
    for the page to say beside the filter (an invalid code would only ever find nothing)."""
    code = (text or "").strip().upper()
    if not code:
        return "", ""
    if reason := uscc_error(code):
        return "", f"统一社会信用代码无效（{reason_zh(reason)}）：{code[:30]}。请输入 18 位统一社会信用代码，或清空后查看全部。"
    return code, ""


CsrfChecked = Depends(check_csrf)


def year_of(text: str | None) -> int | None:
    """A year typed in a filter or form: four ASCII digits from 2000 to 2100, else None (never int()
    on thousands of digits, nor on "²", which isdigit() accepts)."""
    t = (text or "").strip()
    return int(t) if t.isascii() and t.isdigit() and len(t) == 4 and 2000 <= int(t) <= 2100 else None


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_day(text: str | None) -> dt.date | None:
    """A real day typed exactly as YYYY-MM-DD, or None (Python would also take 20250418 or a week date)."""
    t = (text or "").strip()
    if not _ISO_DAY.fullmatch(t):
        return None
    try:
        return dt.date.fromisoformat(t)
    except ValueError:  # 2025-02-30
        return None


def day_of(text: str | None, label: str = "日期") -> tuple[str | None, str | None]:
    """A date typed as YYYY-MM-DD: (the day, None), (None, None) when empty, or (None, what is wrong,
    said of `label`). The service checks it again (in range, not in the future)."""
    t = (text or "").strip()
    if not t:
        return None, None
    day = iso_day(t)
    if day is None:
        return None, f"{label}格式应为 YYYY-MM-DD，如 2025-04-18。"
    return day.isoformat(), None


async def nothing():
    """An awaitable None: a call a page leaves out (asyncio.gather keeps its place)."""
    return None


def decimal_units(text: str, places: int) -> int | None:
    """A non-negative decimal as typed ("500", "12.5", "1,200") in units of 10^-places, exactly (no
    floats near money): `decimal_units("12.5", 4)` is 125000. None when it is not such a number."""
    t = text.strip().replace(",", "").replace("，", "")
    whole, _, frac = t.partition(".")
    if len(whole) > 30:  # no amount has so many digits (and int() refuses 4,300)
        return None
    if not whole.isascii() or not whole.isdigit() or (frac and (not frac.isascii() or not frac.isdigit()
                                                                or len(frac) > places)):
        return None
    return int(whole) * 10 ** places + int((frac or "0").ljust(places, "0"))


def wan_to_yuan(text: str) -> int | None:
    """万元 as typed to whole 元 (up to four decimals)."""
    return decimal_units(text, 4)


async def post_each(a: Api, service: str, ids, path_of, body: dict | None, key_of) -> list[str]:
    """The same POST for each id at once (a batch of the queue's actions); the failures, each as
    "id（why）" in the service's words. A lost session is raised (the sign-in page), not listed."""
    async def one(i) -> str | None:
        try:
            await a.post(service, path_of(i), json=body, idempotency_key=key_of(i))
        except ServiceError as e:
            if e.status == 401:
                raise
            return f"{i}（{e.said()}）"
        return None
    return [f for f in await asyncio.gather(*(one(i) for i in ids)) if f]


async def attempt(call) -> tuple[Any, str | None]:
    """A service call a form makes: (its answer, None), or (None, the service's refusal in its own words,
    to show beside the form). A lost session is raised (the sign-in page), not shown."""
    try:
        return await call, None
    except ServiceError as e:
        if e.status == 401:
            raise
        return None, e.said()


async def attempt_fields(call, fields) -> tuple[Any, dict[str, str]]:
    """As `attempt`, the refusal keyed for the form: beside the first of `fields` the service's problem
    names (its `errors`' field, in its words), else under "form"."""
    try:
        return await call, {}
    except ServiceError as e:
        if e.status == 401:
            raise
        field = next((f for f in e.fields if f in fields), None)
        return None, {field: e.fields[field] or e.said()} if field else {"form": e.said()}
