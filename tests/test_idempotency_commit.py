"""An Idempotency-Key commits with its request's effect, in one transaction: a retry after the answer
was lost gets the kept answer (even with a new token of the same user), a request that did not
commit frees its key at once, the body is compared as canonical JSON, a refused input keeps the key
free. Real databases: SQLite by default, PostgreSQL with SRDI_TEST_DATABASE_URL."""
import asyncio
import datetime as dt

import httpx
import jwt
import orjson
import pytest
from sqlalchemy import func, select

from services.registry.tables import ImportJob, Visit
from shared import audit
from shared.auth import issue_token
from shared.cli import main as srdi
from shared.tables import IdempotencyKey
from shared.testing import SECRET, make_uscc

VISITED = (dt.date.today() - dt.timedelta(days=3)).isoformat()


def token_of(user: str, hours: int, role: str = "econ") -> str:
    """A token of `user`; another `hours` makes another token (another expiry) of the same user."""
    return issue_token(SECRET, role, ttl_hours=hours, sub=user)


def client(suite, token: str, app=None) -> httpx.AsyncClient:
    # A wrapped app's exception reaches the test (the lost connection); the service's own is a 500.
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app or suite.apps["registry"],
                                                           raise_app_exceptions=app is not None),
                             base_url="http://registry", headers={"Authorization": f"Bearer {token}"}, timeout=30)


def visits(suite, uscc: str) -> list:
    with suite.db("registry").reader() as s:
        return list(s.scalars(select(Visit.id).where(Visit.uscc == uscc)))


def kept(suite, key: str) -> list:
    with suite.db("registry").reader() as s:
        return [(r.principal, r.status) for r in s.scalars(select(IdempotencyKey).where(IdempotencyKey.key == key))]


async def enterprise(suite) -> str:
    uscc = make_uscc()
    r = await suite.client("registry").post("/api/v1/enterprises", json={"uscc": uscc, "name": "幂等走访测试"})
    assert r.status_code == 201, r.text
    return uscc


def visit(uscc: str, findings: str = "设备更新需求") -> dict:
    return {"uscc": uscc, "visited_on": VISITED, "visitors": "区经信局 张三", "findings": findings}


class ConnectionLost(Exception):
    pass


def dies_after_commit(app):
    """The process as seen by the caller when it is killed right after the commit: the request ran
    to its end, nothing of the answer reaches the caller."""
    async def wrapped(scope, receive, send):
        async def lost(message):
            raise ConnectionLost
        await app(scope, receive, lost)
    return wrapped


async def test_tokens_of_one_user_carry_one_stable_sub(tmp_path, capsys):
    """`srdi token issue` (and the test suite's tokens) name the same user in every token, so a retry
    with a fresh token is the same caller; `--user` names a person."""
    subs = []
    for args in ([], [], ["--user", "zhang.san"], ["--user", "zhang.san", "--ttl-hours", "2"]):
        srdi(["token", "issue", "--role", "econ", "--data-dir", str(tmp_path), *args])
        # The token is the line printed; a log line of another module's stopping suite may share stdout.
        token = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("eyJ"))
        subs.append(jwt.decode(token, options={"verify_signature": False})["sub"])
    assert subs[0] == subs[1] and subs[2] == subs[3] == "zhang.san" and subs[0] != subs[2]


async def test_a_retry_after_a_crash_right_after_commit_gets_the_kept_answer(suite):
    uscc = await enterprise(suite)
    first_token, second_token = token_of("zhang.san", 1), token_of("zhang.san", 2)
    assert first_token != second_token
    async with client(suite, first_token, dies_after_commit(suite.apps["registry"])) as dying:
        with pytest.raises(ConnectionLost):
            await dying.post("/api/v1/visits", json=visit(uscc), headers={"Idempotency-Key": "visit-crash-1"})
    # The visit and its key committed together.
    assert len(visits(suite, uscc)) == 1
    assert kept(suite, "visit-crash-1") == [("econ:-:zhang.san", 201)]

    async with client(suite, second_token) as again:
        r = await again.post("/api/v1/visits", json=visit(uscc), headers={"Idempotency-Key": "visit-crash-1"})
    assert r.status_code == 201 and r.headers.get("idempotent-replayed") == "true"
    assert r.json()["id"] == visits(suite, uscc)[0] and r.json()["findings"] == "设备更新需求"
    assert len(visits(suite, uscc)) == 1

    # Another user's key of the same name is not this one: it records its own visit.
    async with client(suite, token_of("li.si", 1)) as other:
        r = await other.post("/api/v1/visits", json=visit(uscc), headers={"Idempotency-Key": "visit-crash-1"})
    assert r.status_code == 201 and "idempotent-replayed" not in r.headers
    assert len(visits(suite, uscc)) == 2


