"""Idempotency-Key on POST (IETF httpapi draft, Stripe's semantics), as ASGI middleware.

The first answer is stored and replayed to a retry with the same key and body; the same key
with another body is 422; a retry while the first is still running is 409. Keys are scoped
to the caller and kept 48 hours. Server errors are not stored, so they can be retried.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import itertools

import orjson
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from shared.db import utcnow
from shared.errors import MEDIA_TYPE, Problem
from shared.tables import IdempotencyKey

KEEP = dt.timedelta(hours=48)
STALE_RUNNING = dt.timedelta(minutes=5)  # a first request that died mid-way frees its key after this
_sweeps = itertools.count()


class IdempotencyMiddleware:
    def __init__(self, app, state):
        self.app, self.state = app, state  # state: the FastAPI app.state with .db and .verifier

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        key = headers.get(b"idempotency-key", b"").decode(errors="replace").strip()
        if not key:
            return await self.app(scope, receive, send)
        try:
            token = headers.get(b"authorization", b"").decode().partition(" ")[2].strip()
            actor = self.state.verifier.verify(token).actor
        except Exception:  # noqa: BLE001 - let the route answer 401
            return await self.app(scope, receive, send)
        if len(key) > 200:
            return await _send_problem(send, Problem(422, "idempotency-key", "Idempotency-Key 过长（最多200字符）",
                                                     "Idempotency-Key is longer than 200 characters"))
        chunks, more = [], True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        # A keyed hash: a stored fingerprint of a body holding personal data (a nomination's
        # resident ID) cannot be reversed by guessing bodies without the server's secret.
        digest = hmac.new(self.state.verifier.secret.encode(), scope["path"].encode() + b"?"
                          + scope.get("query_string", b"") + b"\n" + body, hashlib.sha256).hexdigest()
        verdict, row = await asyncio.to_thread(self._claim, actor, key, digest)
        if verdict == "mismatch":
            return await _send_problem(send, Problem(
                422, "idempotency-key-reused", "同一 Idempotency-Key 已用于不同的请求内容",
                "This Idempotency-Key was used with a different request body"))
        if verdict == "running":
            return await _send_problem(send, Problem(
                409, "idempotency-key-in-flight", "相同 Idempotency-Key 的请求仍在处理中",
                "A request with this Idempotency-Key is still being processed"))
        if verdict == "replay":
            await send({"type": "http.response.start", "status": row[0],
                        "headers": [(b"content-type", row[2].encode()), (b"idempotent-replayed", b"true")]})
            return await send({"type": "http.response.body", "body": row[1].encode()})

        sent_body = False

        async def replay_receive():
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        status, ctype, out = 500, MEDIA_TYPE, []

        async def capture(message):
            nonlocal status, ctype
            if message["type"] == "http.response.start":
                status = message["status"]
                ctype = dict(message.get("headers", [])).get(b"content-type", b"application/json").decode()
            elif message["type"] == "http.response.body":
                out.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_receive, capture)
        finally:
            await asyncio.to_thread(self._store, actor, key, status, ctype, b"".join(out))

    def _claim(self, actor: str, key: str, digest: str):
        db = self.state.db
        if next(_sweeps) % 500 == 0:
            with db.transaction() as s:
                s.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - KEEP))
        try:
            with db.transaction() as s:
                s.add(IdempotencyKey(principal=actor, key=key, request_hash=digest))
            return "new", None
        except IntegrityError:
            pass
        with db.transaction() as s:
            row = s.get(IdempotencyKey, (actor, key))
            if row is None:
                return self._claim(actor, key, digest)
            if row.request_hash != digest:
                return "mismatch", None
            if row.status is None:
                if row.created_at > utcnow() - STALE_RUNNING:
                    return "running", None
                row.created_at = utcnow()  # the first attempt died: this retry takes over
                return "new", None
            return "replay", (row.status, row.response_body or "", row.content_type or "application/json")

    def _store(self, actor: str, key: str, status: int, ctype: str, body: bytes) -> None:
        with self.state.db.transaction() as s:
            row = s.get(IdempotencyKey, (actor, key))
            if row is None:
                return
            if status >= 500:
                s.delete(row)  # not an answer worth keeping: let the client retry
            else:
                row.status, row.content_type, row.response_body = status, ctype, body.decode(errors="replace")


async def _send_problem(send, problem: Problem) -> None:
    await send({"type": "http.response.start", "status": problem.status,
                "headers": [(b"content-type", MEDIA_TYPE.encode())]})
    await send({"type": "http.response.body", "body": orjson.dumps(problem.body())})
