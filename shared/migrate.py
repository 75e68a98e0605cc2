"""Alembic per service: the plumbing history (shared/migrations) and the service's own history."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData
from sqlalchemy.engine import Engine

import shared
from shared.db import Base

ENV_DIR = Path(shared.__file__).parent / "alembic"
PLUMBING_DIR = Path(shared.__file__).parent / "migrations" / "versions"


def config(versions: Path, version_table: str, metadata: MetaData | None, connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ENV_DIR))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(versions))
    cfg.set_main_option("file_template", "%%(year)d-%%(month).2d-%%(day).2d_%%(slug)s")
    cfg.attributes.update(connection=connection, version_table=version_table, target_metadata=metadata)
    return cfg


def histories(service: str, versions: Path, metadata: MetaData):
    """(versions folder, version table, metadata) for the plumbing and for the service."""
    return [(PLUMBING_DIR, "alembic_version_shared", Base.metadata),
            (versions, f"alembic_version_{service}", metadata)]


def upgrade(engine: Engine, service: str, versions: Path, metadata: MetaData) -> None:
    for folder, table, meta in histories(service, versions, metadata):
        with engine.begin() as conn:
            command.upgrade(config(folder, table, meta, conn), "head")


def heads(versions: Path, version_table: str) -> list[str]:
    return list(ScriptDirectory.from_config(config(versions, version_table, None)).get_heads())