async def test_a_request_whose_transaction_fails_frees_its_key_at_once(suite, monkeypatch):
    uscc = await enterprise(suite)
    econ = suite.client("registry")
    real = audit.record

    def breaks_after_writing(*args, **kwargs):  # the visit row is flushed, then the request fails
        raise RuntimeError("disk full")
    monkeypatch.setattr(audit, "record", breaks_after_writing)
    async with client(suite, suite.token("econ")) as c:
        failed = await c.post("/api/v1/visits", json=visit(uscc), headers={"Idempotency-Key": "visit-fails-1"})
    assert failed.status_code == 500
    assert visits(suite, uscc) == [] and kept(suite, "visit-fails-1") == []

    monkeypatch.setattr(audit, "record", real)
    r = await econ.post("/api/v1/visits", json=visit(uscc), headers={"Idempotency-Key": "visit-fails-1"})
    assert r.status_code == 201 and "idempotent-replayed" not in r.headers  # no 409, no wait
    assert len(visits(suite, uscc)) == 1


async def test_reordered_json_is_the_same_request(suite):
    uscc = await enterprise(suite)
    econ = suite.client("registry")
    body = visit(uscc)
    raw = orjson.dumps(body)
    reordered = b'{ "findings": "%s",\n  "visitors": "%s", "visited_on": "%s", "uscc": "%s" }' % (
        body["findings"].encode(), body["visitors"].encode(), VISITED.encode(), uscc.encode())
    assert raw != reordered and orjson.loads(raw) == orjson.loads(reordered)
    headers = {"Idempotency-Key": "visit-order-1", "Content-Type": "application/json"}
    first = await econ.post("/api/v1/visits", content=raw, headers=headers)
    again = await econ.post("/api/v1/visits", content=reordered, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true" and again.json() == first.json()
    assert len(visits(suite, uscc)) == 1
    # A changed value is another request.
    other = await econ.post("/api/v1/visits", json=visit(uscc, "另一发现"), headers=headers)
    assert other.status_code == 422 and other.json()["type"].endswith("idempotency-key-reused")


async def test_a_refused_input_leaves_the_key_free(suite):
    uscc = await enterprise(suite)
    econ = suite.client("registry")
    bad = await econ.post("/api/v1/visits", json=visit(uscc, "响铃\x07字符"), headers={"Idempotency-Key": "visit-422"})
    assert bad.status_code == 422 and kept(suite, "visit-422") == []
    good = await econ.post("/api/v1/visits", json=visit(uscc), headers={"Idempotency-Key": "visit-422"})
    assert good.status_code == 201 and "idempotent-replayed" not in good.headers
    assert len(visits(suite, uscc)) == 1 and kept(suite, "visit-422") == [("econ:-:econ", 201)]


async def test_concurrent_requests_with_one_key_make_one_effect(suite):
    uscc = await enterprise(suite)
    econ = suite.client("registry")
    answers = await asyncio.gather(*[econ.post("/api/v1/visits", json=visit(uscc), headers={"Idempotency-Key": "visit-race"})
                                     for _ in range(8)])
    assert len(visits(suite, uscc)) == 1
    made = [r for r in answers if r.status_code == 201 and "idempotent-replayed" not in r.headers]
    assert len(made) == 1
    for r in answers:  # the others: the kept answer (SQLite queues writers), or 409 while it ran (PostgreSQL)
        assert (r.status_code == 201 and r.json() == made[0].json()) or (
            r.status_code == 409 and r.json()["type"].endswith("idempotency-key-in-flight")), r.text


async def test_a_keyed_import_job_runs_once(suite):
    """The job's worker, started by the request, outlives it: it writes in its own transactions once
    the request has committed, and a retry of the request gets the same job, not a second one."""
    uscc = make_uscc()
    csv = ("序号,企业名称,统一社会信用代码,所属区,认定类型,批次,认定日期\n"
           f"1,幂等导入测试有限公司,{uscc},房山区,创新型中小企业,2025年第一批,2025-03-01\n").encode()
    platform = suite.client("registry", role="platform")
    files = {"file": ("list.csv", csv, "text/csv")}
    first = await platform.post("/api/v1/import-jobs", files=files, headers={"Idempotency-Key": "import-1"})
    assert first.status_code == 202, first.text
    job = first.json()["id"]

    async def done():
        r = await platform.get(f"/api/v1/import-jobs/{job}")
        return r.json()["state"] in ("done", "failed") and r.json()
    finished = await suite.wait_for(done, "the import job")
    assert finished["state"] == "done" and finished["report"]["created"] == 1, finished
    with suite.db("registry").reader() as s:
        jobs = s.scalar(select(func.count()).select_from(ImportJob))
    again = await platform.post("/api/v1/import-jobs", files=files, headers={"Idempotency-Key": "import-1"})
    assert again.status_code == 202 and again.json()["id"] == job and again.headers.get("idempotent-replayed") == "true"
    with suite.db("registry").reader() as s:  # no second job
        assert s.scalar(select(func.count()).select_from(ImportJob)) == jobs
