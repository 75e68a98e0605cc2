"""Outreach's one synchronous call to the registry service: the screening list (达标 / 准达标), which the
registry computes on demand and publishes no event for. A notice targeted by screening result
resolves it once, when the notice is created, and stores the USCCs with the notice, so delivery
never depends on the registry later.

The call is `app.state.registry_screening(params, authorization) -> dict` when set (tests put one
there that calls the in-process registry), else `screening` below: httpx to the registry's URL,
`SRDI_OUTREACH_REGISTRY_URL` (settings.outreach_registry_url) or `http://{settings.host}:{settings.port("registry")}`."""
from __future__ import annotations

import httpx

from shared.errors import Problem

RESULTS = {"达标": "met", "准达标": "near"}
TIMEOUT_S = 10.0


def registry_url(app) -> str:
    settings = app.state.settings
    if settings.outreach_registry_url:
        return settings.outreach_registry_url.rstrip("/")
    return f"http://{settings.host}:{settings.port('registry')}"


def unavailable(detail: str) -> Problem:
    return Problem(503, "registry-unavailable", "无法连接区经信局企业库（筛选结果）；通知未创建",
                   f"The registry (screening) could not be reached: {detail}; no notice was created")


def bad_answer(status: int, detail: str) -> Problem:
    return Problem(502, "registry-error", f"区经信局企业库筛选接口答复异常（状态码 {status}）；通知未创建",
                   f"The registry's screening answered {status}: {detail}; no notice was created")


async def screening(app, params: dict, authorization: str | None) -> dict:
    """GET {registry}/api/v1/screening with the caller's Authorization header."""
    headers = {"Authorization": authorization} if authorization else {}
    try:
        async with httpx.AsyncClient(base_url=registry_url(app), timeout=TIMEOUT_S) as client:
            r = await client.get("/api/v1/screening", params=params, headers=headers)
    except httpx.HTTPError as exc:
        raise unavailable(type(exc).__name__) from exc
    return answer(r)


def answer(r: httpx.Response) -> dict:
    if 400 <= r.status_code < 500:
        # The caller's own problem (a date the registry refuses, a role it may not use): pass it on.
        try:
            body = r.json()
            zh, en = body.get("detail_zh"), body.get("detail_en") or body.get("detail")
        except Exception:  # noqa: BLE001 - not problem JSON
            zh, en = None, r.text[:200]
        zh = zh or f"状态码 {r.status_code}"
        raise Problem(r.status_code, "registry-refused", f"区经信局企业库拒绝了筛选请求：{zh}；通知未创建",
                      f"The registry refused the screening request: {en}; no notice was created")
    if r.status_code != 200:
        raise bad_answer(r.status_code, r.text[:200])
    try:
        body = r.json()
        items = body["items"]
        assert isinstance(items, list)
    except Exception as exc:  # not the screening list's shape
        raise bad_answer(r.status_code, "unexpected body") from exc
    return body


async def resolve(app, selector: dict, authorization: str | None) -> dict:
    """The screening selector with the USCCs it resolved to (sorted), and the basis used."""
    params = {"tier": selector["tier"]}
    for k in ("on", "year"):
        if selector.get(k) is not None:
            params[k] = str(selector[k])
    fetch = getattr(app.state, "registry_screening", None)
    try:
        body = await fetch(params, authorization) if fetch else await screening(app, params, authorization)
    except httpx.HTTPError as exc:
        raise unavailable(type(exc).__name__) from exc
    if isinstance(body, httpx.Response):
        body = answer(body)
    status = RESULTS[selector["result"]]
    try:
        usccs = sorted({i["uscc"] for i in body["items"] if i.get("status") == status})
    except (KeyError, TypeError) as exc:
        raise bad_answer(200, "unexpected body") from exc
    return {**selector, "usccs": usccs, "on": body.get("on", selector.get("on")),
            "indicator_year": body.get("indicator_year", selector.get("year"))}
