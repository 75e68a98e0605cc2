"""A keyed request's one transaction (shared.idempotency.RequestTransaction) under the session
dependencies (shared.sessions): FastAPI enters a sync dependency on one pool thread, runs the route
on another and leaves on a third. The block belongs to the request, so the route's own
`db.transaction()` joins it (no deadlock) and leaving on another thread releases it; a block held by
a thread still makes another thread wait its turn."""
import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from shared.db import REQUEST_TRANSACTION, Base, Database
from shared.idempotency import RequestTransaction
from shared.tables import AuditLog


def _db(tmp_path) -> Database:
    db = Database(f"sqlite:///{tmp_path}/rt.db")
    Base.metadata.create_all(db.engine)
    return db


def _audit(s, action: str) -> None:
    s.add(AuditLog(actor="test", action=action, object_type="t", object_id="1"))


def test_a_dependency_block_spans_threads_and_the_routes_own_transaction_joins_it(tmp_path):
    db = _db(tmp_path)
    rt = RequestTransaction(db, claim=lambda s: None)
    token = REQUEST_TRANSACTION.set(rt)
    try:
        pool = ThreadPoolExecutor(3)

        def on_a_pool_thread(fn, *args):  # as anyio does: each call in a copy of the request's context
            return pool.submit(contextvars.copy_context().run, fn, *args).result(timeout=10)

        block = db.transaction(flow=True)
        session = on_a_pool_thread(block.__enter__)  # the dependency enters on a pool thread
        assert session is rt.session  # the request's own transaction

        def route():  # the route, on another thread: its use case writes, and opens a transaction of its own
            _audit(session, "dependency")
            with db.transaction() as inner:
                _audit(inner, "nested")
            return True

        assert on_a_pool_thread(route)  # no deadlock
        assert not on_a_pool_thread(block.__exit__, None, None, None)  # left on another thread
        assert rt._lock._owner is None  # and released
        rt.finish(commit=True, answer=None)
        pool.shutdown()
    finally:
        REQUEST_TRANSACTION.reset(token)
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog)) == 2
    db.dispose()


def test_a_thread_held_block_makes_another_thread_wait(tmp_path):
    db = _db(tmp_path)
    rt = RequestTransaction(db, claim=lambda s: None)
    token = REQUEST_TRANSACTION.set(rt)
    order: list[str] = []
    inside, release = threading.Event(), threading.Event()
    try:
        def first():
            with db.transaction() as s:
                _audit(s, "first")
                order.append("first in")
                inside.set()
                assert release.wait(10)
                order.append("first out")

        def second():
            assert inside.wait(10)
            with db.transaction() as s:
                _audit(s, "second")
                order.append("second in")

        # Threads of the request (as a task it started would be): they see its transaction.
        ctx_first = threading.Thread(target=contextvars.copy_context().run, args=(first,))
        ctx_second = threading.Thread(target=contextvars.copy_context().run, args=(second,))
        ctx_first.start()
        ctx_second.start()
        assert inside.wait(10)
        ctx_second.join(0.2)
        assert ctx_second.is_alive() and order == ["first in"]  # waiting for the first block to end
        release.set()
        ctx_first.join(10)
        ctx_second.join(10)
        assert order == ["first in", "first out", "second in"]
        rt.finish(commit=True, answer=None)
    finally:
        REQUEST_TRANSACTION.reset(token)
    db.dispose()
