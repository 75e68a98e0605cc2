"""The municipal declaration platform (市级申报平台): its published recognition lists and the
district's recommendations (区级推荐) sent to it, behind an interface.

`HttpMunicipalPlatform` is the httpx client. It pages through the published lists, waits out rate
limits (429 with Retry-After, bounded), retries timeouts and 5xx a bounded number of times, and
never trusts a payload: a page that is not the expected JSON shape is a `PlatformError`, and each
published row goes through the same row checks as an uploaded file (rules.check_list_row), so a
malformed row is rejected with its reasons like any user input.

The tests run it against a simulator of the platform (simulator.py; `srdi platform-sim` serves it).
"""
from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from typing import Protocol

import httpx

from services.registry.imports.rows import NOT_A_ROW
from shared.errors import Problem

PLATFORM_URL_ENV = "SRDI_MUNICIPAL_PLATFORM_URL"  # shared.settings: municipal_platform_url, _token
# Field names of a published item → the recognition-list columns (../shared/data/README.md).
ITEM_FIELDS = {"seq": "序号", "name": "企业名称", "uscc": "统一社会信用代码", "district": "所属区",
               "type": "认定类型", "batch": "批次", "recognized_on": "认定日期"}
MAX_PAGES = 10_000


class PlatformError(Exception):
    """The platform could not be read or answered with something that is not its contract.
    `transient`: it failed or was unreachable (timeouts, 5xx, rate limits outlasting the waits), so
    a later attempt may succeed; a refusal or an off-contract answer will not change by retrying."""

    def __init__(self, zh: str, en: str, transient: bool = False):
        super().__init__(en)
        self.zh, self.en, self.transient = zh, en, transient

    def problem(self) -> Problem:
        return Problem(502, "platform-error", f"市级平台：{self.zh}", f"Municipal platform: {self.en}")


@dataclass(frozen=True)
class Receipt:
    batch_id: str
    accepted: int
    duplicate: bool


class MunicipalPlatform(Protocol):
    async def published_rows(self) -> list[tuple[int, dict]]:
        """Every published row as (row number, {column: text}), for service.plan_import."""

    async def recommend(self, year: int, tier: str, usccs: list[str]) -> Receipt:
        """Send the district's recommendations for a year's declarations of a tier."""


def recommendation_batch_id(year: int, tier: str, usccs: list[str]) -> str:
    """The same recommendation sent again has the same id: the platform keeps it once."""
    key = f"110111|{year}|{tier}|{','.join(sorted(set(usccs)))}"
    return "FS-" + hashlib.sha256(key.encode()).hexdigest()[:24]


def _text(v) -> str:
    if v is None or isinstance(v, (dict, list, bool)):
        return ""  # not a scalar: the row check reports the field as missing or unreadable
    return str(v)


def item_cells(item) -> dict | None:
    """A published item as recognition-list cells; None when it is not an object at all."""
    if not isinstance(item, dict):
        return None
    return {col: _text(item.get(field)) for field, col in ITEM_FIELDS.items()}


