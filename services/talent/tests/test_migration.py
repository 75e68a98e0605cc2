"""Revision 0002: stored copies of a nomination (its mask, the audit log's states, the answers kept for
Idempotency-Key replays) lose the birth date and take the stronger mask."""
import datetime as dt
import os
import uuid

import orjson
import pytest
from alembic import command
from sqlalchemy import create_engine, insert, select, text

from services.talent.nominations import pii
from services.talent.main import SPEC
from services.talent.tables import Nomination, QuotaGrant
from shared.db import Database
from shared.migrate import PLUMBING_DIR, config, upgrade
from shared.tables import AuditLog, IdempotencyKey
from shared.testing import make_resident_id


def old_mask(number: str) -> str:
    """The mask used before: exactly the birth digits hidden."""
    return number[:6] + "*" * 8 + number[14:]


T = dt.datetime(2026, 1, 1)


@pytest.fixture
def database_url(tmp_path):
    """A fresh database: SQLite, or PostgreSQL when SRDI_TEST_DATABASE_URL names a server."""
    server = os.environ.get("SRDI_TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_path}/talent.db"
        return
    server = "postgresql+psycopg://" + server.split("://", 1)[1]
    name = f"srdi_t_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"{server.rsplit('/', 1)[0]}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_stored_copies_are_masked_again_and_lose_the_birth_date(database_url):
    number = make_resident_id("19880315", 123)
    old = old_mask(number)  # 110111********123X, as stored before
    person = {"name": "张三", "id_number": old, "id_number_masked": old, "gender": "male",
              "birth_date": "1988-03-15", "education": "博士", "post": "工程师"}
    answer = {"id": 1, "uscc": "X", "year": 2026, "state": "submitted", "person": person}
    db = Database(database_url)
    with db.engine.begin() as conn:
        command.upgrade(config(PLUMBING_DIR, "alembic_version_shared", None, conn), "head")
        command.upgrade(config(SPEC.migrations, "alembic_version_talent", None, conn), "0001_talent")
        conn.execute(insert(QuotaGrant.__table__).values(id=1, uscc="X", year=2026, granted=1, used=1,
                                                         created_at=T, updated_at=T))
        conn.execute(insert(Nomination.__table__).values(
            id=1, grant_id=1, uscc="X", year=2026, category="领军人才", person_name="张三", id_cipher="gAAAA",
            id_masked=old, gender="male", birth_date=dt.date(1988, 3, 15), education="博士", post="工程师", documents=[],
            state="submitted", created_by="talent", created_at=T, updated_at=T))
        conn.execute(insert(AuditLog.__table__).values(actor="talent", action="nomination.submit",
                                                       object_type="nomination", object_id="1", before=None,
                                                       after=answer, at=T))
        conn.execute(insert(AuditLog.__table__).values(actor="talent", action="quota.grant", object_type="quota_grant",
                                                       object_id="X/2026", before={"granted": 0},
                                                       after={"granted": 1}, at=T))
        conn.execute(insert(IdempotencyKey.__table__).values(principal="talent", key="k1", request_hash="h",
                                                             status=201, response_body=orjson.dumps(answer).decode(),
                                                             content_type="application/json",
                                                             created_at=T))
        conn.execute(insert(IdempotencyKey.__table__).values(principal="econ", key="k2", request_hash="h", status=201,
                                                             response_body='{"id": 7}', content_type="application/json",
                                                             created_at=T))
    upgrade(db.engine, "talent", SPEC.migrations, SPEC.metadata)

    with db.reader() as s:
        assert s.get(Nomination, 1).id_masked == pii.mask(number) and s.get(Nomination, 1).person_key is None
        submitted, granted = s.scalars(select(AuditLog).order_by(AuditLog.id)).all()
        kept = {k.key: k.response_body for k in s.scalars(select(IdempotencyKey))}
    for stored in (submitted.after, orjson.loads(kept["k1"])):
        assert "birth_date" not in stored["person"]
        assert stored["person"]["id_number"] == stored["person"]["id_number_masked"] == pii.mask(number)
        assert stored["person"]["name"] == "张三" and stored["state"] == "submitted"
    assert (granted.before, granted.after) == ({"granted": 0}, {"granted": 1})  # other rows untouched
    assert kept["k2"] == '{"id": 7}'
    db.dispose()
