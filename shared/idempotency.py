"""Idempotency-Key on POST (IETF httpapi draft, Stripe's semantics), as ASGI middleware.

A keyed request runs in ONE database transaction (shared.db.REQUEST_TRANSACTION): every
`db.transaction()` of the request is a savepoint of it, and the key with the request's answer is
written into it just before it commits. So the key is taken exactly when the effect is: a process
that dies before the commit leaves neither (the retry runs afresh, at once); one that dies after it
leaves both (the retry gets the stored answer, never a second effect). The response is held back
until the commit, so a caller never sees an answer that was not kept.

- The transaction begins at the request's first write (or its WriteSession, which FastAPI opens
  before it validates the body), so a request refused before it (a refused token) takes nothing;
  one refused after it (a 422 from validation) leaves its key free (below).
- A 5xx rolls the whole request back and frees its key; a 422 (input refused) commits whatever the
  route wrote but not the key, so the corrected request can use it; any other answer is kept 48 h.
- Keys belong to the caller (role, organisation and the token's stable user id `sub`, so a retry with
  a fresh token of the same user is the same caller); the request is fingerprinted over its path,
  query and canonical JSON (key order and whitespace do not matter), as an HMAC under the server's
  own secret (`settings.signing_secret`, not token material; a body may hold a resident ID). The
  same key with another request is a 422.
- Two concurrent requests with one key: on SQLite writers are serialised, so the second waits and
  replays the first's answer; on PostgreSQL the second answers 409 at once while the first runs.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import itertools
import threading
from concurrent.futures import ThreadPoolExecutor

import orjson
import structlog
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from shared.db import REQUEST_TRANSACTION, utcnow
from shared.errors import MEDIA_TYPE, Problem
from shared.tables import IdempotencyKey

KEEP = dt.timedelta(hours=48)
_sweeps = itertools.count()
log = structlog.get_logger()
# Commits of keyed requests run here, not in the shared pools: a request holding SQLite's write lock
# must never queue behind threads that are themselves waiting for that lock.
_FINISH = ThreadPoolExecutor(max_workers=4, thread_name_prefix="idempotency-commit")

IN_FLIGHT = ("idempotency-key-in-flight", "相同 Idempotency-Key 的请求仍在处理中",
             "A request with this Idempotency-Key is still being processed")


class KeyAnswered(Problem):
    """Raised into the route when a concurrent request with the same key committed first."""

    def __init__(self):
        super().__init__(409, *IN_FLIGHT)


class BlockLock:
    """Who may use a keyed request's one session: one block at a time (a task the request started,
    an import job, waits for the request's block to end). Reentrant for the request's own flow —
    the thread holding it, or any thread while a session dependency's block (which spans threads)
    holds it — so a transaction inside a transaction of the request joins instead of deadlocking."""

    def __init__(self):
        self._cond = threading.Condition()
        self._owner = None  # a thread ident, or FLOW while a session dependency holds the block
        self._depth = 0

    @contextlib.contextmanager
    def held(self, flow: bool = False):
        me = FLOW if flow else threading.get_ident()
        with self._cond:
            if self._owner is FLOW and not flow:
                me = FLOW  # inside the dependency's block: the request's own code, on another thread
            while self._owner not in (None, me):
                self._cond.wait()
            self._owner = me
            self._depth += 1
        try:
            yield
        finally:
            with self._cond:
                self._depth -= 1
                if self._depth == 0:
                    self._owner = None
                    self._cond.notify_all()


FLOW = object()


class RequestTransaction:
    """The one transaction of a keyed request (see the module doc). Begun lazily by the request's
    first `db.transaction()`, which first takes the key (`claim`); committed or rolled back once by
    the middleware. A task the request started and that outlives it (an import job) joins only
    while the request is open, one block at a time; afterwards it gets transactions of its own."""

    def __init__(self, db, claim):
        self.db, self._claim = db, claim
        self.session: Session | None = None
        self.refused: Problem | None = None
        self.open = True
        self._lock = BlockLock()

    @contextlib.contextmanager
    def join(self, read: bool = False, flow: bool = False):
        # A route's session dependency (shared.sessions) enters and leaves on two pool threads, and
        # the route runs on a third: its block is held by the request, not by a thread, and a
        # db.transaction() inside it (the route's own) joins it without waiting.
        with self._lock.held(flow):
            if not self.open or (read and self.session is None):
                yield None  # the caller opens its own session
                return
            if self.refused is not None:  # the key is another request's: this one writes nothing
                raise self.refused
            if self.session is None:
                session = Session(self.db.engine, expire_on_commit=False)
                try:
                    session.begin()
                    self._claim(session)
                except Problem as e:
                    session.close()
                    self.refused = e
                    raise
                except BaseException:
                    session.close()
                    raise
                self.session = session
            if read:
                yield self.session
            else:
                with self.session.begin_nested():  # a failed block undoes itself, not the request
                    yield self.session

    def finish(self, commit: bool, answer: IdempotencyKey | None) -> None:
        with self._lock.held():
            self.open = False
            session, self.session = self.session, None
            if session is None:
                return
            try:
                if commit:
                    if answer is not None:
                        session.add(answer)
                    session.commit()
                else:
                    session.rollback()
            finally:
                session.close()
        if commit and session.info.get("outbox_written"):
            for hook in self.db.after_commit_hooks:  # wake the relay, as db.transaction() does
                hook()


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
            actor = caller_of(self.state.verifier.verify(token))
        except Exception:  # noqa: BLE001 - let the route answer 401
            return await self.app(scope, receive, send)
        if len(key) > 200 or not key.isprintable():
            return await _send_problem(send, Problem(
                422, "idempotency-key", "Idempotency-Key 无效（最多200个可打印字符）",
                "Idempotency-Key must be at most 200 printable characters"))
        chunks, more = [], True
        while more:  # the size is bounded by shared.limits, outside this middleware
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        digest = self._fingerprint(scope, headers, body)
        db = self.state.db
        verdict, stored = await asyncio.to_thread(self._lookup, db, actor, key, digest)
        if verdict != "new":
            return await self._answer_stored(send, verdict, stored)

        sent_body = False

        async def replay_receive():
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        held: list = []  # the response, sent only once the transaction has committed

        async def hold(message):
            held.append(message)

        rt = RequestTransaction(db, lambda s: self._claim(s, db, actor, key, digest))
        loop = asyncio.get_running_loop()
        ctx = REQUEST_TRANSACTION.set(rt)
        try:
            await self.app(scope, replay_receive, hold)
        except Exception:
            await loop.run_in_executor(_FINISH, rt.finish, False, None)
            raise
        except BaseException:  # cancelled: roll back without waiting here
            loop.run_in_executor(_FINISH, rt.finish, False, None)
            raise
        finally:
            REQUEST_TRANSACTION.reset(ctx)

        start = next((m for m in held if m["type"] == "http.response.start"), None)
        status = start["status"] if start else 500
        if isinstance(rt.refused, KeyAnswered):  # a concurrent request with this key won: its answer
            await loop.run_in_executor(_FINISH, rt.finish, False, None)
            verdict, stored = await asyncio.to_thread(self._lookup, db, actor, key, digest)
            if verdict != "new":
                return await self._answer_stored(send, verdict, stored)
            return await _send_problem(send, Problem(409, *IN_FLIGHT))
        commit = start is not None and status < 500 and rt.refused is None
        answer = None
        if commit and status != 422:  # a refused input does not use up its key
            ctype = dict(start.get("headers", [])).get(b"content-type", b"application/json").decode()
            out = b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body")
            answer = IdempotencyKey(principal=actor, key=key, request_hash=digest, status=status,
                                    content_type=ctype[:100], response_body=out.decode(errors="replace"),
                                    created_at=utcnow())
        try:
            await loop.run_in_executor(_FINISH, rt.finish, commit, answer)
        except Exception:  # noqa: BLE001 - nothing was kept: say so rather than claim an effect
            log.exception("keyed request could not commit", path=scope["path"])
            return await _send_problem(send, Problem(
                503, "not-committed", "请求未能保存，请使用相同的 Idempotency-Key 重试",
                "The request could not be saved; retry with the same Idempotency-Key"))
        for message in held:
            await send(message)

    def _fingerprint(self, scope, headers: dict, body: bytes) -> str:
        # A keyed hash: a stored fingerprint of a body holding personal data (a nomination's
        # resident ID) cannot be reversed by guessing bodies without the server's secret. The
        # secret is the server's own (SRDI_JWT_SECRET, generated into the data folder in dev), not
        # token material: tokens are verified with public keys, which would make no key.
        secret = self.state.settings.signing_secret
        canonical = canonical_body(body, headers.get(b"content-type", b"").decode(errors="replace"))
        return hmac.new(secret.encode(), scope["path"].encode() + b"?" + scope.get("query_string", b"")
                        + b"\n" + canonical, hashlib.sha256).hexdigest()

    @staticmethod
    def _lookup(db, actor: str, key: str, digest: str):
        """Before the request runs (no lock): a kept answer to replay, a mismatch, or new."""
        if next(_sweeps) % 500 == 0:
            with db.transaction() as s:
                s.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - KEEP))
        with db.reader() as s:
            row = s.get(IdempotencyKey, (actor, key))
            if row is None or row.status is None:  # None: a row of the former two-step scheme
                return "new", None
            if not hmac.compare_digest(row.request_hash, digest):
                return "mismatch", None
            return "replay", (row.status, row.response_body or "", row.content_type or "application/json")

    @staticmethod
    def _claim(s: Session, db, actor: str, key: str, digest: str) -> None:
        """First thing in the request's transaction: the key is ours until it commits or rolls back."""
        if not db.is_sqlite:  # SQLite's BEGIN IMMEDIATE already serialises writers
            lock = int.from_bytes(hashlib.blake2b(f"{actor}\n{key}".encode(), digest_size=8).digest(),
                                  "big", signed=True)
            if not s.scalar(select(func.pg_try_advisory_xact_lock(lock))):
                raise Problem(409, *IN_FLIGHT)
        row = s.get(IdempotencyKey, (actor, key))
        if row is not None and row.status is None:
            s.delete(row)
            s.flush()
        elif row is not None:  # committed since _lookup, by a concurrent request with this key
            raise KeyAnswered()

    @staticmethod
    async def _answer_stored(send, verdict: str, stored) -> None:
        if verdict == "mismatch":
            return await _send_problem(send, Problem(
                422, "idempotency-key-reused", "同一 Idempotency-Key 已用于不同的请求内容",
                "This Idempotency-Key was used with a different request body"))
        status, body, ctype = stored
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", ctype.encode()), (b"idempotent-replayed", b"true")]})
        await send({"type": "http.response.body", "body": body.encode()})


def caller_of(principal) -> str:
    """The key's owner: role, organisation and the token's stable user id (its `sub`)."""
    actor = principal.actor
    return actor if len(actor) <= 200 else hashlib.sha256(actor.encode()).hexdigest()


def canonical_body(body: bytes, content_type: str) -> bytes:
    """JSON re-serialised with sorted keys and no whitespace; a multipart upload without its
    boundary (a client picks a new one for each attempt); any other body as it came."""
    if body and ("json" in content_type or not content_type):
        try:
            return orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS)
        except (orjson.JSONDecodeError, TypeError):
            pass
    if content_type.lower().startswith("multipart/"):
        boundary = content_type.partition("boundary=")[2].split(";")[0].strip().strip('"')
        if boundary:
            return body.replace(b"--" + boundary.encode(), b"--")
    return body


async def _send_problem(send, problem: Problem) -> None:
    await send({"type": "http.response.start", "status": problem.status,
                "headers": [(b"content-type", MEDIA_TYPE.encode())]})
    await send({"type": "http.response.body", "body": orjson.dumps(problem.body())})
