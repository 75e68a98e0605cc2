"""Migration 0009: the claw-backs booked before it get their receivables (open, nothing recovered)."""
import datetime as dt

from alembic import command
from sqlalchemy import select, update

from services.awards.main import SPEC
from services.awards.tables import Award, AwardTransition, LedgerEntry, Receivable
from shared.db import Database
from shared.migrate import config, upgrade


def test_earlier_claw_backs_get_their_receivables(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/awards.db")
    upgrade(db.engine, "awards", SPEC.migrations, SPEC.metadata)  # the plumbing, and awards to its head
    with db.engine.begin() as conn:  # back to before recoveries
        command.downgrade(config(SPEC.migrations, "alembic_version_awards", SPEC.metadata, conn), "0008_awards_payments")
    with db.engine.begin() as conn:
        conn.execute(Award.__table__.insert().values(
            id=1, award_key="tier:U:municipal_srdi", program="tier", uscc="U", payee="U", payee_type="enterprise",
            tier="municipal_srdi", amount_yuan=300_000, state="computed", basis={}, decided_on=dt.date(2024, 3, 1),
            source_event_id="e", created_at=dt.datetime(2024, 3, 1)))
        conn.execute(AwardTransition.__table__.insert().values(award_id=1, from_state="computed", to_state="clawed_back",
                                                               actor="event:x", at=dt.datetime(2025, 1, 2)))
        conn.execute(update(Award.__table__).where(Award.__table__.c.id == 1).values(state="clawed_back"))
        conn.execute(LedgerEntry.__table__.insert().values(
            kind="clawed_back", award_id=1, program="tier", uscc="U", payee="U", payee_type="enterprise",
            amount_yuan=300_000, booked_on=dt.date(2025, 1, 2), budget_year=2024, actor="event:x", note="虚假申报",
            at=dt.datetime(2025, 1, 2)))
    upgrade(db.engine, "awards", SPEC.migrations, SPEC.metadata)
    with db.reader() as s:
        r = s.scalars(select(Receivable)).one()
        assert (r.award_id, r.amount_yuan, r.recovered_yuan, r.state, r.budget_year, r.opened_on, r.due_on,
                r.reason) == (1, 300_000, 0, "open", 2024, dt.date(2025, 1, 2), dt.date(2025, 4, 2), "虚假申报")
    db.dispose()