class HttpMunicipalPlatform:
    def __init__(self, base_url: str, token: str | None = None, *, transport: httpx.AsyncBaseTransport | None = None,
                 timeout_s: float = 10.0, retries: int = 3, max_wait_s: float = 30.0, max_rate_waits: int = 20,
                 page_size: int = 500, sleep=asyncio.sleep):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client_args = {"base_url": base_url, "headers": headers, "transport": transport, "timeout": timeout_s}
        self.timeout_s, self.retries, self.max_wait_s, self.page_size = timeout_s, retries, max_wait_s, page_size
        self.max_rate_waits = max_rate_waits
        self._sleep = sleep

    @classmethod
    def from_settings(cls, settings) -> HttpMunicipalPlatform | None:
        url = settings.municipal_platform_url
        return cls(url, settings.municipal_platform_token) if url else None

    async def _call(self, client: httpx.AsyncClient, method: str, path: str, **kw) -> dict:
        """One request, with bounded retries: timeouts, connection errors and 5xx are retried
        (`retries` times, with backoff); a 429 waits for its Retry-After (each wait at most
        max_wait_s, at most max_rate_waits of them); the body must be a JSON object."""
        last, attempt, waited = ("", ""), 0, 0  # the last failure, (Chinese, English)
        while attempt <= self.retries:
            try:
                # wait_for: the timeout holds whatever the transport does (an ASGI app in tests).
                r = await asyncio.wait_for(client.request(method, path, **kw), self.timeout_s)
            except (TimeoutError, httpx.TimeoutException):
                last = (f"{self.timeout_s} 秒内无应答", f"timed out after {self.timeout_s} s")
            except httpx.TransportError as e:
                last = ("无法连接", f"connection failed: {e!r}")
            else:
                if r.status_code == 429 and waited < self.max_rate_waits:  # not a failure: wait and ask again
                    waited += 1
                    try:
                        wait = float(r.headers.get("retry-after", "1"))
                    except ValueError:
                        wait = 1.0
                    await self._sleep(min(max(wait, 0.0), self.max_wait_s))
                    continue
                if r.status_code == 429:
                    raise PlatformError(f"限流等待 {waited} 次后仍被拒绝", f"still rate limited after {waited} waits",
                                        transient=True)
                if r.status_code >= 500:
                    last = (f"平台故障，状态码 {r.status_code}", f"HTTP {r.status_code}")
                elif r.status_code >= 400:
                    raise PlatformError(f"请求被拒绝（状态码 {r.status_code}）", f"refused the request (HTTP {r.status_code})")
                else:
                    try:
                        body = r.json()
                    except ValueError as e:
                        raise PlatformError("返回内容不是 JSON", f"answered with something that is not JSON: {e}") from e
                    if not isinstance(body, dict):
                        raise PlatformError("返回内容不是 JSON 对象", "answered with JSON that is not an object")
                    return body
            if attempt < self.retries:
                await self._sleep(min(0.2 * 2 ** attempt, self.max_wait_s))
            attempt += 1
        raise PlatformError(f"重试 {self.retries + 1} 次后仍失败（{last[0]}）",
                            f"failed after {self.retries + 1} attempts ({last[1]})", transient=True)

    async def published_rows(self) -> list[tuple[int, dict]]:
        rows: list[tuple[int, dict]] = []
        async with httpx.AsyncClient(**self._client_args) as client:
            page = 1
            while page <= MAX_PAGES:
                body = await self._call(client, "GET", "/api/lists", params={"page": page, "per_page": self.page_size})
                items = body.get("items")
                if not isinstance(items, list):
                    raise PlatformError(f"第 {page} 页缺少条目列表", f"page {page} has no items list")
                for item in items:
                    position = len(rows) + 1
                    cells = item_cells(item)
                    if cells is None:  # rejected with its position, like a bad row of a file
                        cells = {NOT_A_ROW: "该条目不是 JSON 对象 / the item is not a JSON object"}
                    rows.append((position, cells))
                nxt = body.get("next_page")
                if nxt is None:
                    return rows
                if not isinstance(nxt, int) or isinstance(nxt, bool) or nxt <= page:
                    raise PlatformError(f"第 {page} 页的下一页页码无效", f"page {page} has an invalid next_page")
                page = nxt
        raise PlatformError("分页过多", f"more than {MAX_PAGES} pages")

    async def recommend(self, year: int, tier: str, usccs: list[str]) -> Receipt:
        batch_id = recommendation_batch_id(year, tier, usccs)
        async with httpx.AsyncClient(**self._client_args) as client:
            body = await self._call(client, "POST", "/api/recommendations", json={
                "batch_id": batch_id, "district": "房山区", "year": year, "tier": tier,
                "enterprises": sorted(set(usccs))})
        accepted, duplicate = body.get("accepted"), body.get("duplicate", False)
        if body.get("batch_id") != batch_id or not isinstance(accepted, int) or isinstance(accepted, bool) \
                or not isinstance(duplicate, bool):
            raise PlatformError("推荐回执格式不符", "the recommendation receipt is malformed")
        return Receipt(batch_id, accepted, duplicate)
