"""trust the record: the registry's enterprises are the plumbing `registry_record` (the folded
`enterprise` and `certification` projections are dropped); facts other departments recorded that
awards are paid against (`contract`, `park_designation`, `incubatee_promotion`); `award.contract_id`;
one award per payment voucher (`voucher`); award rows whose facts never change and whose state moves
only with a recorded transition (database triggers); the dated reading `award.relocation.before_title`.

After upgrading an existing database, replay the registry stream to awards (`POST
/api/v1/admin/replay`) so that `registry_record` holds every enterprise's record.

Revision ID: 0006_awards_record
Revises: 0005_awards_ledger_append_only
Create Date: 2026-12-02 12:00:00
"""
import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

from shared import params


revision = '0006_awards_record'
down_revision = '0005_awards_ledger_append_only'
branch_labels = None
depends_on = None

Money = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# What an award row may never change after it is created (its state and, once, its budget year move
# only as the workflow says).
FROZEN = ("award_key", "program", "uscc", "payee", "payee_type", "tier", "amount_yuan", "decided_on",
          "certification_id", "contract_id", "source_event_id", "created_at")


def upgrade() -> None:
    op.create_table('contract',
    sa.Column('contract_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('buyer_uscc', sa.String(length=18), nullable=True),
    sa.Column('scenario_id', sa.Integer(), nullable=True),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('contract_yuan', Money, nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('evidence', sa.String(length=200), nullable=True),
    sa.Column('source_event_id', sa.String(length=36), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('contract_id', name=op.f('pk_contract'))
    )
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_uscc'), ['uscc'], unique=False)

    op.create_table('voucher',
    sa.Column('voucher', sa.String(length=200), nullable=False),
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['award_id'], ['award.id'], name=op.f('fk_voucher_award_id_award')),
    sa.PrimaryKeyConstraint('voucher', name=op.f('pk_voucher')),
    sa.UniqueConstraint('award_id', name=op.f('uq_voucher_award_id'))
    )
    op.create_table('park_designation',
    sa.Column('designation_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('park_id', sa.String(length=64), nullable=False),
    sa.Column('designation', sa.String(length=30), nullable=False),
    sa.Column('designated_on', sa.Date(), nullable=False),
    sa.Column('source_event_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('designation_id', name=op.f('pk_park_designation'))
    )
    op.create_table('incubatee_promotion',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('park_id', sa.String(length=64), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('to_tier', sa.String(length=30), nullable=False),
    sa.Column('recognized_on', sa.Date(), nullable=False),
    sa.Column('incubation_id', sa.Integer(), nullable=True),
    sa.Column('source_event_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incubatee_promotion')),
    sa.UniqueConstraint('park_id', 'uscc', 'to_tier', name=op.f('uq_incubatee_promotion_park_id_uscc_to_tier'))
    )
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contract_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_award_contract_id'), ['contract_id'], unique=False)

    _backfill()

    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certification_uscc'))
    op.drop_table('certification')
    op.drop_table('enterprise')

    _guard_awards()

    seed = "区政协提案《关于进一步加快推进房山区“专精特新”中小企业高质量发展的建议》"
    params.seed(op, [
        {"key": "award.relocation.before_title", "value": True, "effective_from": "2022-01-01",
         "legal_ref": f"{seed} 三.2：“从北京市外新引进……符合条件的‘专精特新’中小企业”再给予入区奖励 —— 解读：迁入本区"
                      "（迁入日期）不晚于首次获得市级专精特新及以上称号之日；迁入前已获称号的企业不享受入区奖励"
                      "（true = 迁入须在先；false = 不论先后）"},
    ])


def _backfill() -> None:
    """Facts earlier versions kept only inside award rows: the contracts outreach's events raised
    (so a replayed contract event finds its award and pays nothing more), the designations and the
    incubatee promotions that were paid (for the what-if)."""
    bind = op.get_bind()
    award = sa.table("award", sa.column("id", sa.Integer), sa.column("program", sa.String),
                     sa.column("uscc", sa.String), sa.column("basis", sa.JSON), sa.column("decided_on", sa.Date),
                     sa.column("source_event_id", sa.String), sa.column("contract_id", sa.Integer))
    contract = sa.table("contract", *(sa.column(c) for c in (
        "contract_id", "kind", "uscc", "buyer_uscc", "scenario_id", "proposal_id", "contract_yuan", "signed_on",
        "evidence", "source_event_id", "recorded_at")))
    designation = sa.table("park_designation", *(sa.column(c) for c in (
        "designation_id", "park_id", "designation", "designated_on", "source_event_id")))
    incubatee = sa.table("incubatee_promotion", *(sa.column(c) for c in (
        "park_id", "uscc", "to_tier", "recognized_on", "incubation_id", "source_event_id")))
    rows = bind.execute(sa.select(award.c.id, award.c.program, award.c.uscc, award.c.basis, award.c.decided_on,
                                  award.c.source_event_id).order_by(award.c.id)).all()
    contracts, designations, incubatees = {}, [], {}
    for award_id, program, uscc, basis, decided_on, source in rows:
        basis = json.loads(basis) if isinstance(basis, str) else (basis or {})
        inputs = basis.get("inputs") or {}
        ref = str(inputs.get("evidence_ref") or "")
        if program in ("scenario", "ecosystem") and ref.startswith("outreach:") and ref[9:].isdigit():
            cid = int(ref[9:])
            bind.execute(award.update().where(award.c.id == award_id).values(contract_id=cid))
            sid = str(inputs.get("scenario_id") or "")
            contracts.setdefault(cid, {
                "contract_id": cid, "kind": program, "uscc": uscc, "buyer_uscc": inputs.get("buyer_uscc"),
                "scenario_id": int(sid) if sid.isdigit() else None, "proposal_id": None,
                "contract_yuan": int(inputs.get("contract_yuan") or 0), "signed_on": decided_on, "evidence": None,
                "source_event_id": source, "recorded_at": dt.datetime(2026, 12, 2)})
        elif program == "featured_park" and inputs.get("park_id"):
            designations.append({"designation_id": -award_id, "park_id": inputs["park_id"],
                                 "designation": "srdi_featured", "designated_on": decided_on,
                                 "source_event_id": source})
        elif program == "incubation" and inputs.get("park_id") and inputs.get("uscc"):
            incubatees.setdefault((inputs["park_id"], inputs["uscc"], inputs.get("to_tier") or ""), {
                "park_id": inputs["park_id"], "uscc": inputs["uscc"], "to_tier": inputs.get("to_tier") or "",
                "recognized_on": decided_on, "incubation_id": inputs.get("incubation_id"), "source_event_id": source})
    if contracts:
        op.bulk_insert(contract, list(contracts.values()))
    if designations:  # the designation's own id is not in the award: a negative placeholder, never parks'
        op.bulk_insert(designation, designations)
    if incubatees:
        op.bulk_insert(incubatee, list(incubatees.values()))


def _guard_awards() -> None:
    """An award's facts are written once; its state changes only to the state of the transition just
    recorded for it (from the state it had); its budget year is set once, on approval; it is never
    deleted. Voucher rows are append-only. The database refuses anything else."""
    if op.get_bind().dialect.name == "sqlite":
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in (*FROZEN, "basis"))
        op.execute(f"CREATE TRIGGER award_facts_frozen BEFORE UPDATE ON award WHEN {changed} "
                   "BEGIN SELECT RAISE(ABORT, 'award facts are immutable: a correction is a new award'); END")
        op.execute("CREATE TRIGGER award_state_by_transition BEFORE UPDATE OF state ON award "
                   "WHEN NEW.state IS NOT OLD.state AND NOT EXISTS (SELECT 1 FROM award_transition t "
                   "WHERE t.id = (SELECT max(id) FROM award_transition WHERE award_id = NEW.id) "
                   "AND t.to_state = NEW.state AND t.from_state IS OLD.state) "
                   "BEGIN SELECT RAISE(ABORT, 'award state changes only through a recorded transition'); END")
        op.execute("CREATE TRIGGER award_budget_year_once BEFORE UPDATE OF budget_year ON award "
                   "WHEN NEW.budget_year IS NOT OLD.budget_year AND (OLD.budget_year IS NOT NULL "
                   "OR NEW.state IS NOT 'approved') "
                   "BEGIN SELECT RAISE(ABORT, 'award budget year is set once, on approval'); END")
        op.execute("CREATE TRIGGER award_created_computed BEFORE INSERT ON award "
                   "WHEN NEW.state IS NOT 'computed' OR NEW.budget_year IS NOT NULL "
                   "BEGIN SELECT RAISE(ABORT, 'an award is created computed, then moves by transitions'); END")
        op.execute("CREATE TRIGGER award_no_delete BEFORE DELETE ON award "
                   "BEGIN SELECT RAISE(ABORT, 'award rows are never deleted'); END")
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER voucher_no_{action.lower()} BEFORE {action} ON voucher "
                       f"BEGIN SELECT RAISE(ABORT, 'voucher rows are append-only'); END")
        return
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FROZEN)
    op.execute(f"""CREATE OR REPLACE FUNCTION awards_award_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE last_from text; last_to text;
BEGIN
  IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'award rows are never deleted'; END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.state IS DISTINCT FROM 'computed' OR NEW.budget_year IS NOT NULL THEN
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
    op.execute("CREATE TRIGGER award_guard BEFORE INSERT OR UPDATE OR DELETE ON award "
               "FOR EACH ROW EXECUTE FUNCTION awards_award_guard()")
    op.execute("CREATE TRIGGER voucher_append_only BEFORE UPDATE OR DELETE ON voucher "
               "FOR EACH ROW EXECUTE FUNCTION awards_append_only()")


def downgrade() -> None:
    op.execute("DELETE FROM policy_parameter WHERE key = 'award.relocation.before_title' AND set_by = 'migration'")
    if op.get_bind().dialect.name == "sqlite":
        for name in ("award_facts_frozen", "award_state_by_transition", "award_budget_year_once",
                     "award_created_computed", "award_no_delete", "voucher_no_update", "voucher_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS award_guard ON award")
        op.execute("DROP TRIGGER IF EXISTS voucher_append_only ON voucher")
        op.execute("DROP FUNCTION IF EXISTS awards_award_guard()")
    # The folded projections come back empty: a replay of the registry stream refills them.
    op.create_table('enterprise',
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('park_id', sa.String(length=64), nullable=True),
    sa.Column('relocated_on', sa.Date(), nullable=True),
    sa.Column('relocated_from', sa.String(length=100), nullable=True),
    sa.Column('introducer', sa.String(length=200), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('uscc', name=op.f('pk_enterprise'))
    )
    op.create_table('certification',
    sa.Column('certification_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('tier', sa.String(length=30), nullable=True),
    sa.Column('recognized_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('revoked_for_cause', sa.Boolean(), nullable=False),
    sa.Column('first_time_at_tier', sa.Boolean(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('certification_id', name=op.f('pk_certification'))
    )
    with op.batch_alter_table('certification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certification_uscc'), ['uscc'], unique=False)
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_contract_id'))
        batch_op.drop_column('contract_id')
    op.drop_table('incubatee_promotion')
    op.drop_table('park_designation')
    op.drop_table('voucher')
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_uscc'))
    op.drop_table('contract')
