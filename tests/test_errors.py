"""The shared error handlers: a unique key lost to a concurrent request is a 409 problem, not a 500."""
import os
import uuid

import httpx
from fastapi import FastAPI
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert

from shared import errors
from shared.testing import make_uscc


def _engine(tmp_path):
    """The PostgreSQL server under test when there is one (its SQLSTATE path), else SQLite."""
    url = os.environ.get("SRDI_TEST_DATABASE_URL")
    if url and url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return create_engine(url or f"sqlite:///{tmp_path / 'race.db'}")


async def test_a_lost_unique_key_race_is_a_409_problem(tmp_path):
    engine = _engine(tmp_path)
    table = Table(f"thing_{uuid.uuid4().hex[:8]}", MetaData(), Column("id", Integer, primary_key=True),
                  Column("key", String, unique=True))
    table.metadata.create_all(engine)
    app = FastAPI()
    errors.install(app)

    @app.post("/things/{key}")
    def add(key: str):  # no check first: the insert itself meets the other request's row
        with engine.begin() as c:
            c.execute(insert(table).values(key=key))
        return {"key": key}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        assert (await http.post("/things/a")).status_code == 200
        r = await http.post("/things/a")
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json")
    table.drop(engine)
    body = r.json()
    assert body["type"].endswith("conflict") and "冲突" in body["title"] and "conflicts" in body["detail"]



async def test_another_integrity_error_is_a_bug_not_a_conflict(tmp_path):
    """A NOT NULL (or foreign key) violation is the code's fault: a logged 500, not 'reload and retry'."""
    engine = create_engine(f"sqlite:///{tmp_path / 'bug.db'}")
    table = Table("thing", MetaData(), Column("id", Integer, primary_key=True), Column("key", String, nullable=False))
    table.metadata.create_all(engine)
    app = FastAPI()
    errors.install(app)

    @app.post("/things")
    def add():
        with engine.begin() as c:
            c.execute(insert(table).values(key=None))

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                 base_url="http://t") as http:
        r = await http.post("/things")
    assert r.status_code == 500 and r.json()["type"].endswith("internal")


async def test_a_cursor_that_only_looks_like_an_id_is_a_422(suite):
    """"²" is a digit to str.isdigit() but not to int(): every id-keyed list answers bad-cursor."""
    from shared.pagination import encode
    lists = [("registry", "/api/v1/service-requests"), ("registry", "/api/v1/visits"),
             ("registry", "/api/v1/hotline-questions"), ("awards", "/api/v1/awards"),
             ("awards", "/api/v1/ledger?year=2025"), ("talent", "/api/v1/nominations"),
             ("talent", "/api/v1/quotas"), ("parks", "/api/v1/intermediaries"), ("outreach", "/api/v1/products"),
             ("outreach", "/api/v1/notices")]
    for service, path in lists:
        if service not in suite.apps:
            continue
        role = "treasury" if path.startswith("/api/v1/ledger") else ("talent" if service == "talent" else "econ")
        for key in ("²", "1" * 40, "12a"):
            sep = "&" if "?" in path else "?"
            r = await suite.client(service, role=role).get(f"{path}{sep}cursor={encode(key)}")
            assert r.status_code == 422 and r.json()["type"].endswith("bad-cursor"), (service, path, key, r.text)


async def test_field_messages_come_in_chinese_beside_pydantics_english(suite):
    """pydantic's own messages ("Field required", "Input should be …") are translated by their type,
    the service's own checks keep their two languages, and the Chinese detail names the field."""
    econ = suite.client("registry")
    r = await econ.post("/api/v1/enterprises", json={"name": "缺代码企业", "founded_on": "不是日期", "extra": 1})
    assert r.status_code == 422
    msgs = {e["loc"][-1]: e["msg"] for e in r.json()["errors"]}
    assert msgs["uscc"].startswith("缺少必填字段 / ")
    assert msgs["founded_on"].startswith("应为日期")
    assert msgs["extra"].startswith("不允许的字段")
    assert "缺少必填字段" in r.json()["detail_zh"] and "Field required" not in r.json()["detail_zh"]
    r = await econ.post(f"/api/v1/enterprises/{make_uscc()}/certifications",
                        json={"tier": "municipal_srdi", "recognized_on": "2099-01-01"})
    err = r.json()["errors"][0]
    assert r.status_code == 422 and "晚于今天" in err["msg"] and "after today" in err["msg"]
    assert not err["msg"].startswith("Value error")


async def test_a_405_names_every_method_of_the_path(suite):
    r = await suite.client("registry").delete("/api/v1/enterprises")
    assert r.status_code == 405 and r.headers["content-type"].startswith("application/problem+json")
    assert {m.strip() for m in r.headers["allow"].split(",")} >= {"GET", "POST"}


async def test_a_body_json_cannot_read_is_a_problem_beside_the_body(suite):
    """A number of 5,000 digits is past what Python's json reads: FastAPI answers 400 'There was an
    error parsing the body', which came without Chinese or errors; now said beside `body`."""
    econ = suite.client("registry")
    r = await econ.put("/api/v1/policy", content='{"key": "targets.yearly", "value": ' + "9" * 5000 + "}",
                       headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json"), r.text
    body = r.json()
    assert body["detail_zh"].startswith("请求体无法解析") and body["errors"][0]["loc"] == ["body"]
