"""corrections: awards withdrawn, withheld, settled outside, flagged

`award.flag` and `award.flag_reason`: why a correction of the record touched an award
(certification_voided, enterprise_departed), for the treasury; not a fact of the award, so the
guard of migration 0006 lets it be written. An award may now also be created `settled_outside`
(系统外已兑付: it rests on a title back-filled from a list from before go-live): the insert guard
admits that state beside `computed`.

Revision ID: 0007_awards_corrections
Revises: 0006_awards_record
Create Date: 2026-12-03 00:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_awards_corrections'
down_revision = '0006_awards_record'
branch_labels = None
depends_on = None

# As in 0006: what an award row may never change after it is created.
FROZEN = ("award_key", "program", "uscc", "payee", "payee_type", "tier", "amount_yuan", "decided_on",
          "certification_id", "contract_id", "source_event_id", "created_at")


def upgrade() -> None:
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flag', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('flag_reason', sa.String(length=2000), nullable=True))
        batch_op.create_index(batch_op.f('ix_award_flag'), ['flag'], unique=False)
    _insert_guard("('computed', 'settled_outside')")


def downgrade() -> None:
    _insert_guard("('computed')")
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_flag'))
        batch_op.drop_column('flag_reason')
        batch_op.drop_column('flag')


def _insert_guard(states: str) -> None:
    """The states an award may be inserted in (the rest of 0006's guard unchanged)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS award_created_computed")
        op.execute("CREATE TRIGGER award_created_computed BEFORE INSERT ON award "
                   f"WHEN NEW.state NOT IN {states} OR NEW.budget_year IS NOT NULL "
                   "BEGIN SELECT RAISE(ABORT, 'an award is created computed, then moves by transitions'); END")
        return
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FROZEN)
    op.execute(f"""CREATE OR REPLACE FUNCTION awards_award_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE last_from text; last_to text;
BEGIN
  IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'award rows are never deleted'; END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.state NOT IN {states} OR NEW.budget_year IS NOT NULL THEN
      RAISE EXCEPTION 'an award is created computed, then moves by transitions';
    END IF;
    RETURN NEW;
  END IF;
  IF {changed} OR NEW.basis::text IS DISTINCT FROM OLD.basis::text THEN
    RAISE EXCEPTION 'award facts are immutable: a correction is a new award';
  END IF;
  IF NEW.state IS DISTINCT FROM OLD.state THEN
    SELECT from_state, to_state INTO last_from, last_to FROM award_transition
      WHERE award_id = NEW.id ORDER BY id DESC LIMIT 1;
    IF last_to IS DISTINCT FROM NEW.state OR last_from IS DISTINCT FROM OLD.state THEN
      RAISE EXCEPTION 'award state changes only through a recorded transition';
    END IF;
  END IF;
  IF NEW.budget_year IS DISTINCT FROM OLD.budget_year
     AND (OLD.budget_year IS NOT NULL OR NEW.state IS DISTINCT FROM 'approved') THEN
    RAISE EXCEPTION 'award budget year is set once, on approval';
  END IF;
  RETURN NEW;
END $$""")
