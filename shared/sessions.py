"""Sessions reach routes through dependencies, as in polar's server (`get_db_session`):

    def add_loan(body: LoanIn, who: LoanWriter, session: WriteSession) -> LoanPublic: ...

`WriteSession` is one write transaction that commits once, when the route has returned and its answer
is serialised, and before the answer is sent (FastAPI's `scope="function"`): a failed commit is the
caller's error answer, never a 200 for nothing. An exception rolls everything back (state, outbox,
audit). Use cases take the session and never commit. Inside a keyed POST the transaction is a
savepoint of the request's own (shared.idempotency), so the key's answer commits with the effect.

`ReadSession` reads (on SQLite a separate read-only pool, never waiting for writers; inside a
request that wrote, the request's own connection). `DatabaseDep` is the service's `Database`, for
the few routes that need `Database.retrying` (a unique key raced by another writer) or run work
outside a request transaction."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from shared.db import Database


async def _database(request: Request) -> Database:
    # async: no thread hop (the registry's hot read path takes it on every request)
    return request.app.state.db


# FastAPI enters and leaves a sync dependency on pool threads, and runs the route on another:
# `flow=True` says the block belongs to the request, not to a thread (shared.idempotency.BlockLock).
def _write(request: Request) -> Iterator[Session]:
    with request.app.state.db.transaction(flow=True) as session:
        yield session


def _read(request: Request) -> Iterator[Session]:
    with request.app.state.db.reader(flow=True) as session:
        yield session


WriteSession = Annotated[Session, Depends(_write, scope="function")]
ReadSession = Annotated[Session, Depends(_read, scope="function")]
DatabaseDep = Annotated[Database, Depends(_database)]
