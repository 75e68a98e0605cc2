"""Each Alembic history has one head, and the tables match what the migrations build (on SQLite,
and on PostgreSQL when SRDI_TEST_DATABASE_URL is set: a timezone or length shows only there)."""
import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shared.cli import spec_of
from shared.db import Base, Database
from shared.migrate import PLUMBING_DIR, heads, upgrade
from shared.settings import available_services


def _ours(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and reflected and compare_to is None)


@pytest.mark.parametrize("service", available_services())
def test_revision_ids_fit_alembics_version_column(service):
    """alembic_version.version_num is VARCHAR(32): a longer revision id migrates on SQLite and fails
    on PostgreSQL (0017_registry_request_accepted_on did)."""
    from alembic.script import ScriptDirectory

    from shared.migrate import config
    for folder, table in ((spec_of(service).migrations, f"alembic_version_{service}"),
                          (PLUMBING_DIR, "alembic_version_shared")):
        ids = [s.revision for s in ScriptDirectory.from_config(config(folder, table, None)).walk_revisions()]
        assert ids and [r for r in ids if len(r) > 32] == []


@pytest.mark.parametrize("service", available_services())
def test_one_head_and_no_drift(service, tmp_path):
    spec = spec_of(service)
    assert len(heads(spec.migrations, f"alembic_version_{service}")) == 1
    assert len(heads(PLUMBING_DIR, "alembic_version_shared")) == 1
    server = os.environ.get("SRDI_TEST_DATABASE_URL")
    if server:
        import psycopg

        name = f"srdi_migrations_{service}_{uuid.uuid4().hex[:8]}"
        admin = server.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        db = Database(admin.rsplit("/", 1)[0] + f"/{name}")
    else:
        db = Database(f"sqlite:///{tmp_path}/{service}.db")
    upgrade(db.engine, service, spec.migrations, spec.metadata)
    upgrade(db.engine, service, spec.migrations, spec.metadata)  # a second run is a no-op
    with db.engine.connect() as conn:
        for metadata in (spec.metadata, Base.metadata):
            ctx = MigrationContext.configure(conn, opts={"include_object": _ours, "compare_type": True})
            assert compare_metadata(ctx, metadata) == [], f"{service}: tables and migrations differ"
    db.dispose()
    if server:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}"')
