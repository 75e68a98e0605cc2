"""The registry's record in every department (issue "Trust the record"), across real services."""
from sqlalchemy import delete, func, select

from services.awards.tables import Award
from shared import projection
from shared.clock import today
from shared.tables import RegistryRecord
from shared.testing import make_uscc
from tests.test_exactly_once import promote


async def test_announcing_records_fills_a_copy_that_has_none_and_triggers_nothing(suite):
    u = make_uscc()
    await promote(suite, u, "municipal_srdi", "2024-03-01")
    await suite.settled()
    with suite.db("outreach").transaction() as s:  # a copy lost (a database from before records)
        s.execute(delete(RegistryRecord).where(RegistryRecord.uscc == u))
    r = await suite.client("registry").post("/api/v1/admin/announce-records")
    assert r.status_code == 200 and r.json()["announced"] >= 1

    def held():
        with suite.db("outreach").reader() as s:
            return projection.tier_of(s, u, today()) == "municipal_srdi"
    await suite.wait_for(held, "the outreach copy filled again")
    await suite.settled()
    with suite.db("awards").reader() as s:  # nothing happened to the enterprise: nothing paid again
        assert s.scalar(select(func.count()).select_from(Award).where(Award.uscc == u)) == 1
