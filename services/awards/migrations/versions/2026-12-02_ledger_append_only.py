"""ledger append-only: the database refuses UPDATE and DELETE of ledger_entry and award_transition rows
(a correction is a new entry; the state history is never rewritten), on SQLite and PostgreSQL.

Revision ID: 0005_awards_ledger_append_only
Revises: 0004_awards_money_bigint
Create Date: 2026-12-02 00:45:00
"""
from alembic import op


revision = '0005_awards_ledger_append_only'
down_revision = '0004_awards_money_bigint'
branch_labels = None
depends_on = None

TABLES = ("ledger_entry", "award_transition")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for action in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END")
        return
    op.execute("CREATE OR REPLACE FUNCTION awards_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
               "BEGIN RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME; END $$")
    for table in TABLES:
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION awards_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    op.execute("DROP FUNCTION IF EXISTS awards_append_only()")
