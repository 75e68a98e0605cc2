"""A fast lane for a service's busiest read (issue 15, item 5: the read path at a bare endpoint's rate).

FastAPI spends most of a small read resolving the route's parameters and dependencies (a profile in
docs/benchmarks.md). A `HotRead` answers the one common case of one GET route itself: a bare path
(no query string), a valid Bearer token of an admitted role, and an object the caller may read. Its
`read` is the same function the route calls, so the bytes are the route's. Anything else (no or a
bad token, another role, an object not found or not the caller's, a query string, an error while
reading) passes through to the FastAPI route, which answers as it always has (RFC 9457 problems,
OpenAPI, validation). The lane sits inside RequestContextMiddleware: request id, span and latency
histogram as for any request."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import SimpleNamespace

from prometheus_client import Counter

from shared.auth import Principal
from shared.errors import Problem

HOT_READS = Counter("srdi_hot_reads_total", "GETs the fast lane answered (served) or left to the route (passed)",
                    ["service", "outcome"])


@dataclass(frozen=True)
class HotRead:
    """`route`: the path of the route it answers for, as its router declares it, its last segment the
    key ("/enterprises/{uscc}"; served under the app's /api/v1). `read(state, principal, key)`: the
    body, or None to let the route answer."""

    route: str
    roles: frozenset[str]
    read: Callable[[object, Principal, str], Awaitable[bytes | None]]



class HotReadMiddleware:
    def __init__(self, app, reads: tuple[HotRead, ...], state, service: str, mount: str = "/api/v1"):
        self.app, self.state = app, state
        # (path prefix, the read, the route as the latency histogram names it: as FastAPI's route does)
        self.reads = [(mount + r.route.rsplit("{", 1)[0], r, SimpleNamespace(path=r.route)) for r in reads]
        self.served, self.passed = HOT_READS.labels(service, "served"), HOT_READS.labels(service, "passed")

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "GET" and not scope["query_string"]:
            path = scope["path"]
            for prefix, r, route in self.reads:
                key = path[len(prefix):] if path.startswith(prefix) else ""
                if key and "/" not in key:
                    body = await self._answer(r, scope, key)
                    if body is None:
                        self.passed.inc()
                        break
                    self.served.inc()
                    scope["route"] = route
                    await send({"type": "http.response.start", "status": 200,
                                "headers": [(b"content-type", b"application/json"),
                                            (b"content-length", str(len(body)).encode())]})
                    await send({"type": "http.response.body", "body": body})
                    return
        await self.app(scope, receive, send)

    async def _answer(self, r: HotRead, scope, key: str) -> bytes | None:
        token = next((v for k, v in scope["headers"] if k == b"authorization"), b"").decode("latin-1")
        scheme, _, token = token.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        try:
            principal = self.state.verifier.verify(token.strip())
        except Problem:
            return None  # the route refuses it in its words
        if principal.role not in r.roles:
            return None
        try:
            return await r.read(self.state, principal, key)
        except Exception:  # noqa: BLE001 - the route reads again and answers (a 503, logged) as for any request
            return None
