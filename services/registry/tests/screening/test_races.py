"""PostgreSQL: a request that records an enterprise's year while another is recording the same year
(its check before the insert cannot see the other's uncommitted row) answers 409, not a 500."""
import os
import threading

import pytest

from services.registry.screening import service
from services.registry.screening.schemas import AnnualUpdateIn, IndicatorsIn
from services.registry.tables import AnnualUpdate, Indicator
from shared.errors import Problem

pytestmark = pytest.mark.skipif(not os.environ.get("SRDI_TEST_DATABASE_URL"),
                                reason="SQLite's BEGIN IMMEDIATE serialises writers: no such race there")


def race(db, first_row, second):
    """`first_row` inserted and held uncommitted while `second(session)` runs in another thread; the
    first then commits. Returns what `second` raised (or None)."""
    outcome = {}

    def run():
        try:
            with db.transaction() as s:
                second(s)
        except Exception as e:  # noqa: BLE001 - what the request would have answered
            outcome["error"] = e

    with db.transaction() as s:
        s.add(first_row)
        s.flush()
        other = threading.Thread(target=run)
        other.start()
        other.join(timeout=1)  # it is waiting on the first's row lock: it cannot finish yet
        assert other.is_alive()
    other.join(timeout=30)
    return outcome.get("error")


@pytest.mark.parametrize("kind", ["indicators", "annual_update"])
async def test_the_same_year_recorded_twice_at_once_is_a_409(suite, uscc, kind):
    r = await suite.client("registry").post("/api/v1/enterprises", json={"uscc": uscc, "name": "并发登记"})
    assert r.status_code == 201, r.text
    db = suite.db("registry")
    if kind == "indicators":
        first = Indicator(uscc=uscc, year=2025, facts="{}", updated_by="test")
        error = race(db, first, lambda s: service.put_indicators(s, "econ", uscc, 2025, IndicatorsIn()))
        code = "indicators-raced"
    else:
        first = AnnualUpdate(uscc=uscc, year=2025, submitted_on="2025-04-18", recorded_by="test")
        body = AnnualUpdateIn(year=2025, submitted_on="2025-04-18")
        error = race(db, first, lambda s: service.record_annual_update(s, "econ", uscc, body))
        code = "annual-update-exists"
    assert isinstance(error, Problem) and error.status == 409 and error.code == code, repr(error)
