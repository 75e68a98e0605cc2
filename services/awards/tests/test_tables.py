"""The SQLModel tables under the database's guards (migrations 0005 and 0006): an award's facts never
change, its state moves only with a recorded transition, and ledger rows are append-only, whatever
the ORM is asked to do."""
import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DatabaseError

from services.awards.main import SPEC
from services.awards.rules import Decision
from services.awards.tables import Award, LedgerEntry
from services.awards.workflow.service import create, transition
from shared.auth import Principal
from shared.db import Database
from shared.migrate import upgrade


@pytest.fixture
def db(tmp_path):
    d = Database(f"sqlite:///{tmp_path}/awards.db")
    upgrade(d.engine, "awards", SPEC.migrations, SPEC.metadata)
    yield d
    d.dispose()


@pytest.fixture
def award_id(db):
    with db.transaction() as s:
        award = create(s, "tier:U:municipal_srdi", Decision("tier", 300_000, {"rule": "t", "explanation": "t"},
                                                            tier="municipal_srdi"),
                       "U", "U", "enterprise", dt.date(2024, 3, 1), "ev-1")
        return award.id


@pytest.mark.parametrize("change, match", [
    (lambda a: setattr(a, "amount_yuan", 1), "immutable"),
    (lambda a: setattr(a, "payee", "someone else"), "immutable"),
    (lambda a: setattr(a, "basis", {}), "immutable"),
    (lambda a: setattr(a, "state", "approved"), "recorded transition"),
    (lambda a: setattr(a, "budget_year", 2024), "budget year"),
])
def test_the_orm_cannot_change_an_award_but_by_a_transition(db, award_id, change, match):
    with pytest.raises(DatabaseError, match=match), db.transaction() as s:
        change(s.get(Award, award_id))
        s.flush()
    with db.transaction() as s:
        transition(s, Principal("econ", None, "t"), award_id, "review")
    with db.reader() as s:
        award = s.get(Award, award_id)
        assert (award.state, award.amount_yuan, award.payee) == ("reviewed", 300_000, "U")


def test_the_orm_cannot_delete_an_award_nor_touch_its_ledger(db, award_id):
    with pytest.raises(DatabaseError, match="never deleted"), db.transaction() as s:
        s.delete(s.get(Award, award_id))
        s.flush()
    with pytest.raises(DatabaseError, match="append-only"), db.transaction() as s:
        entry = s.scalars(select(LedgerEntry).where(LedgerEntry.award_id == award_id)).one()
        entry.amount_yuan = 1
        s.flush()
