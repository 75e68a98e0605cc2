"""A consumer's batch reads its enterprises' awards ahead, in one query (issue 15,
projection.repository.read_ahead); what deciding a title then reads must still be every award of the
enterprise, including one made earlier in the same batch (by a revocation's making good, a claim)."""
import datetime as dt

import pytest

from services.awards.main import SPEC
from services.awards.projection import repository
from services.awards.rules import Decision
from services.awards.tables import IncubateePromotion
from services.awards.workflow.service import create
from shared.db import Database
from shared.migrate import upgrade
from shared.testing import make_uscc


@pytest.fixture
def db(tmp_path):
    d = Database(f"sqlite:///{tmp_path}/awards.db")
    upgrade(d.engine, "awards", SPEC.migrations, SPEC.metadata)
    yield d
    d.dispose()


def _award(s, uscc: str, tier: str, amount: int):
    return create(s, f"tier:{uscc}:{tier}", Decision("tier", amount, {"rule": "t", "explanation": "t"}, tier=tier),
                  uscc, uscc, "enterprise", dt.date(2024, 3, 1), f"ev-{tier}")


def test_an_award_made_in_the_batch_is_among_the_awards_read_ahead(db):
    first, other = make_uscc(), make_uscc()
    with db.transaction() as s:
        _award(s, first, "municipal_srdi", 300_000)
    with db.transaction() as s:
        repository.read_ahead(s, {first, other}, incubatees_of={first, other})
        _award(s, first, "municipal_little_giant", 200_000)  # before the batch asks for its awards
        assert [a.tier for a in repository.awards_of(s, first)] == ["municipal_srdi", "municipal_little_giant"]
        assert repository.awards_of(s, other) == []
        _award(s, other, "municipal_srdi", 300_000)  # after: the second asking reads the table
        assert [a.tier for a in repository.awards_of(s, other)] == ["municipal_srdi"]


def test_parks_announcements_read_ahead_are_found(db):
    announced, silent = make_uscc(), make_uscc()
    on = dt.date(2024, 3, 1)
    with db.transaction() as s:
        s.add(IncubateePromotion(park_id="P1", uscc=announced, to_tier="municipal_srdi", recognized_on=on,
                                 incubation_id=7, source_event_id="ev-park"))
    with db.transaction() as s:
        repository.read_ahead(s, {announced, silent}, incubatees_of={announced, silent})
        assert [p.park_id for p in repository.incubatee_promotions(s, announced, "municipal_srdi", on)] == ["P1"]
        assert repository.incubatee_promotions(s, silent, "municipal_srdi", on) == []
