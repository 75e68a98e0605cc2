"""The request-size limit, as the outermost body reader: enforced while the body arrives, before it is
parsed, buffered for an Idempotency-Key or a token is checked, so a huge body costs no memory.

A declared Content-Length over the limit is refused before a byte is read; a body without one
(chunked) is counted as it is read and refused the moment it passes the limit. Either way the
answer is a 413 problem, and the server closes the connection on the unread rest.

Limits (shared.settings): SRDI_MAX_BODY_BYTES (default 4 MiB) for every request; multipart uploads
(a recognition list) of a caller with a valid token may reach SRDI_MAX_UPLOAD_BYTES (default
64 MiB: Starlette spools upload parts to disk, and the registry refuses a list over 50 MB itself).
"""
from __future__ import annotations

import orjson
from starlette.exceptions import HTTPException

from shared.errors import MEDIA_TYPE, Problem
from shared.settings import Settings




class BodyTooLarge(HTTPException):
    """Raised from `receive` once the limit is passed. An HTTPException, so that FastAPI's body
    parsing lets it through instead of calling it a malformed body (its answer is replaced below)."""

    def __init__(self):
        super().__init__(413)


def too_large(limit: int) -> Problem:
    mib = f"{limit / 1048576:.1f} MiB" if limit >= 1048576 else f"{limit} bytes"
    return Problem(413, "body-too-large", f"请求体超过上限（{mib}），未予处理",
                   f"The request body is larger than the limit ({mib}); it was not processed", limit_bytes=limit)


class BodyLimitMiddleware:
    def __init__(self, app, state, limits: Settings | None = None):
        self.app, self.state = app, state  # state: app.state, for the verifier (the upload allowance)
        self.limits = limits or getattr(state, "settings", None) or Settings()

    def _limit(self, headers: dict) -> int:
        base = self.limits.max_body_bytes
        if not headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data"):
            return base
        try:  # the larger allowance is for a signed-in caller only; a stranger gets the base limit
            token = headers.get(b"authorization", b"").decode().partition(" ")[2].strip()
            self.state.verifier.verify(token)
        except Exception:  # noqa: BLE001 - any bad or missing token
            return base
        return max(base, self.limits.max_upload_bytes)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        limit = self._limit(headers)
        declared = headers.get(b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            return await _send(send, too_large(limit))

        received, exceeded, started = 0, False, False

        async def limited_receive():
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge()
            return message

        async def guarded_send(message):
            nonlocal started
            if exceeded and not started:
                return  # the app's answer to the aborted read is replaced by ours
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded:  # anything raised because the read was cut short is answered below
                raise
        if exceeded and not started:
            await _send(send, too_large(limit))


async def _send(send, problem: Problem) -> None:
    await send({"type": "http.response.start", "status": problem.status,
                "headers": [(b"content-type", MEDIA_TYPE.encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": orjson.dumps(problem.body())})
