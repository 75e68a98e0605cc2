"""Migration 0017: requests accepted before it take the day their acceptance was audited, in
Shanghai time; others stay without one."""
import datetime as dt

from alembic import command
from sqlalchemy import select

from services.registry.main import SPEC
from services.registry.tables import Enterprise, ServiceRequest
from shared.db import Database
from shared.migrate import config, upgrade
from shared.tables import AuditLog

U = "91110111MA01ABCD1Q"


def test_requests_accepted_before_take_their_audited_day(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/registry.db")
    upgrade(db.engine, "registry", SPEC.migrations, SPEC.metadata)
    with db.engine.begin() as conn:  # back to before accepted_on
        command.downgrade(config(SPEC.migrations, "alembic_version_registry", SPEC.metadata, conn),
                          "0016_registry_legal_refs_zh")
    with db.engine.begin() as conn:
        conn.execute(Enterprise.__table__.insert().values(uscc=U, name="北京迁移测试科技有限公司", status="active",
                                                          created_at=dt.datetime(2025, 1, 1)))
        for request_id, state in ((1, "resolved"), (2, "open"), (3, "accepted")):
            conn.execute(ServiceRequest.__table__.insert().values(
                id=request_id, uscc=U, category="finance", summary="贷款", department="finance", state=state,
                opened_on=dt.date(2025, 3, 1), due_on=dt.date(2025, 3, 16), created_at=dt.datetime(2025, 3, 1)))
        # 1: accepted at 17:30 UTC, already the next day in Shanghai; 3: at noon
        for object_id, at in (("1", dt.datetime(2025, 3, 2, 17, 30)), ("3", dt.datetime(2025, 3, 5, 4, 0))):
            conn.execute(AuditLog.__table__.insert().values(at=at, actor="finance:-:zhao", action="service_request.accepted",
                                                            object_type="service_request", object_id=object_id))
        conn.execute(AuditLog.__table__.insert().values(at=dt.datetime(2025, 3, 9), actor="finance:-:zhao",
                                                        action="service_request.resolved",
                                                        object_type="service_request", object_id="1"))
    upgrade(db.engine, "registry", SPEC.migrations, SPEC.metadata)
    with db.reader() as s:
        days = dict(s.execute(select(ServiceRequest.id, ServiceRequest.accepted_on)).all())
    assert days == {1: dt.date(2025, 3, 3), 2: None, 3: dt.date(2025, 3, 5)}
    db.dispose()
