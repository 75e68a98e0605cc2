"""Idempotency-Key on POST: replay the first answer, refuse a changed body, scope by caller.
(Commit with the effect, crashes, canonical JSON: test_idempotency_commit.py.)"""
import orjson
from sqlalchemy import func, select

from services.registry.tables import Enterprise
from shared.testing import make_uscc


def enterprises(suite):
    with suite.db("registry").reader() as s:
        return s.scalar(select(func.count()).select_from(Enterprise))


async def test_same_key_same_body_replays(suite):
    econ = suite.client("registry")
    body = {"uscc": make_uscc(), "name": "幂等测试"}
    first = await econ.post("/api/v1/enterprises", json=body, headers={"Idempotency-Key": "k-1"})
    n = enterprises(suite)
    again = await econ.post("/api/v1/enterprises", json=body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers.get("idempotent-replayed") == "true"
    assert enterprises(suite) == n
    # Without the key a retry is a plain duplicate: the natural key answers 409.
    assert (await econ.post("/api/v1/enterprises", json=body)).status_code == 409


async def test_same_key_other_body_is_422(suite):
    econ = suite.client("registry")
    await econ.post("/api/v1/enterprises", json={"uscc": make_uscc(), "name": "甲"}, headers={"Idempotency-Key": "k-2"})
    n = enterprises(suite)
    r = await econ.post("/api/v1/enterprises", json={"uscc": make_uscc(), "name": "乙"}, headers={"Idempotency-Key": "k-2"})
    assert r.status_code == 422 and r.json()["type"].endswith("idempotency-key-reused")
    assert enterprises(suite) == n


async def test_keys_are_per_caller_and_refused_input_is_not_kept(suite):
    body = {"uscc": make_uscc(), "name": "丙"}
    r1 = await suite.client("registry").post("/api/v1/enterprises", json=body, headers={"Idempotency-Key": "k-3"})
    r2 = await suite.client("registry", role="treasury").post("/api/v1/enterprises", json=body,
                                                                headers={"Idempotency-Key": "k-3"})
    assert (r1.status_code, r2.status_code) == (201, 403)  # another caller's key is not replayed to it
    bad = {"uscc": "123", "name": "丁"}
    a = await suite.client("registry").post("/api/v1/enterprises", json=bad, headers={"Idempotency-Key": "k-4"})
    b = await suite.client("registry").post("/api/v1/enterprises", json=bad, headers={"Idempotency-Key": "k-4"})
    assert a.status_code == b.status_code == 422 and a.json() == b.json()
    assert "idempotent-replayed" not in b.headers  # a refused input does not use up its key


async def test_the_stored_fingerprint_is_keyed(suite):
    """The body may hold personal data (a nomination's resident ID): what is kept of it is an
    HMAC under the server's secret, not a hash anyone could recompute from a guessed body."""
    import hashlib

    from shared.tables import IdempotencyKey
    econ = suite.client("registry")
    raw = orjson.dumps({"uscc": make_uscc(), "name": "指纹测试"})
    r = await econ.post("/api/v1/enterprises", content=raw,
                        headers={"Idempotency-Key": "k-hmac", "Content-Type": "application/json"})
    assert r.status_code == 201
    with suite.db("registry").reader() as s:
        stored = s.scalars(select(IdempotencyKey.request_hash).where(IdempotencyKey.key == "k-hmac")).one()
    assert stored != hashlib.sha256(b"/api/v1/enterprises?\n" + raw).hexdigest()
    assert len(stored) == 64
